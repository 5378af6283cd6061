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

export async function recordFlip(
  db: Database,
  t: Transaction,
  monitorId: number,
  facts: FlipFacts,
  at: number,
  pingId: number | null,
  channels: readonly string[],
): Promise<StoredFlip> {
  const id = await db.insert(
    "INSERT INTO flips (monitor_id, from_status, to_status, reason, flipped_at, expected_at, ping_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [monitorId, facts.from, facts.to, facts.reason, at, facts.expectedAt, pingId],
    t,
  );
  const alerted = isAlerted(facts) && channels.length > 0;
  if (alerted) {
    const values = channels.map(() => "(?, ?, ?, 'pending', 0, ?, ?)").join(", ");
    await db.insert(
      `INSERT INTO deliveries (flip_id, monitor_id, channel, state, attempts, next_attempt_at, created_at) VALUES ${values}`,
      channels.flatMap((c) => [id, monitorId, c, at, at]),
      t,
    );
  }
  return { id, monitorId, from: facts.from, to: facts.to, reason: facts.reason, at, alerted };
}
