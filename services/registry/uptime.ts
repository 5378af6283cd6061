// Uptime at a glance for a page of monitor answers: the 24 h / 7 d / 30 d figures from the
// page's flips (core/monitor/uptime.ts, the weekly report's rule) and each monitor's recent runs.
// Two statements per page whatever its size (core/db/uptime.ts).

import type { Database } from "../../core/db/connect.ts";
import { flipsSince, recentRuns } from "../../core/db/uptime.ts";
import { UPTIME_WINDOWS_MS, uptimeWindows, type UptimeWindow } from "../../core/monitor/uptime.ts";

/** How many runs the strip shows. */
export const RECENT_RUNS = 20;

export interface RecentRun {
  at: string;
  kind: string;
  durationMs: number | null;
}

export interface Glance {
  uptime: Record<UptimeWindow, number | null>;
  recentRuns: RecentRun[];
}

export async function glancesOf(
  db: Database,
  monitors: readonly { id: number; createdAt: number }[],
  now: number,
): Promise<Map<number, Glance>> {
  const ids = monitors.map((m) => m.id);
  const [flips, runs] = await Promise.all([
    flipsSince(db, ids, now - UPTIME_WINDOWS_MS.month),
    recentRuns(db, ids, RECENT_RUNS),
  ]);
  const out = new Map<number, Glance>();
  for (const m of monitors) {
    const mine = flips
      .filter((f) => Number(f.monitor_id) === m.id)
      .map((f) => ({ to: f.to_status, at: Number(f.flipped_at) }));
    out.set(m.id, { uptime: uptimeWindows(now, m.createdAt, mine), recentRuns: [] });
  }
  for (const r of runs) {
    out.get(Number(r.monitor_id))?.recentRuns.push({
      at: new Date(Number(r.received_at)).toISOString(),
      kind: r.kind,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    });
  }
  return out;
}
