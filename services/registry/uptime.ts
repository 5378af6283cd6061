// Uptime at a glance for a page of monitor answers: the 24 h / 7 d / 30 d figures from the
// page's flips (core/monitor/uptime.ts, the weekly report's rule) and each monitor's recent runs.
// Two statements per page whatever its size (core/db/uptime.ts).

import type { Database } from "../../core/db/connect.ts";
import { flipsSince, recentRuns } from "../../core/db/uptime.ts";
import { UPTIME_WINDOWS_MS, uptimeWindows, type UptimeFlip, type UptimeWindow } from "../../core/monitor/uptime.ts";

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
  const flipsOf = new Map<number, UptimeFlip[]>();
  for (const f of flips) {
    const id = Number(f.monitor_id);
    if (!flipsOf.has(id)) flipsOf.set(id, []);
    flipsOf.get(id)!.push({ to: f.to_status, at: Number(f.flipped_at) });
  }
  const out = new Map<number, Glance>();
  for (const m of monitors)
    out.set(m.id, { uptime: uptimeWindows(now, m.createdAt, flipsOf.get(m.id) ?? []), recentRuns: [] });
  for (const r of runs) {
    out.get(Number(r.monitor_id))?.recentRuns.push({
      at: new Date(Number(r.received_at)).toISOString(),
      kind: r.kind,
      durationMs: r.duration_ms === null ? null : Number(r.duration_ms),
    });
  }
  return out;
}
