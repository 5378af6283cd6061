// What an alert says, read from the flips and pings: the flip with its monitor and ping, the
// down flip a recovery ends, the last ping before the alert, a slow run's predecessors, and each
// monitor's last down and up flips (which alerts a maintenance window's end releases).

import { Op } from "sequelize";
import type { Database, Row } from "./connect.ts";
import { plainRow, plainRows } from "./models.ts";

// Raw: a join over flips, monitors and pings.
/** The flip with its monitor's name, code, zone, slow window and run rules and its ping's data, or undefined. */
export async function flipWithContext(db: Database, flipId: number): Promise<Row | undefined> {
  const [f] = await db.select<Row>(
    `SELECT f.*, m.name, m.code, m.timezone, m.slow_window, m.min_run_seconds, m.min_gap_seconds,
            m.failure_rate_failures, m.failure_rate_runs, p.data, p.exit_status, p.data_truncated, p.duration_ms
       FROM flips f JOIN monitors m ON m.id = f.monitor_id LEFT JOIN pings p ON p.id = f.ping_id WHERE f.id = ?`,
    [flipId],
  );
  return f;
}

/** The monitor's last flip to down before the given flip, or undefined. */
export async function downFlipBefore(
  db: Database,
  monitorId: number,
  flipId: number,
): Promise<{ id: number; at: number } | undefined> {
  return plainRow(db.models.Flip, {
    attributes: ["id", ["flipped_at", "at"]],
    where: { monitor_id: monitorId, id: { [Op.lt]: flipId }, to_status: "down" },
    order: [["id", "DESC"]],
  }) as Promise<{ id: number; at: number } | undefined>;
}

// Raw: a MAX aggregate.
/** When the monitor's last run-reporting ping (not a log, not a start) arrived, at or before `at`. */
export async function lastPingAt(db: Database, monitorId: number, at: number): Promise<number | null> {
  const [last] = await db.select<{ at: number }>(
    "SELECT MAX(received_at) AS at FROM pings WHERE monitor_id = ? AND received_at <= ? AND kind <> 'log' AND kind <> 'start'",
    [monitorId, at],
  );
  return last?.at === null || last?.at === undefined ? null : Number(last.at);
}

// Raw: a MAX aggregate.
/** When the monitor's last run-reporting ping (not a log, not a start) before the given ping arrived, or null. */
export async function runBefore(db: Database, monitorId: number, pingId: number): Promise<number | null> {
  const [last] = await db.select<{ at: number }>(
    "SELECT MAX(received_at) AS at FROM pings WHERE monitor_id = ? AND id < ? AND kind <> 'log' AND kind <> 'start'",
    [monitorId, pingId],
  );
  return last?.at === null || last?.at === undefined ? null : Number(last.at);
}

/** The durations of up to `window` successful timed runs before the given ping, the latest first. */
export async function durationsBefore(
  db: Database,
  monitorId: number,
  pingId: number,
  window: number,
): Promise<number[]> {
  const before = await plainRows(db.models.Ping, {
    attributes: ["duration_ms"],
    where: { monitor_id: monitorId, id: { [Op.lt]: pingId }, kind: "success", duration_ms: { [Op.ne]: null } },
    order: [["id", "DESC"]],
    limit: window,
  });
  return before.map((r) => Number(r.duration_ms));
}

// Raw: a GROUP BY aggregate.
/** For each of the given monitors that has them, the ids of its last flip to down and to up. */
export function lastDownAndUpFlips(
  db: Database,
  monitorIds: number[],
): Promise<{ monitor_id: number; to_status: string; id: number }[]> {
  return db.select<{ monitor_id: number; to_status: string; id: number }>(
    "SELECT monitor_id, to_status, MAX(id) AS id FROM flips WHERE monitor_id IN (?) AND to_status IN ('down', 'up') GROUP BY monitor_id, to_status",
    [monitorIds],
  );
}
