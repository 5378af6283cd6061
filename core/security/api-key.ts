// API keys: for scripts and CI, instead of a person's password. A key is shown once, when it
// is made; only its SHA-256 is stored (a key is 32 random bytes, so a fast hash is enough: there
// is nothing to guess). Its first characters stay readable so people can tell keys apart.

import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** read: GET what a viewer may; write: change monitors and channels as an admin may, except users and keys; ping: send pings only. */
export const KEY_SCOPES = ["read", "write", "ping"] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

const PREFIX = "hbk_";
const SHAPE = /^hbk_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})$/;

export interface NewKey {
  /** the whole key, shown once */
  key: string;
  /** the part kept readable, e.g. hbk_AbCd1234 */
  prefix: string;
  hash: string;
}

const base62 = (bytes: Buffer) =>
  bytes
    .toString("base64")
    .replace(/[^A-Za-z0-9]/g, "")
    .slice(0, 8);

export function newApiKey(): NewKey {
  let id = "";
  while (id.length < 8) id = base62(randomBytes(12));
  const key = `${PREFIX}${id}_${randomBytes(32).toString("base64url")}`;
  return { key, prefix: `${PREFIX}${id}`, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Whether a presented credential looks like one of our keys (so it is not tried as a password). */
export function looksLikeApiKey(s: string): boolean {
  return SHAPE.test(s);
}

export function prefixOf(key: string): string | null {
  const m = SHAPE.exec(key);
  return m ? `${PREFIX}${m[1]}` : null;
}

/** Constant-time comparison of two stored hashes. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
