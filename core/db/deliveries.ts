// The outbox's rows as the notifier reads and settles them: claiming due deliveries, recording
// an attempt's outcome, the rows held back (maintenance window, snooze, down parent), reminder rounds, the channels
// they go through, and the outbox by state for /metrics. Rows are written by core/db/flips.ts.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { ChannelRow } from "./models.ts";
import type { FlipReason, Status } from "../monitor/monitor-status.ts";
import { claimDue, settleClaimed } from "./claims.ts";
import { DELIVERY_COLUMNS } from "./flips.ts";

/** A delivery row as the notifier claims it. */
export interface ClaimedDelivery {
  id: number;
  flip_id: number;
  monitor_id: number;
  channel_id: number | null;
  channel: string;
  round: number;
  event: string;
  attempts: number;
  created_at: number;
  /** what held it, when it was held and released (core/alerts/holds.ts) */
  hold_kind: string | null;
  hold_detail: string | null;
}

export interface HeldDelivery {
  id: number;
  monitor_id: number;
  flip_id: number;
  round: number;
  channel_id: number | null;
  status: string;
}

// Raw: the claim is one conditional UPDATE on every notifier's poll, the outbox's hot path (core/db/claims.ts).
export function claimDeliveries(
  db: Database,
  claim: { token: string; now: number; leaseMs: number; limit: number },
): Promise<ClaimedDelivery[]> {
  return claimDue<ClaimedDelivery>(
    db,
    "deliveries",
    "id, flip_id, monitor_id, channel_id, channel, round, event, attempts, created_at, hold_kind, hold_detail",
    claim,
  );
}

// Raw: guarded by the claim token, so a row whose lease ran out is left to whoever took it over.
export function settleDelivery(db: Database, id: number, token: string, set: Record<string, unknown>): Promise<void> {
  return settleClaimed(db, "deliveries", id, token, set);
}

/** The number of deliveries in each state. */
export async function countByState(db: Database): Promise<Map<string, number>> {
  const rows = await db.select<{ state: string; n: number }>(
    "SELECT state, COUNT(*) AS n FROM deliveries GROUP BY state",
  );
  return new Map(rows.map((r) => [r.state, Number(r.n)]));
}

/** Every delivery held back (a maintenance window, a snooze, a down parent), with its monitor's status now. */
export function heldDeliveries(db: Database): Promise<HeldDelivery[]> {
  return db.select<HeldDelivery>(
    "SELECT d.id, d.monitor_id, d.flip_id, d.round, d.channel_id, m.status FROM deliveries d JOIN monitors m ON m.id = d.monitor_id WHERE d.state = 'held'",
  );
}

/**
 * Ends the hold of the given rows: `release` are sent afresh from now, `suppress` never. Each
 * update is conditional on `held`, so of several notifiers one settles each row. Returns how many
 * rows this call released.
 */
export function endHold(db: Database, release: number[], suppress: number[], now: number): Promise<number> {
  return db.write(async (t) => {
    const n = release.length
      ? await db.change(
          "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = :now, created_at = :now, last_error = NULL WHERE id IN (:ids) AND state = 'held'",
          { now, ids: release },
          t,
        )
      : 0;
    if (suppress.length) {
      await db.change(
        "UPDATE deliveries SET state = 'suppressed', last_error = 'held back, then superseded: the monitor changed while it was held' WHERE id IN (:ids) AND state = 'held'",
        { ids: suppress },
        t,
      );
    }
    return n;
  });
}

/** Which channels heard each of the given down flips (their first round, not held or suppressed). */
export function channelsTold(
  db: Database,
  downFlipIds: number[],
): Promise<{ monitor_id: number; channel_id: number }[]> {
  return db.select<{ monitor_id: number; channel_id: number }>(
    "SELECT monitor_id, channel_id FROM deliveries WHERE flip_id IN (?) AND round = 0 AND channel_id IS NOT NULL AND state NOT IN ('held', 'suppressed')",
    [downFlipIds],
  );
}

/** The channel rows of the given ids, by id. */
export async function channelsById(db: Database, ids: number[]): Promise<Map<number, ChannelRow>> {
  if (!ids.length) return new Map();
  const rows = await db.select<ChannelRow>("SELECT * FROM channels WHERE id IN (?)", [[...new Set(ids)]]);
  return new Map(rows.map((r) => [Number(r.id), r]));
}

/** One channel row, or undefined. */
export async function channelById(db: Database, id: number): Promise<ChannelRow | undefined> {
  const [ch] = await db.select<ChannelRow>("SELECT * FROM channels WHERE id = ?", [id]);
  return ch;
}

/** How many channels are enabled. */
export async function enabledChannelCount(db: Database): Promise<number> {
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM channels WHERE enabled = ?", [true]);
  return Number(n);
}

// Reminders: a down monitor with repeat_every_seconds has next_reminder_at; each round is a
// delivery row of its last down flip.

/** Ids of down monitors whose next reminder is due, the earliest first. */
export async function dueReminders(db: Database, now: number, limit: number): Promise<number[]> {
  const due = await db.select<{ id: number }>(
    `SELECT id FROM monitors WHERE next_reminder_at <= ? AND status = 'down' ORDER BY next_reminder_at LIMIT ${limit}`,
    [now],
  );
  return due.map((r) => Number(r.id));
}

/** The monitor's reminder state, its row locked (MariaDB) for the rest of the transaction. */
export async function lockReminder(
  db: Database,
  monitorId: number,
  t: Transaction,
): Promise<
  | { status: string; next_reminder_at: number | null; reminders_sent: number; repeat_every_seconds: number | null }
  | undefined
> {
  const [m] = await db.select<{
    status: string;
    next_reminder_at: number | null;
    reminders_sent: number;
    repeat_every_seconds: number | null;
  }>(
    `SELECT status, next_reminder_at, reminders_sent, repeat_every_seconds FROM monitors WHERE id = ?${db.forUpdate}`,
    [monitorId],
    t,
  );
  return m;
}

/** The monitor's latest flip to down, or undefined. */
export async function lastDownFlip(
  db: Database,
  monitorId: number,
  t: Transaction,
): Promise<{ id: number; from_status: Status; to_status: Status; reason: FlipReason } | undefined> {
  const [flip] = await db.select<{ id: number; from_status: Status; to_status: Status; reason: FlipReason }>(
    "SELECT id, from_status, to_status, reason FROM flips WHERE monitor_id = ? AND to_status = 'down' ORDER BY id DESC LIMIT 1",
    [monitorId],
    t,
  );
  return flip;
}

/** Counts a reminder round and moves the next one on. */
export async function advanceReminder(
  db: Database,
  monitorId: number,
  round: number,
  next: number,
  t: Transaction,
): Promise<void> {
  await db.change(
    "UPDATE monitors SET reminders_sent = ?, next_reminder_at = ? WHERE id = ?",
    [round, next, monitorId],
    t,
  );
}

/** Queues reminder round `round` of a down flip for the given channels. */
export async function queueReminders(
  db: Database,
  r: { flipId: number; monitorId: number; round: number; now: number },
  channels: { channelId: number; type: string }[],
  t: Transaction,
): Promise<void> {
  await db.insertRows(
    "deliveries",
    DELIVERY_COLUMNS,
    channels.map((c) => [r.flipId, r.monitorId, c.channelId, c.type, r.round, "reminder", "pending", 0, r.now, r.now]),
    t,
  );
}
