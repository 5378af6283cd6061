// notifier: delivers the outbox. Every alerted flip left one delivery row per channel in the
// flip's own transaction; this service claims due rows with a lease, sends them through the
// channel plugins, and records the outcome — retrying with backoff, resuming after a restart.
// It also raises reminders for monitors that stay down, as delivery rows of their own.

import type { Context, Logger, ServiceBroker, ServiceSchema } from "moleculer";
import { Errors } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { renderAlert, eventOf, type AlertEvent, type AlertFacts } from "../../core/alerts/alert.ts";
import type { FlipReason, Status } from "../../core/monitor/monitor-status.ts";
import { afterAttempt, DELIVERY_STATES } from "../../core/alerts/delivery.ts";
import { tagsOf } from "../../core/db/tags.ts";
import { alertTargets, ENV_EMAIL } from "../../core/db/channels.ts";
import { DELIVERY_COLUMNS } from "../../core/db/flips.ts";
import { claimDue, settleClaimed } from "../../core/db/claims.ts";
import type { ChannelRow } from "../../core/db/models.ts";
import { storedLocale } from "../../core/alerts/locale.ts";
import { DeliveryError, type Alert, type ChannelIO, type SendResult } from "../../plugins/channel.ts";
import { createHttpIO } from "../../plugins/http.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";
import { activeUntil, activeWindowsFor, fateOfHeld, type MaintenanceWindow, type MonitorAtEnd } from "../../core/schedule/maintenance.ts";
import { loadWindows } from "../../core/db/maintenance.ts";
import { median } from "../../core/monitor/run-limits.ts";
import { weeklyReports } from "./weekly-reports.ts";

const CLAIM_BATCH = 50;
const REMINDER_BATCH = 100;

interface Claimed {
  id: number;
  flip_id: number;
  channel_id: number | null;
  channel: string;
  round: number;
  event: string;
  attempts: number;
  created_at: number;
}

const parse = (json: string): Record<string, unknown> => {
  const v = JSON.parse(json || "{}");
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
};

export default function notifierService(deps: ServiceDeps): ServiceSchema {
  const { config, db, clock, channels: catalog, secrets: box } = deps;
  const io: ChannelIO = createHttpIO({ timeoutMs: config.channelTimeoutMs, allowPrivate: config.allowPrivateWebhooks });
  /** Each channel speaks its own language; one that chose none speaks DEFAULT_LOCALE's. */
  const render = (f: AlertFacts, ch: ChannelRow) => renderAlert(f, storedLocale(ch.locale) ?? config.defaultLocale);
  // A claimed row is ours until the lease ends; an attempt is cut off well before that, so a
  // live notifier never has its row taken over mid-send. A dead one's rows come back after it.
  const attemptLimitMs = config.channelTimeoutMs + 1_000;
  const leaseMs = 2 * attemptLimitMs + 5_000;
  const reports = weeklyReports(deps, io, leaseMs);
  let logger: Logger;
  let broker: ServiceBroker;
  let poll: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;
  let again = false;
  let running = false;
  let claims = 0;
  let attempts: Metric, deliveriesByState: Metric;
  let gauges: NodeJS.Timeout | null = null;

  /** The outbox by state, for /metrics: every replica reads the same table. */
  async function countDeliveries(): Promise<void> {
    const rows = await db.select<{ state: string; n: number }>("SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state");
    const n = new Map(rows.map((r) => [r.state, Number(r.n)]));
    for (const state of DELIVERY_STATES) deliveriesByState.set(n.get(state) ?? 0, { state });
  }

  function wake(): void {
    if (!running) return;
    if (draining) {
      again = true;
      return;
    }
    draining = drain()
      .catch((err) => logger.error("delivering alerts failed; will retry:", (err as Error).message))
      .finally(() => {
        draining = null;
        if (again) {
          again = false;
          wake();
        }
      });
  }

  /** Claims up to a batch of due deliveries: one conditional UPDATE, so of two notifiers only one gets a row. */
  async function claim(): Promise<{ token: string; rows: Claimed[] }> {
    const token = `${broker.nodeID}#${++claims}`;
    const rows = await claimDue<Claimed>(db, "deliveries", "id, flip_id, channel_id, channel, round, event, attempts, created_at", { token, now: clock.now(), leaseMs, limit: CLAIM_BATCH });
    return { token, rows };
  }

  async function drain(): Promise<void> {
    await remind();
    await release();
    await reports(broker.nodeID, () => running, logger).catch((err) => logger.error("weekly reports failed; will retry:", (err as Error).message));
    // Stopping finishes the batch in hand and leaves the rest to the next notifier.
    while (running) {
      const { token, rows } = await claim();
      if (!rows.length) return;
      const [channelRows, windows] = await Promise.all([
        loadChannels(rows.map((r) => r.channel_id).filter((c): c is number => c !== null)),
        loadWindows(db),
      ]);
      await Promise.all(rows.map((d) => deliver(d, token, channelRows, windows)));
    }
  }

  let windowTimer: NodeJS.Timeout | null = null;
  /** Wakes up when the next active window ends, so held alerts go out then rather than at the next poll. */
  function wakeAtWindowEnd(windows: MaintenanceWindow[], now: number): void {
    const ends = windows.map((w) => activeUntil(w.rule, now)).filter((e): e is number => e !== null);
    if (!ends.length || windowTimer) return;
    const wait = Math.min(...ends) - now + 50;
    if (wait > config.notifierPollMs) return;
    windowTimer = setTimeout(() => {
      windowTimer = null;
      wake();
    }, wait);
  }

  /**
   * Ends the hold of alerts whose monitors no window covers any more: a monitor that is down
   * gets the alert of its last down flip (once: the update is conditional on `held`, so of
   * several notifiers one releases each row); every other held alert is suppressed for good.
   */
  async function release(): Promise<void> {
    const held = await db.select<{ id: number; monitor_id: number; flip_id: number; round: number; channel_id: number | null; status: string }>(
      "SELECT d.id, d.monitor_id, d.flip_id, d.round, d.channel_id, m.status FROM deliveries d JOIN monitors m ON m.id = d.monitor_id WHERE d.state = 'held'",
    );
    if (!held.length) return;
    const now = clock.now();
    const monitorIds = [...new Set(held.map((h) => Number(h.monitor_id)))];
    const [windows, tags] = await Promise.all([loadWindows(db), tagsOf(db, monitorIds)]);
    const ended = monitorIds.filter((m) => !activeWindowsFor(windows, m, tags.get(m) ?? [], now).length);
    wakeAtWindowEnd(windows, now);
    if (!ended.length) return;
    const atEnd = await monitorsAtEnd(ended, new Map(held.map((h) => [Number(h.monitor_id), h.status])));
    const release: number[] = [];
    const suppress: number[] = [];
    for (const h of held) {
      const m = atEnd.get(Number(h.monitor_id));
      if (!m) continue;
      const fate = fateOfHeld({ flipId: Number(h.flip_id), round: Number(h.round), channelId: h.channel_id === null ? null : Number(h.channel_id) }, m);
      (fate === "release" ? release : suppress).push(Number(h.id));
    }
    const released = await db.write(async (t) => {
      const n = release.length
        ? await db.change("UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = :now, created_at = :now, last_error = NULL WHERE id IN (:ids) AND state = 'held'", { now, ids: release }, t)
        : 0;
      if (suppress.length) {
        await db.change("UPDATE deliveries SET state = 'suppressed', last_error = 'held back by a maintenance window' WHERE id IN (:ids) AND state = 'held'", { ids: suppress }, t);
      }
      return n;
    });
    if (released) logger.info(`maintenance over: released ${released} held alert(s)`);
  }

  /** For each monitor: its last down and up flips, and which channels heard that down flip. */
  async function monitorsAtEnd(ids: number[], status: Map<number, string>): Promise<Map<number, MonitorAtEnd>> {
    const last = await db.select<{ monitor_id: number; to_status: string; id: number }>(
      "SELECT monitor_id, to_status, MAX(id) AS id FROM flips WHERE monitor_id IN (?) AND to_status IN ('down', 'up') GROUP BY monitor_id, to_status",
      [ids],
    );
    const out = new Map<number, MonitorAtEnd>(ids.map((m) => [m, { status: status.get(m) ?? "", lastDownFlipId: null, lastUpFlipId: null, toldOfLastDown: new Set<number>() }]));
    for (const r of last) {
      const m = out.get(Number(r.monitor_id))!;
      if (r.to_status === "down") m.lastDownFlipId = Number(r.id);
      else m.lastUpFlipId = Number(r.id);
    }
    const downFlips = [...out.values()].map((m) => m.lastDownFlipId).filter((f): f is number => f !== null);
    if (downFlips.length) {
      const told = await db.select<{ monitor_id: number; channel_id: number }>(
        "SELECT monitor_id, channel_id FROM deliveries WHERE flip_id IN (?) AND round = 0 AND channel_id IS NOT NULL AND state NOT IN ('held', 'suppressed')",
        [downFlips],
      );
      for (const r of told) (out.get(Number(r.monitor_id))!.toldOfLastDown as Set<number>).add(Number(r.channel_id));
    }
    return out;
  }

  async function loadChannels(ids: number[]): Promise<Map<number, ChannelRow>> {
    if (!ids.length) return new Map();
    const rows = await db.select<ChannelRow>("SELECT * FROM channels WHERE id IN (?)", [[...new Set(ids)]]);
    return new Map(rows.map((r) => [Number(r.id), r]));
  }

  /** A reminder is a delivery row (round n) of the down flip, raised once per period per monitor. */
  async function remind(): Promise<void> {
    const now = clock.now();
    const due = await db.select<{ id: number }>(
      `SELECT id FROM monitors WHERE next_reminder_at <= ? AND status = 'down' ORDER BY next_reminder_at LIMIT ${REMINDER_BATCH}`,
      [now],
    );
    for (const { id } of due) {
      await db.write(async (t) => {
        const [m] = await db.select<{ status: string; next_reminder_at: number | null; reminders_sent: number; repeat_every_seconds: number | null }>(
          `SELECT status, next_reminder_at, reminders_sent, repeat_every_seconds FROM monitors WHERE id = ?${db.forUpdate}`,
          [id],
          t,
        );
        // Another notifier raised it first, or the monitor recovered meanwhile.
        if (!m || m.status !== "down" || m.next_reminder_at === null || Number(m.next_reminder_at) > now || !m.repeat_every_seconds) return;
        const [flip] = await db.select<{ id: number; from_status: Status; to_status: Status; reason: FlipReason }>(
          "SELECT id, from_status, to_status, reason FROM flips WHERE monitor_id = ? AND to_status = 'down' ORDER BY id DESC LIMIT 1",
          [id],
          t,
        );
        const period = Number(m.repeat_every_seconds) * 1000;
        let next = Number(m.next_reminder_at) + period;
        if (next <= now) next = now + period; // after an outage of the notifier: one reminder, not a burst
        const round = Number(m.reminders_sent) + 1;
        await db.change("UPDATE monitors SET reminders_sent = ?, next_reminder_at = ? WHERE id = ?", [round, next, id], t);
        if (!flip) return;
        // Reminders go to the channels that heard of the flip itself.
        const wanted = eventOf({ from: flip.from_status, to: flip.to_status, reason: flip.reason });
        const targets = ((await alertTargets(db, [Number(id)], t)).get(Number(id)) ?? []).filter((c) => wanted && c.events.includes(wanted));
        await db.insertRows(
          "deliveries",
          DELIVERY_COLUMNS,
          targets.map((c) => [Number(flip.id), Number(id), c.channelId, c.type, round, "reminder", "pending", 0, now, now]),
          t,
        );
      });
    }
  }

  async function facts(flipId: number, event: AlertEvent, round: number, raisedAt: number): Promise<(AlertFacts & { downFlipId: number }) | null> {
    const [f] = await db.select<Record<string, unknown>>(
      `SELECT f.*, m.name, m.code, m.timezone, m.slow_window, p.data, p.exit_status, p.data_truncated, p.duration_ms
         FROM flips f JOIN monitors m ON m.id = f.monitor_id LEFT JOIN pings p ON p.id = f.ping_id WHERE f.id = ?`,
      [flipId],
    );
    if (!f) return null;
    const monitorId = Number(f.monitor_id);
    const tags = (await tagsOf(db, [monitorId])).get(monitorId) ?? [];
    let downSince: number | null = null;
    let downFlipId = flipId;
    if (f.from_status === "down") {
      const [d] = await db.select<{ id: number; at: number }>(
        "SELECT id, flipped_at AS at FROM flips WHERE monitor_id = ? AND id < ? AND to_status = 'down' ORDER BY id DESC LIMIT 1",
        [monitorId, flipId],
      );
      if (d) [downSince, downFlipId] = [Number(d.at), Number(d.id)];
    }
    if (event === "reminder") downSince = Number(f.flipped_at);
    // The last ping as of the alert: for a deadline flip, the one before it; for a ping flip, that ping.
    const [last] = await db.select<{ at: number }>(
      "SELECT MAX(received_at) AS at FROM pings WHERE monitor_id = ? AND received_at <= ? AND kind <> 'log' AND kind <> 'start'",
      [monitorId, raisedAt],
    );
    // A slow run's alert says how long it took and the median it was compared with.
    let run: AlertFacts["run"] = null;
    if (f.duration_ms !== null && f.duration_ms !== undefined) {
      let medianMs: number | null = null;
      if (f.reason === "slow") {
        const before = await db.select<{ d: number }>(
          "SELECT duration_ms AS d FROM pings WHERE monitor_id = ? AND id < ? AND kind = 'success' AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?",
          [monitorId, Number(f.ping_id), Number(f.slow_window)],
        );
        medianMs = median(before.map((r) => Number(r.d)));
      }
      run = { durationMs: Number(f.duration_ms), medianMs };
    }
    return {
      event,
      reminder: round,
      run,
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
      lastPingAt: last?.at === null || last?.at === undefined ? null : Number(last.at),
      failure:
        f.reason === "failure"
          ? { data: (f.data as string | null) ?? null, exitStatus: f.exit_status === null ? null : Number(f.exit_status), truncated: Boolean(Number(f.data_truncated)) }
          : null,
      downSince,
      dashboardUrl: config.publicUrl ? `${config.publicUrl}/monitors/${monitorId}` : null,
    };
  }

  /** The settings a channel sends with: its stored config and secrets, or the environment's for ENV_EMAIL. */
  function settingsOf(ch: ChannelRow): Record<string, unknown> | null {
    if (ch.managed === ENV_EMAIL) return config.smtp ? { url: config.smtp.url, from: config.smtp.from, to: config.smtp.to } : null;
    return { ...parse(ch.config), ...parse(box.open(ch.secrets)) };
  }

  /** One attempt through a plugin, cut off at the attempt limit; any throw becomes a classified failure. */
  async function attempt(ch: ChannelRow, alert: Alert): Promise<SendResult> {
    const plugin = catalog.get(ch.type);
    // Retryable: another notifier (or this one after a restart with NOTIFIER_PLUGINS) may know it.
    if (!plugin) return { ok: false, retryable: true, error: `channel type "${ch.type}" is not installed in this notifier (NOTIFIER_PLUGINS)` };
    let settings: Record<string, unknown> | null;
    try {
      settings = settingsOf(ch);
    } catch (err) {
      // A notifier with the wrong SECRET_KEY: another one (or this one, fixed) can still send it.
      return { ok: false, retryable: true, error: (err as Error).message };
    }
    if (!settings) return { ok: false, retryable: false, error: "SMTP_URL and ALERT_TO are not set in the notifier's environment" };
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        plugin.send(alert, settings, io),
        new Promise<SendResult>((resolve) => {
          timer = setTimeout(() => resolve({ ok: false, retryable: true, error: `no answer within ${attemptLimitMs} ms` }), attemptLimitMs);
        }),
      ]);
    } catch (err) {
      const e = err as Error;
      return { ok: false, retryable: e instanceof DeliveryError ? e.retryable : true, error: e.message || String(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  function settle(d: Claimed, token: string, set: Record<string, unknown>): Promise<void> {
    return settleClaimed(db, "deliveries", d.id, token, set);
  }

  async function deliver(d: Claimed, token: string, channelRows: Map<number, ChannelRow>, windows: MaintenanceWindow[]): Promise<void> {
    const ch = d.channel_id === null ? undefined : channelRows.get(Number(d.channel_id));
    const fail = (why: string) => settle(d, token, { state: "failed", last_error: why });
    if (!ch) return fail("the channel was deleted");
    if (!Number(ch.enabled)) return fail("the channel is disabled");
    const event = d.event as AlertEvent;
    const f = await facts(Number(d.flip_id), event, Number(d.round), Number(d.created_at));
    if (!f) return fail("the flip no longer exists");
    // Raised inside a maintenance window of its monitor: kept until the window ends (release()).
    const holding = activeWindowsFor(windows, f.monitor.id, f.monitor.tags, Number(d.created_at));
    if (holding.length) {
      await settle(d, token, { state: "held", last_error: `held back by maintenance window ${holding.join(", ")}` });
      logger.info(`alert held: ${f.monitor.name} ${event} (delivery ${d.id}, maintenance window ${holding.join(", ")})`);
      return;
    }
    const key = `hb-${d.flip_id}-${ch.id}${Number(d.round) ? `-r${d.round}` : ""}`;
    const alert: Alert = { event, idempotencyKey: key, incidentKey: `hb-${f.downFlipId}-${ch.id}`, facts: f, rendered: render(f, ch) };
    const result = await attempt(ch, alert);
    const now = clock.now();
    const verdict = afterAttempt(result, Number(d.attempts), Number(d.created_at), now, config.deliveryRetry);
    const what = `${f.monitor.name} ${event} via ${ch.name} (${ch.type}, delivery ${d.id})`;
    attempts.increment({ outcome: verdict.state === "pending" ? "retry" : verdict.state });
    if (verdict.state === "sent") {
      await settle(d, token, { state: "sent", sent_at: now, last_error: null });
      logger.info(`alert sent: ${what}`);
      return;
    }
    const error = result.ok ? "" : result.error.slice(0, 2000);
    await settle(d, token, { state: verdict.state, last_error: error, next_attempt_at: verdict.state === "pending" ? verdict.nextAttemptAt : now });
    logger.warn(`alert ${what} failed (attempt ${d.attempts}${verdict.state === "failed" ? ", giving up" : ", will retry"}): ${error}`);
  }

  return {
    name: "notifier",

    actions: {
      /** Sends a test alert through one channel now and reports what its target answered. */
      test: {
        params: { id: { type: "number", convert: true, integer: true, positive: true } },
        async handler(ctx: Context<{ id: number }>) {
          const [ch] = await db.select<ChannelRow>("SELECT * FROM channels WHERE id = ?", [ctx.params.id]);
          if (!ch) throw new Errors.MoleculerClientError("channel not found", 404, "NOT_FOUND", { field: "id" });
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
          const result = await attempt(ch, { event: "test", idempotencyKey: key, incidentKey: key, facts: f, rendered: render(f, ch) });
          const durationMs = Date.now() - started;
          logger.info(`test alert via ${ch.name} (${ch.type}): ${result.ok ? "sent" : `failed: ${result.error}`}`);
          return result.ok ? { ok: true, durationMs } : { ok: false, retryable: result.retryable, error: result.error, durationMs };
        },
      },
    },

    events: {
      "flip.recorded": {
        handler(ctx: Context<{ alerted: boolean }>) {
          if (ctx.params.alerted) wake();
        },
      },
    },

    created() {
      logger = this.logger;
      broker = this.broker;
      attempts = metric(broker, METRICS.deliveryAttempts);
      deliveriesByState = metric(broker, METRICS.deliveries);
    },

    async started() {
      running = true;
      const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM channels WHERE enabled = ?", [true]);
      if (!Number(n)) logger.warn("no alert channel is configured (create one at /api/v1/channels, or set SMTP_URL and ALERT_TO): flips are recorded but nobody is told");
      // The poll picks up retries and reminders that came due, and anything an event did not announce.
      poll = setInterval(wake, config.notifierPollMs);
      wake();
      if (broker.isMetricsEnabled()) {
        gauges = setInterval(() => countDeliveries().catch((err) => logger.warn("counting deliveries failed:", (err as Error).message)), 15_000);
        void countDeliveries().catch(() => {});
      }
    },

    async stopped() {
      running = false;
      if (poll) clearInterval(poll);
      if (gauges) clearInterval(gauges);
      if (windowTimer) clearTimeout(windowTimer);
      if (draining) await draining;
      await catalog.close();
    },
  };
}
