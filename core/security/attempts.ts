// The rules of sign-in limits, pure: failed sign-ins are counted per user name and per client
// address; past the limit within the window, that user (from anywhere) or that address (as
// anyone) is refused for the lockout time without a password being tried. Where the counts
// live (the database, shared by every gateway) is core/db/signin-attempts.ts.

export interface LimiterOptions {
  maxPerUser: number;
  maxPerIp: number;
  /** failures count within this window; a lockout lasts as long */
  lockMs: number;
}

export type Scope = "user" | "ip";

export interface AttemptCount {
  failures: number;
  /** when the window of this count began */
  since: number;
  /** refused until then; 0 when not locked */
  lockedUntil: number;
}

export interface Refusal {
  scope: Scope;
  retryAfterMs: number;
}

/** A lockout that has just begun: said once in the log. */
export interface LockoutStart {
  scope: Scope;
  who: string;
  failures: number;
}

/** What an attempt is counted under: its user name and its address, whichever are known. */
export function attemptKeys(user: string | null, ip: string | null): [Scope, string][] {
  const out: [Scope, string][] = [];
  if (user !== null) out.push(["user", user]);
  if (ip !== null) out.push(["ip", ip]);
  return out;
}

/** Whether an attempt is refused now, given the counts of its keys: the user's lockout first. */
export function refusalOf(counts: readonly [Scope, AttemptCount | undefined][], now: number): Refusal | null {
  for (const [scope, c] of counts) if (c && c.lockedUntil > now) return { scope, retryAfterMs: c.lockedUntil - now };
  return null;
}

/** A key's count after one more failure, and whether that failure starts a lockout. */
export function afterFailure(
  c: AttemptCount | undefined,
  scope: Scope,
  now: number,
  opts: LimiterOptions,
): { count: AttemptCount; started: boolean } {
  const fresh = !c || (now - c.since > opts.lockMs && c.lockedUntil <= now);
  const count = fresh ? { failures: 1, since: now, lockedUntil: 0 } : { ...c, failures: c.failures + 1 };
  const max = scope === "user" ? opts.maxPerUser : opts.maxPerIp;
  const started = count.failures >= max && count.lockedUntil <= now;
  if (started) count.lockedUntil = now + opts.lockMs;
  return { count, started };
}
