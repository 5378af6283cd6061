// Password hashing with node:crypto scrypt. The stored form names its parameters so they
// can be raised later without invalidating existing hashes.
import { scrypt, randomBytes, timingSafeEqual, type ScryptOptions } from "node:crypto";

const N = 16384,
  R = 8,
  P = 1,
  KEYLEN = 32;

function derive(password: string, salt: Buffer, opts: ScryptOptions, keylen: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, keylen, { ...opts, maxmem: 64 * 1024 * 1024 }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P }, KEYLEN);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  const key = await derive(password, salt, { N: n, r, p }, expected.length);
  return timingSafeEqual(key, expected);
}

export const ROLES = ["admin", "viewer", "pinger"] as const;
export type Role = (typeof ROLES)[number];

/** admin ⊇ viewer ⊇ pinger */
export function roleAllows(role: Role, needed: Role): boolean {
  const rank: Record<Role, number> = { pinger: 0, viewer: 1, admin: 2 };
  return rank[role] >= rank[needed];
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.@+-]{1,150}$/;
