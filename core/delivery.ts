// When a failed delivery is tried again: exponential backoff from 5 s, capped at one hour,
// with ±20 % jitter so that many alerts failing together do not retry in lockstep.

export const FIRST_RETRY_MS = 5_000;
export const MAX_RETRY_MS = 3_600_000;

export function retryDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * random()));
}
