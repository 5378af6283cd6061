// The notifier's engine. Each drain (on a flip event, on every poll, and when a maintenance
// window or a snooze ends): raise due reminders, release or suppress the alerts that a window, a
// snooze or a down parent held back (core/alerts/holds.ts), run the
// weekly reports, then claim due deliveries with a lease, send each through its channel's plugin
// and record the outcome (retrying with backoff inside a window). Its state (timers, the drain in
// progress, the claim counter, metrics) is this one class.

import type { Logger, ServiceBroker } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { renderAlert, eventOf, type AlertEvent, type AlertFacts } from "../../core/alerts/alert.ts";
import type { FlipReason, Status } from "../../core/monitor/monitor-status.ts";
import { afterAttempt, DELIVERY_STATES } from "../../core/alerts/delivery.ts";
import { tagsOf } from "../../core/db/tags.ts";
import { alertTargets, ENV_EMAIL } from "../../core/db/channels.ts";
import type { ChannelRow } from "../../core/db/models.ts";
import { storedLocale } from "../../core/alerts/locale.ts";
import { DeliveryError, type Alert, type ChannelIO, type SendResult } from "../../plugins/channel.ts";
import { createHttpIO } from "../../plugins/http.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";
import {
  activeUntil,
  activeWindowsFor,
  fateOfHeld,
  type MaintenanceWindow,
  type MonitorAtEnd,
} from "../../core/schedule/maintenance.ts";
import { loadWindows } from "../../core/db/maintenance.ts";
import { holdOf, holdText, storedHold, type Hold } from "../../core/alerts/holds.ts";
import { holdFacts, soonestSnoozeEnd } from "../../core/db/dependencies.ts";
import { median } from "../../core/monitor/run-limits.ts";
import * as outbox from "../../core/db/deliveries.ts";
import type { ClaimedDelivery } from "../../core/db/deliveries.ts";
import * as history from "../../core/db/alert-facts.ts";
import { WeeklyReports } from "./weekly-reports.ts";

const CLAIM_BATCH = 50;
const REMINDER_BATCH = 100;

/** Per monitor: until when it is snoozed, and its parents that are down (core/db/dependencies.ts holdFacts). */
type HoldFacts = Map<number, { snoozedUntil: number | null; downParents: string[] }>;

/** What holds a monitor's alerts at `at`: a window covering it then, its snooze, a parent down now. */
function holdAt(windows: MaintenanceWindow[], facts: HoldFacts, monitorId: number, tags: string[], at: number) {
  const f = facts.get(monitorId);
  return holdOf(
    {
      windows: activeWindowsFor(windows, monitorId, tags, at),
      snoozedUntil: f?.snoozedUntil ?? null,
      downParents: f?.downParents ?? [],
    },
    at,
  );
}

const parse = (json: string): Record<string, unknown> => {
  const v = JSON.parse(json || "{}");
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
};

export type TestResult =
  { ok: true; durationMs: number } | { ok: false; retryable: boolean; error: string; durationMs: number };

export class OutboxWorker {
  private readonly deps: ServiceDeps;
  private readonly io: ChannelIO;
  private readonly attemptLimitMs: number;
  private readonly leaseMs: number;
  private readonly reports: WeeklyReports;
  private logger!: Logger;
  private broker!: ServiceBroker;
  private attempts!: Metric;
  private deliveriesByState!: Metric;
  private poll: NodeJS.Timeout | null = null;
  private gauges: NodeJS.Timeout | null = null;
  private windowTimer: NodeJS.Timeout | null = null;
  private draining: Promise<void> | null = null;
  private again = false;
  private running = false;
  private claims = 0;

  constructor(deps: ServiceDeps) {
    const { config } = deps;
    this.deps = deps;
    this.io = createHttpIO({ timeoutMs: config.channelTimeoutMs, allowPrivate: config.allowPrivateWebhooks });
    // A claimed row is ours until the lease ends; an attempt is cut off well before that, so a
    // live notifier never has its row taken over mid-send. A dead one's rows come back after it.
    this.attemptLimitMs = config.channelTimeoutMs + 1_000;
    this.leaseMs = 2 * this.attemptLimitMs + 5_000;
    this.reports = new WeeklyReports(deps, this.io, this.leaseMs);
  }

  /** The service's logger and broker, known once it is created, and the metrics they register. */
  attach(logger: Logger, broker: ServiceBroker): void {
    this.logger = logger;
    this.broker = broker;
    this.attempts = metric(broker, METRICS.deliveryAttempts);
    this.deliveriesByState = metric(broker, METRICS.deliveries);
  }

  async start(): Promise<void> {
    const { config, db } = this.deps;
    this.running = true;
    if (!(await outbox.enabledChannelCount(db))) {
      this.logger.warn(
        "no alert channel is configured (create one at /api/v1/channels, or set SMTP_URL and ALERT_TO): flips are recorded but nobody is told",
      );
    }
    // The poll picks up retries and reminders that came due, and anything an event did not announce.
    this.poll = setInterval(() => this.wake(), config.notifierPollMs);
    this.wake();
    if (this.broker.isMetricsEnabled()) {
      this.gauges = setInterval(
        () =>
          this.countDeliveries().catch((err) =>
            this.logger.warn("counting deliveries failed:", (err as Error).message),
          ),
        15_000,
      );
      void this.countDeliveries().catch(() => {});
    }
  }

  /** Finishes the batch in hand and leaves the rest to the next notifier. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.poll) clearInterval(this.poll);
    if (this.gauges) clearInterval(this.gauges);
    if (this.windowTimer) clearTimeout(this.windowTimer);
    if (this.draining) await this.draining;
    await this.deps.channels.close();
  }

  /** Drains the outbox now, or once more after the drain in progress. */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((err) => this.logger.error("delivering alerts failed; will retry:", (err as Error).message))
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Sends a test alert through one channel now; null when there is no such channel. */
  async sendTest(channelId: number): Promise<TestResult | null> {
    const { config, clock } = this.deps;
    const ch = await outbox.channelById(this.deps.db, channelId);
    if (!ch) return null;
    const now = clock.now();
    const f: AlertFacts = {
      event: "test",
      reminder: 0,
      raisedAt: now,
      monitor: { id: 0, name: ch.name, code: "test", tags: [], timezone: config.defaultTimezone },
      flip: { id: 0, from: "up", to: "down", reason: "no-ping", at: now, expectedAt: null },
      lastPingAt: null,
      failure: null,
      downSince: null,
      dashboardUrl: config.publicUrl,
    };
    const key = `hb-test-${ch.id}-${now}`;
    const started = Date.now();
    const result = await this.attempt(ch, {
      event: "test",
      idempotencyKey: key,
      incidentKey: key,
      facts: f,
      rendered: this.render(f, ch),
    });
    const durationMs = Date.now() - started;
    this.logger.info(`test alert via ${ch.name} (${ch.type}): ${result.ok ? "sent" : `failed: ${result.error}`}`);
    return result.ok
      ? { ok: true, durationMs }
      : { ok: false, retryable: result.retryable, error: result.error, durationMs };
  }

  /** The outbox by state, for /metrics: every replica reads the same table. */
  private async countDeliveries(): Promise<void> {
    const n = await outbox.countByState(this.deps.db);
    for (const state of DELIVERY_STATES) this.deliveriesByState.set(n.get(state) ?? 0, { state });
  }

  /** Each channel speaks its own language; one that chose none speaks DEFAULT_LOCALE's. */
  private render(f: AlertFacts, ch: ChannelRow) {
    return renderAlert(f, storedLocale(ch.locale) ?? this.deps.config.defaultLocale);
  }

  /** Claims up to a batch of due deliveries: one conditional update, so of two notifiers only one gets a row. */
  private async claim(): Promise<{ token: string; rows: ClaimedDelivery[] }> {
    const token = `${this.broker.nodeID}#${++this.claims}`;
    const rows = await outbox.claimDeliveries(this.deps.db, {
      token,
      now: this.deps.clock.now(),
      leaseMs: this.leaseMs,
      limit: CLAIM_BATCH,
    });
    return { token, rows };
  }

  private async drain(): Promise<void> {
    const { db } = this.deps;
    await this.remind();
    await this.release();
    await this.reports
      .run(this.broker.nodeID, () => this.running, this.logger)
      .catch((err) => this.logger.error("weekly reports failed; will retry:", (err as Error).message));
    // Stopping finishes the batch in hand and leaves the rest to the next notifier.
    while (this.running) {
      const { token, rows } = await this.claim();
      if (!rows.length) return;
      const [channelRows, windows, holds] = await Promise.all([
        outbox.channelsById(
          db,
          rows.map((r) => r.channel_id).filter((c): c is number => c !== null),
        ),
        loadWindows(db),
        holdFacts(db, [...new Set(rows.map((r) => Number(r.monitor_id)))]),
      ]);
      await Promise.all(rows.map((d) => this.deliver(d, token, channelRows, { windows, holds })));
    }
  }

  /** Wakes up when the next active window or snooze ends, so held alerts go out then rather than at the next poll. */
  private wakeAtHoldEnd(windows: MaintenanceWindow[], snoozeEnd: number | null, now: number): void {
    const ends = windows.map((w) => activeUntil(w.rule, now)).filter((e): e is number => e !== null);
    if (snoozeEnd !== null) ends.push(snoozeEnd);
    if (!ends.length || this.windowTimer) return;
    const wait = Math.min(...ends) - now + 50;
    if (wait > this.deps.config.notifierPollMs) return;
    this.windowTimer = setTimeout(() => {
      this.windowTimer = null;
      this.wake();
    }, wait);
  }

  /**
   * Ends the hold of alerts whose monitors nothing holds any more (no window covers them, no
   * snooze, no parent down): a monitor that is down gets the alert of its last down flip (once:
   * the update is conditional on `held`, so of several notifiers one releases each row); every
   * other held alert is suppressed for good.
   */
  private async release(): Promise<void> {
    const { db, clock } = this.deps;
    const held = await outbox.heldDeliveries(db);
    if (!held.length) return;
    const now = clock.now();
    const monitorIds = [...new Set(held.map((h) => Number(h.monitor_id)))];
    const [windows, tags, holds, snoozeEnd] = await Promise.all([
      loadWindows(db),
      tagsOf(db, monitorIds),
      holdFacts(db, monitorIds),
      soonestSnoozeEnd(db, monitorIds, now),
    ]);
    const ended = monitorIds.filter((m) => !holdAt(windows, holds, m, tags.get(m) ?? [], now));
    this.wakeAtHoldEnd(windows, snoozeEnd, now);
    if (!ended.length) return;
    const atEnd = await this.monitorsAtEnd(ended, new Map(held.map((h) => [Number(h.monitor_id), h.status])));
    const release: number[] = [];
    const suppress: number[] = [];
    for (const h of held) {
      const m = atEnd.get(Number(h.monitor_id));
      if (!m) continue;
      const fate = fateOfHeld(
        {
          flipId: Number(h.flip_id),
          round: Number(h.round),
          channelId: h.channel_id === null ? null : Number(h.channel_id),
        },
        m,
      );
      (fate === "release" ? release : suppress).push(Number(h.id));
    }
    const released = await outbox.endHold(db, release, suppress, now);
    if (released) this.logger.info(`hold over: released ${released} held alert(s)`);
  }

  /** For each monitor: its last down and up flips, and which channels heard that down flip. */
  private async monitorsAtEnd(ids: number[], status: Map<number, string>): Promise<Map<number, MonitorAtEnd>> {
    const { db } = this.deps;
    const last = await history.lastDownAndUpFlips(db, ids);
    const out = new Map<number, MonitorAtEnd>(
      ids.map((m) => [
        m,
        { status: status.get(m) ?? "", lastDownFlipId: null, lastUpFlipId: null, toldOfLastDown: new Set<number>() },
      ]),
    );
    for (const r of last) {
      const m = out.get(Number(r.monitor_id))!;
      if (r.to_status === "down") m.lastDownFlipId = Number(r.id);
      else m.lastUpFlipId = Number(r.id);
    }
    const downFlips = [...out.values()].map((m) => m.lastDownFlipId).filter((f): f is number => f !== null);
    if (downFlips.length) {
      const told = await outbox.channelsTold(db, downFlips);
      for (const r of told) (out.get(Number(r.monitor_id))!.toldOfLastDown as Set<number>).add(Number(r.channel_id));
    }
    return out;
  }

  /** A reminder is a delivery row (round n) of the down flip, raised once per period per monitor. */
  private async remind(): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    for (const id of await outbox.dueReminders(db, now, REMINDER_BATCH)) {
      await db.write(async (t) => {
        const m = await outbox.lockReminder(db, id, t);
        // Another notifier raised it first, or the monitor recovered meanwhile.
        if (
          !m ||
          m.status !== "down" ||
          m.next_reminder_at === null ||
          Number(m.next_reminder_at) > now ||
          !m.repeat_every_seconds
        )
          return;
        const flip = await outbox.lastDownFlip(db, id, t);
        const period = Number(m.repeat_every_seconds) * 1000;
        let next = Number(m.next_reminder_at) + period;
        if (next <= now) next = now + period; // after an outage of the notifier: one reminder, not a burst
        const round = Number(m.reminders_sent) + 1;
        await outbox.advanceReminder(db, id, round, next, t);
        if (!flip) return;
        // Reminders go to the channels that heard of the flip itself.
        const wanted = eventOf({ from: flip.from_status, to: flip.to_status, reason: flip.reason });
        const targets = ((await alertTargets(db, [id], t)).get(id) ?? []).filter(
          (c) => wanted && c.events.includes(wanted),
        );
        await outbox.queueReminders(db, { flipId: Number(flip.id), monitorId: id, round, now }, targets, t);
      });
    }
  }

  private async facts(
    flipId: number,
    event: AlertEvent,
    round: number,
    raisedAt: number,
    held: Hold | null = null,
  ): Promise<(AlertFacts & { downFlipId: number }) | null> {
    const { config, db } = this.deps;
    const f = await history.flipWithContext(db, flipId);
    if (!f) return null;
    const monitorId = Number(f.monitor_id);
    const tags = (await tagsOf(db, [monitorId])).get(monitorId) ?? [];
    let downSince: number | null = null;
    let downFlipId = flipId;
    if (f.from_status === "down") {
      const d = await history.downFlipBefore(db, monitorId, flipId);
      if (d) [downSince, downFlipId] = [Number(d.at), Number(d.id)];
    }
    if (event === "reminder") downSince = Number(f.flipped_at);
    // The last ping as of the alert: for a deadline flip, the one before it; for a ping flip, that ping.
    const lastPingAt = await history.lastPingAt(db, monitorId, raisedAt);
    // A slow run's alert says how long it took and the median it was compared with.
    let run: AlertFacts["run"] = null;
    if (f.duration_ms !== null && f.duration_ms !== undefined) {
      let medianMs: number | null = null;
      if (f.reason === "slow")
        medianMs = median(await history.durationsBefore(db, monitorId, Number(f.ping_id), Number(f.slow_window)));
      run = { durationMs: Number(f.duration_ms), medianMs };
    }
    const nullable = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    const rule: AlertFacts["rule"] = {
      minRunSeconds: nullable(f.min_run_seconds),
      minGapSeconds: nullable(f.min_gap_seconds),
      previousRunAt:
        f.reason === "too-often" && f.ping_id !== null
          ? await history.runBefore(db, monitorId, Number(f.ping_id))
          : null,
      failureRate:
        f.failure_rate_runs === null
          ? null
          : { failures: Number(f.failure_rate_failures), runs: Number(f.failure_rate_runs) },
    };
    return {
      event,
      reminder: round,
      run,
      rule,
      raisedAt,
      downFlipId,
      monitor: { id: monitorId, name: String(f.name), code: String(f.code), tags, timezone: String(f.timezone) },
      flip: {
        id: flipId,
        from: f.from_status as Status,
        to: f.to_status as Status,
        reason: f.reason as FlipReason,
        at: Number(f.flipped_at),
        expectedAt: f.expected_at === null ? null : Number(f.expected_at),
      },
      lastPingAt,
      // A failure report's own text, also when it is the failed run that reached the failure rate.
      failure:
        f.reason === "failure" || (f.reason === "failure-rate" && f.ping_id !== null)
          ? {
              data: (f.data as string | null) ?? null,
              exitStatus: f.exit_status === null ? null : Number(f.exit_status),
              truncated: Boolean(Number(f.data_truncated)),
            }
          : null,
      downSince,
      held,
      dashboardUrl: config.publicUrl ? `${config.publicUrl}/monitors/${monitorId}` : null,
    };
  }

  /** The settings a channel sends with: its stored config and secrets, or the environment's for ENV_EMAIL. */
  private settingsOf(ch: ChannelRow): Record<string, unknown> | null {
    const { config, secrets: box } = this.deps;
    if (ch.managed === ENV_EMAIL)
      return config.smtp ? { url: config.smtp.url, from: config.smtp.from, to: config.smtp.to } : null;
    return { ...parse(ch.config), ...parse(box.open(ch.secrets)) };
  }

  /** One attempt through a plugin, cut off at the attempt limit; any throw becomes a classified failure. */
  private async attempt(ch: ChannelRow, alert: Alert): Promise<SendResult> {
    const plugin = this.deps.channels.get(ch.type);
    // Retryable: another notifier (or this one after a restart with NOTIFIER_PLUGINS) may know it.
    if (!plugin)
      return {
        ok: false,
        retryable: true,
        error: `channel type "${ch.type}" is not installed in this notifier (NOTIFIER_PLUGINS)`,
      };
    let settings: Record<string, unknown> | null;
    try {
      settings = this.settingsOf(ch);
    } catch (err) {
      // A notifier with the wrong SECRET_KEY: another one (or this one, fixed) can still send it.
      return { ok: false, retryable: true, error: (err as Error).message };
    }
    if (!settings)
      return { ok: false, retryable: false, error: "SMTP_URL and ALERT_TO are not set in the notifier's environment" };
    const limit = this.attemptLimitMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        plugin.send(alert, settings, this.io),
        new Promise<SendResult>((resolve) => {
          timer = setTimeout(
            () => resolve({ ok: false, retryable: true, error: `no answer within ${limit} ms` }),
            limit,
          );
        }),
      ]);
    } catch (err) {
      const e = err as Error;
      return { ok: false, retryable: e instanceof DeliveryError ? e.retryable : true, error: e.message || String(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async deliver(
    d: ClaimedDelivery,
    token: string,
    channelRows: Map<number, ChannelRow>,
    at: { windows: MaintenanceWindow[]; holds: HoldFacts },
  ): Promise<void> {
    const { config, db, clock } = this.deps;
    const settle = (set: Record<string, unknown>) => outbox.settleDelivery(db, d.id, token, set);
    const ch = d.channel_id === null ? undefined : channelRows.get(Number(d.channel_id));
    const fail = (why: string) => settle({ state: "failed", last_error: why });
    if (!ch) return fail("the channel was deleted");
    if (!Number(ch.enabled)) return fail("the channel is disabled");
    const event = d.event as AlertEvent;
    const created = Number(d.created_at);
    const f = await this.facts(
      Number(d.flip_id),
      event,
      Number(d.round),
      created,
      storedHold(d.hold_kind, d.hold_detail),
    );
    if (!f) return fail("the flip no longer exists");
    // Raised inside a maintenance window of its monitor, while it is snoozed, or while a parent
    // is down: kept until nothing holds it any more (release()).
    const hold = holdAt(at.windows, at.holds, f.monitor.id, f.monitor.tags, created);
    if (hold) {
      const why = holdText(hold);
      await settle({ state: "held", last_error: `held back: ${why}`, hold_kind: hold.kind, hold_detail: hold.detail });
      this.logger.info(`alert held: ${f.monitor.name} ${event} (delivery ${d.id}, ${why})`);
      return;
    }
    const key = `hb-${d.flip_id}-${ch.id}${Number(d.round) ? `-r${d.round}` : ""}`;
    const alert: Alert = {
      event,
      idempotencyKey: key,
      incidentKey: `hb-${f.downFlipId}-${ch.id}`,
      facts: f,
      rendered: this.render(f, ch),
    };
    const result = await this.attempt(ch, alert);
    const now = clock.now();
    const verdict = afterAttempt(result, Number(d.attempts), Number(d.created_at), now, config.deliveryRetry);
    const what = `${f.monitor.name} ${event} via ${ch.name} (${ch.type}, delivery ${d.id})`;
    this.attempts.increment({ outcome: verdict.state === "pending" ? "retry" : verdict.state });
    if (verdict.state === "sent") {
      await settle({ state: "sent", sent_at: now, last_error: null });
      this.logger.info(`alert sent: ${what}`);
      return;
    }
    const error = result.ok ? "" : result.error.slice(0, 2000);
    await settle({
      state: verdict.state,
      last_error: error,
      next_attempt_at: verdict.state === "pending" ? verdict.nextAttemptAt : now,
    });
    this.logger.warn(
      `alert ${what} failed (attempt ${d.attempts}${verdict.state === "failed" ? ", giving up" : ", will retry"}): ${error}`,
    );
  }
}
