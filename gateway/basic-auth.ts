// HTTP basic credentials: parsing the header, and a short-lived cache of verified ones so
// that a job pinging every second does not pay a scrypt hash per ping. The cache is keyed by
// a hash of the credentials, never the password itself.

import { createHash } from "node:crypto";

export interface Credentials {
  username: string;
  password: string;
}

export function parseBasic(header: string | undefined): Credentials | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class CredentialCache<U> {
  private entries = new Map<string, { user: U; expires: number }>();
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(ttlMs: number, max = 10_000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  /** The cache's key for these credentials: a hash, never the password. */
  key(c: Credentials): string {
    return createHash("sha256").update(c.username).update("\0").update(c.password).digest("base64");
  }

  get(c: Credentials, now: number): U | null {
    const k = this.key(c);
    const e = this.entries.get(k);
    if (!e) return null;
    if (e.expires <= now) {
      this.entries.delete(k);
      return null;
    }
    return e.user;
  }

  set(c: Credentials, user: U, now: number): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(this.key(c), { user, expires: now + this.ttlMs });
  }

  clear(): void {
    this.entries.clear();
  }
}
