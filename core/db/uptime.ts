// What a page of monitor answers needs for uptime at a glance: the page's flips of the last 30 days
// (with each monitor's last flip before, the status the window starts in) and its recent runs.
// One statement each for the whole page, never one per monitor. And the list's uptime sort.

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

// Raw: per monitor, the id of its n-th newest ping (a scalar subquery walking pings_monitor
// backwards), then the pings from there on. Not ROW_NUMBER() over all its pings: a monitor keeps
// up to PING_RETENTION (1,000) of them, and numbering 50,000 rows for a page of 50 took 40 ms.
/** Each monitor's last `n` pings, newest first. */
export function recentRuns(db: Database, ids: readonly number[], n: number): Promise<RecentRunRow[]> {
  if (!ids.length) return Promise.resolve([]);
  return db.select<RecentRunRow>(
    `SELECT p.monitor_id, p.kind, p.duration_ms, p.received_at FROM pings p JOIN (
       SELECT m.id AS mid, (SELECT q.id FROM pings q WHERE q.monitor_id = m.id ORDER BY q.id DESC LIMIT 1 OFFSET :skip) AS from_id
       FROM monitors m WHERE m.id IN (:ids)) f ON p.monitor_id = f.mid AND p.id >= COALESCE(f.from_id, 0)
     ORDER BY p.monitor_id, p.id DESC`,
    { ids, skip: n - 1 },
  );
}

/** The list's uptime sort keys and the window each sorts by. */
export const UPTIME_SORTS = { uptime: "day", uptimeWeek: "week", uptimeMonth: "month" } as const;

// Raw: window functions (LEAD, without its default: MariaDB has none) and a GROUP BY. The list sorts 10,000 monitors by uptime in the
// database rather than computing 10,000 timelines in JS (docs/architecture.md, "Uptime"). It
// states core/monitor/uptime.ts's rule in SQL — segments between flips clipped to the window,
// paused time unobserved, time before creation unobserved — and test/integration/uptime.test.ts
// checks that it orders as that function's figures do.
/**
 * A join of each monitor `m`'s time paused and down over [:ufrom, :unow), for UPTIME_PERCENT.
 */
export const UPTIME_JOIN = `LEFT JOIN (
    SELECT monitor_id,
      SUM(CASE WHEN to_status = 'paused' THEN seg_end - seg_start ELSE 0 END) AS paused_ms,
      SUM(CASE WHEN to_status = 'down' THEN seg_end - seg_start ELSE 0 END) AS down_ms
    FROM (
      SELECT monitor_id, to_status,
        CASE WHEN flipped_at < :ufrom THEN :ufrom ELSE flipped_at END AS seg_start,
        COALESCE(LEAD(flipped_at) OVER (PARTITION BY monitor_id ORDER BY id), :unow) AS seg_end
      FROM flips WHERE flipped_at < :unow AND (flipped_at >= :ufrom
        OR id IN (SELECT MAX(id) FROM flips WHERE flipped_at < :ufrom GROUP BY monitor_id))
    ) seg GROUP BY monitor_id
  ) ut ON ut.monitor_id = m.id`;

/** The uptime of the join above, an expression over `m` and `ut`. */
export const UPTIME_PERCENT = `(CASE WHEN :unow - (CASE WHEN m.created_at > :ufrom THEN m.created_at ELSE :ufrom END) - COALESCE(ut.paused_ms, 0) > 0
  THEN (:unow - (CASE WHEN m.created_at > :ufrom THEN m.created_at ELSE :ufrom END) - COALESCE(ut.paused_ms, 0) - COALESCE(ut.down_ms, 0)) * 100.0
    / (:unow - (CASE WHEN m.created_at > :ufrom THEN m.created_at ELSE :ufrom END) - COALESCE(ut.paused_ms, 0)) END)`;
