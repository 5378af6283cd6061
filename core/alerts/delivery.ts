// When a failed delivery is tried again, and when to stop trying. Exponential backoff from the
// first delay, each wait capped, with ±20 % jitter so that many alerts failing together do not
// retry in lockstep; a delivery is given up once its next try would fall outside the retry window.

export interface RetryPolicy {
  firstDelayMs: number;
  maxDelayMs: number;
  /** how long after the alert was raised retries may still happen */
  windowMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { firstDelayMs: 5_000, maxDelayMs: 3_600_000, windowMs: 86_400_000 };

export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): number {
  const base = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.min(40, Math.max(0, attempt - 1)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export type Verdict = { state: "sent" } | { state: "failed" } | { state: "pending"; nextAttemptAt: number };

/** What a delivery becomes after an attempt. */
export function afterAttempt(
  outcome: { ok: true } | { ok: false; retryable: boolean },
  attempt: number,
  createdAt: number,
  now: number,
  policy: RetryPolicy = DEFAULT_RETRY,
  random: () => number = Math.random,
): Verdict {
  if (outcome.ok) return { state: "sent" };
  if (!outcome.retryable) return { state: "failed" };
  const next = now + retryDelayMs(attempt, policy, random);
  return next > createdAt + policy.windowMs ? { state: "failed" } : { state: "pending", nextAttemptAt: next };
}

/**
 * Delivery states, as stored. "sending" is a claimed row under lease; "held" waits for the end of
 * the maintenance window it was raised in, then becomes "pending" again (released) or
 * "suppressed" (for good: the monitor recovered, or it was not the monitor's last down alert).
 */
export const DELIVERY_STATES = ["pending", "sending", "sent", "failed", "held", "suppressed"] as const;
