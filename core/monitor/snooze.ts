// Snoozing a monitor: while snoozed its flips are stored and their alerts held (core/alerts/holds.ts);
// when the snooze ends, the maintenance windows' release rules apply. Pure: the duration of
// /ping/CODE/snooze/DURATION and the API's seconds.

export const MAX_SNOOZE_SECONDS = 7 * 86_400;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "30m", "2h", "1d" (also "90s") as seconds, at most 7 days; otherwise the reason, for a 422 naming `duration`. */
export function parseSnoozeDuration(text: string): { ok: true; seconds: number } | { ok: false; message: string } {
  const m = /^(\d{1,7})([smhd])$/.exec(text);
  if (!m) return { ok: false, message: 'must be a number and a unit: "30m", "2h" or "1d" (s, m, h, d)' };
  const seconds = Number(m[1]) * UNITS[m[2]!]!;
  if (seconds < 1 || seconds > MAX_SNOOZE_SECONDS) return { ok: false, message: "must be between 1s and 7d" };
  return { ok: true, seconds };
}

/** Whether a monitor snoozed until `until` (epoch ms, null: not snoozed) is snoozed at `t`. */
export function snoozedAt(until: number | null, t: number): boolean {
  return until !== null && until > t;
}
