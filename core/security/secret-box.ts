// Secrets at rest: channel tokens and passwords, SSH private keys and passphrases are sealed
// with AES-256-GCM under a key derived from SECRET_KEY before they reach the database, so a
// copied database file or dump does not give them away. A sealed value says which key sealed
// it, so a wrong SECRET_KEY is reported as such instead of as garbage.

import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

const PREFIX = "enc:v1:";

export class SecretKeyError extends Error {
  override name = "SecretKeyError";
}

export interface SecretBox {
  /** true when values are really encrypted (a key is set) */
  readonly encrypts: boolean;
  seal(plain: string): string;
  /** a sealed value's plain text; a value stored before encryption was turned on passes through */
  open(stored: string): string;
  isSealed(stored: string): boolean;
}

const isSealed = (stored: string) => stored.startsWith(PREFIX);

/** A box over SECRET_KEY (any string of 16 characters or more). */
export function secretBox(secretKey: string): SecretBox {
  if (secretKey.length < 16) throw new SecretKeyError("SECRET_KEY must be at least 16 characters");
  const key = Buffer.from(hkdfSync("sha256", secretKey, "heartbeats", "secrets at rest v1", 32));
  const kid = createHash("sha256").update(key).digest("base64url").slice(0, 8);
  return {
    encrypts: true,
    isSealed,
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(Buffer.from(kid));
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${PREFIX}${kid}:${iv.toString("base64url")}:${cipher.getAuthTag().toString("base64url")}:${body.toString("base64url")}`;
    },
    open(stored) {
      if (!isSealed(stored)) return stored;
      const [k, iv, tag, body] = stored.slice(PREFIX.length).split(":");
      if (k !== kid) throw new SecretKeyError("a stored secret was sealed with another SECRET_KEY");
      try {
        const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv!, "base64url"));
        decipher.setAAD(Buffer.from(kid));
        decipher.setAuthTag(Buffer.from(tag!, "base64url"));
        return Buffer.concat([decipher.update(Buffer.from(body!, "base64url")), decipher.final()]).toString("utf8");
      } catch {
        throw new SecretKeyError("a stored secret is damaged: it does not decrypt");
      }
    },
  };
}

/** No SECRET_KEY: values are stored as they are; sealed ones cannot be read. */
export const PLAIN_BOX: SecretBox = {
  encrypts: false,
  isSealed,
  seal: (plain) => plain,
  open(stored) {
    if (isSealed(stored)) throw new SecretKeyError("a stored secret is encrypted but SECRET_KEY is not set");
    return stored;
  },
};

/** A new random SECRET_KEY, for the embedded default's key file. */
export function newSecretKey(): string {
  return randomBytes(32).toString("base64url");
}
