// Password hashing with node:crypto scrypt at OWASP's cost (N=2^17, r=8, p=1: 128 MiB and
// about half a second of one core per hash). The stored form names its parameters, so a hash
// made at a lower cost still verifies and is replaced at the user's next sign-in (needsRehash).
import { scrypt, randomBytes, timingSafeEqual, type ScryptOptions } from "node:crypto";

export const SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
const KEYLEN = 32;
/** The most an old hash may ask for: its stored parameters are not trusted to be sane. */
const MAX_N = 2 ** 20;

function derive(password: string, salt: Buffer, opts: ScryptOptions, keylen: number): Promise<Buffer> {
  const need = 128 * (opts.N ?? 0) * (opts.r ?? 0) * 2;
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, { ...opts, maxmem: Math.max(64 * 1024 * 1024, need) }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

interface Stored {
  N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): Stored | null {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((x) => Number.isSafeInteger(x) && x > 0) || N > MAX_N || (N & (N - 1)) !== 0 || r * p > 64)
    return null;
  return { N, r, p, salt: Buffer.from(parts[4]!, "base64"), key: Buffer.from(parts[5]!, "base64") };
}

/** True when `stored` was made at a lower cost than today's (or is not one of ours): hash it again at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const h = parse(stored);
  return !h || h.N < SCRYPT_COST.N || h.r < SCRYPT_COST.r || h.p < SCRYPT_COST.p || h.key.length < KEYLEN;
}

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_COST;
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r, p }, KEYLEN);
  return `scrypt$${N}$${r}$${p}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h || h.key.length === 0) return false;
  const key = await derive(password, h.salt, { N: h.N, r: h.r, p: h.p }, h.key.length);
  return timingSafeEqual(key, h.key);
}

export const ROLES = ["admin", "viewer", "pinger"] as const;
export type Role = (typeof ROLES)[number];

/** admin ⊇ viewer ⊇ pinger */
export function roleAllows(role: Role, needed: Role): boolean {
  const rank: Record<Role, number> = { pinger: 0, viewer: 1, admin: 2 };
  return rank[role] >= rank[needed];
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.@+-]{1,150}$/;
