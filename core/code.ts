// A monitor's code: 96 random bits, URL-safe, 16 characters. Unguessable, so that with
// PING_AUTH=none the code alone can authenticate a ping.
import { randomBytes } from "node:crypto";

export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

export function newCode(): string {
  return randomBytes(12).toString("base64url");
}
