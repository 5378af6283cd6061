// notifier: delivers the outbox. Every alerted flip left one delivery row per channel in the
// flip's own transaction; this service claims due rows with a lease, sends them through the
// channel plugins, and records the outcome — retrying with backoff, resuming after a restart.

import type { Context, Logger, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { renderAlert, type AlertFacts } from "../core/alert.ts";
import type { FlipReason, Status } from "../core/monitor-status.ts";
import { retryDelayMs } from "../core/delivery.ts";
import { createEmailChannel } from "../plugins/email.ts";
import { tagsOf } from "../core/db/tags.ts";
import type { Channel } from "../plugins/channel.ts";

/** How long a claimed delivery is ours before another notifier may take it over. */
const LEASE_MS = 120_000;
const CLAIM_BATCH = 50;

interface DueRow {
  id: number;
  flip_id: number;
  channel: string;
  attempts: number;
}

export default function notifierService({ config, db, clock }: ServiceDeps): ServiceSchema {
  const channels = new Map<string, Channel>();
  if (config.smtp) channels.set("email", createEmailChannel(config.smtp));
  let logger: Logger;
  let poll: NodeJS.Timeout | null = null;
  let draining: Promise<void> | null = null;
  let again = false;
  let running = false;

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

  async function claim(): Promise<DueRow[]> {
    const now = clock.now();
    const due = `((state = 'pending' AND next_attempt_at <= :now) OR (state = 'sending' AND lease_until < :now))`;
    const rows = await db.select<DueRow>(`SELECT id, flip_id, channel, attempts FROM deliveries WHERE ${due} ORDER BY id LIMIT ${CLAIM_BATCH}`, { now });
    const mine: DueRow[] = [];
    for (const r of rows) {
      // Conditional claim: of two notifiers reading the same row, one update matches.
      const n = await db.change(
        `UPDATE deliveries SET state = 'sending', lease_until = :lease, attempts = attempts + 1 WHERE id = :id AND ${due}`,
        { now, lease: now + LEASE_MS, id: r.id },
      );
      if (n === 1) mine.push({ ...r, attempts: Number(r.attempts) + 1 });
    }
    return mine;
  }

  async function drain(): Promise<void> {
    for (;;) {
      const batch = await claim();
      if (!batch.length) return;
      await Promise.all(batch.map(deliver));
    }
  }

  async function facts(flipId: number): Promise<AlertFacts | null> {
    const [f] = await db.select<Record<string, unknown>>(
      `SELECT f.*, m.name, m.code, m.timezone, p.data, p.exit_status, p.data_truncated
         FROM flips f JOIN monitors m ON m.id = f.monitor_id LEFT JOIN pings p ON p.id = f.ping_id WHERE f.id = ?`,
      [flipId],
    );
    if (!f) return null;
    const monitorId = Number(f.monitor_id);
    const tags = (await tagsOf(db, [monitorId])).get(monitorId) ?? [];
    let downSince: number | null = null;
    if (f.from_status === "down") {
      const [d] = await db.select<{ at: number }>(
        "SELECT flipped_at AS at FROM flips WHERE monitor_id = ? AND id < ? AND to_status = 'down' ORDER BY id DESC LIMIT 1",
        [monitorId, flipId],
      );
      downSince = d ? Number(d.at) : null;
    }
    // The last ping as of the flip: for a deadline flip, the one before it; for a ping flip, that ping.
    const [last] = await db.select<{ at: number }>(
      "SELECT MAX(received_at) AS at FROM pings WHERE monitor_id = ? AND received_at <= ? AND kind <> 'log' AND kind <> 'start'",
      [monitorId, Number(f.flipped_at)],
    );
    return {
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

  async function settle(id: number, set: Record<string, unknown>): Promise<void> {
    const cols = Object.keys(set);
    await db.change(`UPDATE deliveries SET ${cols.map((c) => `${c} = :${c}`).join(", ")} WHERE id = :id`, { ...set, id });
  }

  async function deliver(d: DueRow): Promise<void> {
    const channel = channels.get(d.channel);
    if (!channel) {
      await settle(d.id, { state: "failed", lease_until: null, last_error: `channel "${d.channel}" is not configured` });
      return;
    }
    const f = await facts(Number(d.flip_id));
    if (!f) {
      await settle(d.id, { state: "failed", lease_until: null, last_error: "the flip no longer exists" });
      return;
    }
    const result = await channel.send({ ...renderAlert(f), facts: f, idempotencyKey: `flip-${d.flip_id}-${d.channel}` });
    const now = clock.now();
    if (result.ok) {
      await settle(d.id, { state: "sent", lease_until: null, sent_at: now, last_error: null });
      logger.info(`alert sent: ${f.monitor.name} ${f.flip.from}→${f.flip.to} via ${d.channel} (flip ${d.flip_id})`);
      return;
    }
    const giveUp = !result.retryable || d.attempts >= config.deliveryMaxAttempts;
    await settle(d.id, {
      state: giveUp ? "failed" : "pending",
      lease_until: null,
      last_error: result.error.slice(0, 2000),
      next_attempt_at: giveUp ? now : now + retryDelayMs(d.attempts),
    });
    logger.warn(`alert via ${d.channel} failed (attempt ${d.attempts}${giveUp ? ", giving up" : ", will retry"}): ${result.error}`);
  }

  return {
    name: "notifier",

    events: {
      "flip.recorded": {
        handler(ctx: Context<{ alerted: boolean }>) {
          if (ctx.params.alerted) wake();
        },
      },
    },

    created() {
      logger = this.logger;
    },

    async started() {
      running = true;
      if (!channels.size) logger.warn("no alert channel is configured (set SMTP_URL and ALERT_TO): flips are recorded but nobody is told");
      // The poll picks up retries that came due and anything an event did not announce.
      poll = setInterval(wake, config.notifierPollMs);
      wake();
    },

    async stopped() {
      running = false;
      if (poll) clearInterval(poll);
      if (draining) await draining;
      for (const c of channels.values()) c.close?.();
    },
  };
}
