// A monitor's code: 96 random bits, URL-safe, 16 characters. Unguessable, so that with
// PING_AUTH=none the code alone can authenticate a ping.
import { randomBytes } from "node:crypto";

// Up to 36 characters: imported codes are kept as they are (the original tool's 5-character
// short URLs, healthchecks.io's UUIDs), so that existing cron lines keep pinging.
export const CODE_PATTERN = /^[A-Za-z0-9_-]{1,36}$/;

export function newCode(): string {
  return randomBytes(12).toString("base64url");
}
