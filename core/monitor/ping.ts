// What an incoming ping is: its kind from the URL, its data bounded in size, and whether
// it reports a failure. Pure; the gateway and ingest both lean on it.

import type { Outcome } from "./monitor-status.ts";

export const PING_KINDS = ["success", "start", "fail", "log"] as const;
export type PingKind = (typeof PING_KINDS)[number];

export interface PingSignal {
  kind: PingKind;
  exitStatus: number | null;
}

/** The path segment after /ping/CODE/: nothing, start, fail, log, or an exit status 0-255. */
export function parseSignal(segment: string | undefined | null): PingSignal | null {
  if (segment === undefined || segment === null || segment === "") return { kind: "success", exitStatus: null };
  if (segment === "start" || segment === "fail" || segment === "log") return { kind: segment, exitStatus: null };
  if (/^\d{1,3}$/.test(segment)) {
    const n = Number(segment);
    if (n <= 255) return { kind: n === 0 ? "success" : "fail", exitStatus: n };
  }
  return null;
}

/** The original tool's /api/pings/?service=CODE&data=TEXT: any non-empty data is a failure report. */
export function originalSignal(data: string | null): PingSignal {
  return { kind: data !== null && data.trim() !== "" ? "fail" : "success", exitStatus: null };
}

export function outcomeOf(kind: PingKind): Outcome {
  return kind === "fail" ? "failure" : kind;
}

export interface BoundedData {
  data: string | null;
  truncated: boolean;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

export class NotUtf8Error extends Error {
  override name = "NotUtf8Error";
}

/**
 * Decodes ping data and keeps at most `limit` bytes of it, cut on a character boundary.
 * `moreFollowed` says the reader already dropped bytes past what it passed in.
 * Bytes that are not UTF-8 are refused rather than stored mangled.
 */
export function boundData(raw: Buffer | string | null, limit: number, moreFollowed = false): BoundedData {
  if (raw === null) return { data: null, truncated: false };
  const buf = typeof raw === "string" ? Buffer.from(raw) : raw;
  if (buf.length === 0) return { data: null, truncated: false };
  if (buf.length <= limit && !moreFollowed) {
    if (typeof raw !== "string") checkUtf8(buf);
    return { data: typeof raw === "string" ? raw : buf.toString("utf8"), truncated: false };
  }
  let end = Math.min(limit, buf.length);
  // Step back over UTF-8 continuation bytes so the cut never splits a character.
  while (end > 0 && end < buf.length && (buf[end]! & 0xc0) === 0x80) end--;
  const kept = buf.subarray(0, end);
  checkUtf8(kept);
  return { data: kept.length ? kept.toString("utf8") : null, truncated: true };
}

function checkUtf8(buf: Buffer): void {
  try {
    utf8.decode(buf);
  } catch {
    throw new NotUtf8Error("data is not valid UTF-8");
  }
}

/**
 * Percent-decodes one query parameter strictly: the last occurrence wins (as Django's
 * query_params.get did), `+` is a space, and bytes that are not UTF-8 are refused.
 */
export function queryParam(rawQuery: string, name: string): Buffer | null {
  let found: Buffer | null = null;
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const key = eq < 0 ? part : part.slice(0, eq);
    if (percentDecode(key).toString("utf8") !== name) continue;
    found = percentDecode(eq < 0 ? "" : part.slice(eq + 1));
  }
  return found;
}

function percentDecode(s: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2b) out.push(0x20);
    else if (c === 0x25 && i + 2 < s.length && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x100)
      out.push(c); // Node hands raw URL bytes over as latin1 characters
    else for (const b of Buffer.from(s[i]!)) out.push(b);
  }
  return Buffer.from(out);
}
