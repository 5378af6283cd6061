// Uptime from flips: the share of observed time a monitor was not down over a window. Time down
// counts against it; time paused, or before the monitor existed, counts neither way. The weekly
// report and the monitor answers (24 h / 7 d / 30 d) both use this one rule. Pure.

import type { Status } from "./monitor-status.ts";

export const UPTIME_WINDOWS_MS = { day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 } as const;
export type UptimeWindow = keyof typeof UPTIME_WINDOWS_MS;

export interface UptimeFlip {
  to: Status;
  at: number;
}

export interface Uptime {
  /** 0–100; null when nothing was observed (paused or not yet created the whole window) */
  percent: number | null;
  downMs: number;
  /** flips to down inside the window */
  downFlips: number;
}

/**
 * Uptime over [from, to). `flips` are the monitor's flips, any order; only the last one before
 * the window (or before the monitor's creation) matters for the status the window starts in.
 */
export function uptimeOver(from: number, to: number, createdAt: number, flips: readonly UptimeFlip[]): Uptime {
  const fs = flips.filter((f) => f.at < to).sort((a, b) => a.at - b.at);
  let status: Status = "new";
  let since = Math.max(from, createdAt);
  let observed = 0;
  let down = 0;
  let downFlips = 0;
  const spend = (until: number) => {
    const span = Math.max(0, until - since);
    if (status !== "paused") observed += span;
    if (status === "down") down += span;
  };
  for (const f of fs) {
    if (f.at < since) {
      status = f.to; // before the window (or the creation): sets the starting status
      continue;
    }
    spend(f.at);
    since = f.at;
    status = f.to;
    if (f.to === "down") downFlips++;
  }
  if (since < to) spend(to);
  return { percent: observed > 0 ? ((observed - down) / observed) * 100 : null, downMs: down, downFlips };
}

/** The 24 h / 7 d / 30 d figures ending at `now`, percent or null. */
export function uptimeWindows(
  now: number,
  createdAt: number,
  flips: readonly UptimeFlip[],
): Record<UptimeWindow, number | null> {
  const of = (w: UptimeWindow) => uptimeOver(now - UPTIME_WINDOWS_MS[w], now, createdAt, flips).percent;
  return { day: of("day"), week: of("week"), month: of("month") };
}
