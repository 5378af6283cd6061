// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), as every authenticator app
// computes them: HMAC-SHA1, 30-second steps, 6 digits. The secret travels as RFC 4648 base32 in
// an otpauth:// URI (the QR code). A code is accepted for its own step and one step either side
// (clock drift, and the seconds a person takes to type it); which step matched is returned so
// the caller can refuse it, and every earlier step, the next time (each code works once).

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export const TOTP_STEP_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of now. */
export const TOTP_DRIFT_STEPS = 1;

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

export function base32Encode(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Base32 as people and apps write it: any case, spaces and padding ignored. Null when not base32. */
export function base32Decode(text: string): Buffer | null {
  const s = text.replace(/[\s=]/g, "").toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of s) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) return null;
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
    value &= (1 << bits) - 1;
  }
  return Buffer.from(out);
}

/** RFC 4226's HOTP value of a counter, `digits` long (leading zeros kept). */
export function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): string {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac("sha1", secret).update(msg).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const bin = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(bin).padStart(digits, "0");
}

/** The step a moment (ms since the epoch) falls in. */
export const totpStep = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_STEP_SECONDS);

export function totp(secret: Uint8Array, nowMs: number, digits = TOTP_DIGITS): string {
  return hotp(secret, totpStep(nowMs), digits);
}

/** A code as typed: digits only, spaces and dashes allowed between them. Null when it cannot be one. */
export function normalizeTotpCode(code: string): string | null {
  const s = code.replace(/[\s-]/g, "");
  return new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(s) ? s : null;
}

/**
 * The step whose code this is (within the drift window, and after `lastStep`: a code used once,
 * or older than one used, is refused), or null. Every step is compared, in constant time.
 */
export function matchTotp(secret: Uint8Array, code: string, nowMs: number, lastStep: number | null): number | null {
  const typed = normalizeTotpCode(code);
  if (!typed) return null;
  const now = totpStep(nowMs);
  let matched: number | null = null;
  for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step++) {
    const ok = timingSafeEqual(Buffer.from(hotp(secret, step)), Buffer.from(typed));
    if (ok && matched === null && (lastStep === null || step > lastStep)) matched = step;
  }
  return matched;
}

/** A new secret: 20 random bytes, RFC 4226's recommended length for HMAC-SHA1. */
export function newTotpSecret(): Buffer {
  return randomBytes(20);
}

/** The otpauth:// URI authenticator apps read from the QR code (Google Authenticator's key-uri format). */
export function otpauthUri(secret: Uint8Array, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const q = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: "SHA1",
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${q.toString()}`;
}
