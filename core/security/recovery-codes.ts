// Recovery codes: the way back in when the phone with the authenticator app is lost. Ten are
// made at once and shown once; each opens one sign-in in place of a second factor. A code is
// 50 random bits (ten base32 characters), so, like API keys, a fast hash is enough to store it.

import { createHash, randomBytes } from "node:crypto";
import { base32Encode } from "./totp.ts";

export const RECOVERY_CODE_COUNT = 10;

/** Ten fresh codes, written as people read them aloud: `abcde-fghij`. */
export function newRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    const s = base32Encode(randomBytes(7)).slice(0, 10).toLowerCase();
    return `${s.slice(0, 5)}-${s.slice(5)}`;
  });
}

/** A code as typed, in any case, with or without its dash; null when it cannot be one. */
export function normalizeRecoveryCode(code: string): string | null {
  const s = code.replace(/[\s-]/g, "").toLowerCase();
  return /^[a-z2-7]{10}$/.test(s) ? s : null;
}

export function hashRecoveryCode(normalized: string): string {
  return createHash("sha256").update(normalized).digest("hex");
}
