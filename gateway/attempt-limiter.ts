// Failed sign-ins counted per user and per client address. Past the limit within the window,
// that user (from anywhere) or that address (as anyone) is refused for the lockout time
// without a password being tried: guessing costs the attacker time, not us a scrypt hash.
// In memory, per gateway process: N gateways allow N times the attempts (docs/security.md).

export interface LimiterOptions {
  maxPerUser: number;
  maxPerIp: number;
  /** failures count within this window; a lockout lasts as long */
  lockMs: number;
  /** keys remembered at most; the oldest are forgotten first (an attacker varying names and addresses costs bounded memory) */
  maxKeys?: number;
}

export interface Refusal {
  scope: "user" | "ip";
  retryAfterMs: number;
}

/** A lockout that has just begun: said once in the log. */
export interface LockoutStart {
  scope: "user" | "ip";
  who: string;
  failures: number;
}

interface Count {
  failures: number;
  since: number;
  lockedUntil: number;
}

export class AttemptLimiter {
  private readonly counts = new Map<string, Count>();
  private readonly opts: Required<LimiterOptions>;

  constructor(opts: LimiterOptions) {
    this.opts = { maxKeys: 100_000, ...opts };
  }

  /** Whether an attempt by this user from this address is refused now, and for how long. */
  refused(user: string | null, ip: string | null, now: number): Refusal | null {
    for (const [scope, who] of this.keys(user, ip)) {
      const c = this.counts.get(`${scope}:${who}`);
      if (c && c.lockedUntil > now) return { scope, retryAfterMs: c.lockedUntil - now };
    }
    return null;
  }

  /** Counts a failed attempt; answers the lockouts it starts. */
  failed(user: string | null, ip: string | null, now: number): LockoutStart[] {
    const started: LockoutStart[] = [];
    for (const [scope, who] of this.keys(user, ip)) {
      const key = `${scope}:${who}`;
      let c = this.counts.get(key);
      if (!c || now - c.since > this.opts.lockMs) c = { failures: 0, since: now, lockedUntil: 0 };
      // Re-inserted at every failure: the least recently failing keys are the ones forgotten,
      // so an address flooding new user names keeps its own count.
      this.counts.delete(key);
      this.remember(key, c);
      c.failures++;
      const max = scope === "user" ? this.opts.maxPerUser : this.opts.maxPerIp;
      if (c.failures >= max && c.lockedUntil <= now) {
        c.lockedUntil = now + this.opts.lockMs;
        started.push({ scope, who, failures: c.failures });
      }
    }
    return started;
  }

  /** A right password clears that user's failures; the address's stay (one valid account must not launder guesses). */
  succeeded(user: string): void {
    this.counts.delete(`user:${user}`);
  }

  private keys(user: string | null, ip: string | null): ["user" | "ip", string][] {
    const out: ["user" | "ip", string][] = [];
    if (user !== null) out.push(["user", user]);
    if (ip !== null) out.push(["ip", ip]);
    return out;
  }

  private remember(key: string, c: Count): void {
    if (this.counts.size >= this.opts.maxKeys) {
      // Maps iterate in insertion order: the first keys are the oldest.
      let drop = Math.ceil(this.opts.maxKeys / 10);
      for (const k of this.counts.keys()) {
        this.counts.delete(k);
        if (--drop === 0) break;
      }
    }
    this.counts.set(key, c);
  }
}
