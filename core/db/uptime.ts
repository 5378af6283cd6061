// What a page of monitor answers needs for uptime at a glance: the page's flips of the last 30 days
// (with each monitor's last flip before, the status the window starts in) and its recent runs.
// One statement each for the whole page, never one per monitor.

import type { Database } from "./connect.ts";
import type { Status } from "../monitor/monitor-status.ts";

export interface PageFlip {
  monitor_id: number;
  to_status: Status;
  flipped_at: number;
}

export interface RecentRunRow {
  monitor_id: number;
  kind: string;
  duration_ms: number | null;
  received_at: number;
}

// Raw: a subquery with a GROUP BY (each monitor's last flip before the window).
/** The monitors' flips since `from`, and each one's last flip before it, oldest first. */
export function flipsSince(db: Database, ids: readonly number[], from: number): Promise<PageFlip[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.select<PageFlip>(
    `SELECT monitor_id, to_status, flipped_at FROM flips WHERE monitor_id IN (:ids) AND (flipped_at >= :from
       OR id IN (SELECT MAX(id) FROM flips WHERE monitor_id IN (:ids) AND flipped_at < :from GROUP BY monitor_id)) ORDER BY id`,
    { ids, from },
  );
}

// Raw: a window function (SQLite ≥ 3.25 and MariaDB ≥ 10.2 both have ROW_NUMBER).
/** Each monitor's last `n` pings, newest first. */
export function recentRuns(db: Database, ids: readonly number[], n: number): Promise<RecentRunRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.select<RecentRunRow>(
    `SELECT monitor_id, kind, duration_ms, received_at FROM (
       SELECT monitor_id, kind, duration_ms, received_at,
              ROW_NUMBER() OVER (PARTITION BY monitor_id ORDER BY id DESC) AS nth
       FROM pings WHERE monitor_id IN (:ids)) r
     WHERE nth <= :n ORDER BY monitor_id, nth`,
    { ids, n },
  );
}
