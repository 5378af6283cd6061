// Storing a flip: the flip row and, in the same transaction, one delivery row per channel that
// wants to hear of it. The durable outbox starts here: a flip that committed has its
// notifications queued, whoever crashes next. A flip to down also arms the monitor's reminders.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { FlipFacts } from "../monitor/monitor-status.ts";
import { eventOf } from "../alerts/alert.ts";
import { alertTargets } from "./channels.ts";

export interface StoredFlip {
  id: number;
  monitorId: number;
  from: string;
  to: string;
  reason: string;
  at: number;
  /** at least one delivery was queued for it */
  alerted: boolean;
}

export interface FlipToRecord {
  monitorId: number;
  facts: FlipFacts;
  at: number;
  pingId: number | null;
}

const DELIVERY_COLUMNS = [
  "flip_id",
  "monitor_id",
  "channel_id",
  "channel",
  "round",
  "event",
  "state",
  "attempts",
  "next_attempt_at",
  "created_at",
];

/**
 * Stores flips with their delivery rows; the monitors' rows must already be locked by the
 * caller. A constant number of statements however many flips there are.
 */
export async function recordFlips(db: Database, t: Transaction, flips: readonly FlipToRecord[]): Promise<StoredFlip[]> {
  if (!flips.length) return [];
  const ids = await db.insertRows(
    "flips",
    ["monitor_id", "from_status", "to_status", "reason", "flipped_at", "expected_at", "ping_id"],
    flips.map((f) => [f.monitorId, f.facts.from, f.facts.to, f.facts.reason, f.at, f.facts.expectedAt, f.pingId]),
    t,
  );
  const alertedMonitors = flips.filter((f) => eventOf(f.facts)).map((f) => f.monitorId);
  const targets = await alertTargets(db, alertedMonitors, t);
  const deliveries: unknown[][] = [];
  const stored = flips.map((f, i): StoredFlip => {
    const id = ids[i]!;
    const event = eventOf(f.facts);
    let alerted = false;
    if (event) {
      for (const c of targets.get(f.monitorId) ?? []) {
        if (!c.events.includes(event)) continue;
        deliveries.push([id, f.monitorId, c.channelId, c.type, 0, event, "pending", 0, f.at, f.at]);
        alerted = true;
      }
    }
    return {
      id,
      monitorId: f.monitorId,
      from: f.facts.from,
      to: f.facts.to,
      reason: f.facts.reason,
      at: f.at,
      alerted,
    };
  });
  await db.insertRows("deliveries", DELIVERY_COLUMNS, deliveries, t);
  await armReminders(db, t, flips);
  return stored;
}

/** Down flips start the reminder clock (for monitors that want reminders); any other flip stops it. */
async function armReminders(db: Database, t: Transaction, flips: readonly FlipToRecord[]): Promise<void> {
  // A report that changes no status (a slow run) leaves the reminders as they are.
  const changes = flips.filter((f) => f.facts.from !== f.facts.to);
  const down = changes.filter((f) => f.facts.to === "down");
  const other = changes.filter((f) => f.facts.to !== "down").map((f) => f.monitorId);
  if (down.length) {
    const cases = down.map(() => "WHEN ? THEN ?").join(" ");
    await db.change(
      `UPDATE monitors SET reminders_sent = 0,
         next_reminder_at = CASE WHEN repeat_every_seconds IS NULL THEN NULL ELSE (CASE id ${cases} END) + repeat_every_seconds * 1000 END
       WHERE id IN (?)`,
      [...down.flatMap((f) => [f.monitorId, f.at]), down.map((f) => f.monitorId)],
      t,
    );
  }
  if (other.length)
    await db.change(
      "UPDATE monitors SET next_reminder_at = NULL WHERE id IN (?) AND next_reminder_at IS NOT NULL",
      [other],
      t,
    );
}

export async function recordFlip(
  db: Database,
  t: Transaction,
  monitorId: number,
  facts: FlipFacts,
  at: number,
  pingId: number | null,
): Promise<StoredFlip> {
  const [stored] = await recordFlips(db, t, [{ monitorId, facts, at, pingId }]);
  return stored!;
}

export { DELIVERY_COLUMNS };
