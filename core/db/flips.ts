// Storing a flip: the flip row and, in the same transaction, one delivery row per channel
// for the flips people hear about. The durable outbox starts here: a flip that committed
// has its notifications queued, whoever crashes next.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { isAlerted, type FlipFacts } from "../monitor-status.ts";

export interface StoredFlip {
  id: number;
  monitorId: number;
  from: string;
  to: string;
  reason: string;
  at: number;
  alerted: boolean;
}

export interface FlipToRecord {
  monitorId: number;
  facts: FlipFacts;
  at: number;
  pingId: number | null;
}

/** Stores flips (and their delivery rows) with one INSERT per table, however many there are. */
export async function recordFlips(db: Database, t: Transaction, flips: readonly FlipToRecord[], channels: readonly string[]): Promise<StoredFlip[]> {
  const ids = await db.insertRows(
    "flips",
    ["monitor_id", "from_status", "to_status", "reason", "flipped_at", "expected_at", "ping_id"],
    flips.map((f) => [f.monitorId, f.facts.from, f.facts.to, f.facts.reason, f.at, f.facts.expectedAt, f.pingId]),
    t,
  );
  const stored = flips.map((f, i): StoredFlip => ({
    id: ids[i]!,
    monitorId: f.monitorId,
    from: f.facts.from,
    to: f.facts.to,
    reason: f.facts.reason,
    at: f.at,
    alerted: isAlerted(f.facts) && channels.length > 0,
  }));
  const deliveries = stored.filter((f) => f.alerted).flatMap((f) => channels.map((c) => [f.id, f.monitorId, c, "pending", 0, f.at, f.at]));
  await db.insertRows("deliveries", ["flip_id", "monitor_id", "channel", "state", "attempts", "next_attempt_at", "created_at"], deliveries, t);
  return stored;
}

export async function recordFlip(
  db: Database,
  t: Transaction,
  monitorId: number,
  facts: FlipFacts,
  at: number,
  pingId: number | null,
  channels: readonly string[],
): Promise<StoredFlip> {
  const [stored] = await recordFlips(db, t, [{ monitorId, facts, at, pingId }], channels);
  return stored!;
}
