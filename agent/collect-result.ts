// The result of collecting one host, shared by the SSH and local collectors, and the
// step that turns raw script output into it.

import { randomBytes } from "node:crypto";
import { collectionScript, parseCollection, type HostMetrics } from "../core/hosts/host-metrics.ts";
import type { HostErrorKind } from "../core/hosts/host-checks.ts";
import type { OutputBuffer } from "./output-buffer.ts";

export type CollectResult =
  | { ok: true; metrics: HostMetrics; hostKeyFingerprint: string | null; durationMs: number }
  | { ok: false; kind: HostErrorKind; error: string; hostKeyFingerprint?: string; durationMs: number };

/** A fresh script per run: the random marker token cannot occur in the host's own output. */
export function newScript(): { token: string; script: string } {
  const token = `HB${randomBytes(9).toString("hex")}`;
  return { token, script: collectionScript(token) };
}

export function resultFromOutput(
  out: OutputBuffer,
  token: string,
  processes: readonly string[],
  hostKeyFingerprint: string | null,
  started: number,
): CollectResult {
  const durationMs = Date.now() - started;
  const fp = hostKeyFingerprint ?? undefined;
  if (out.overflowed)
    return {
      ok: false,
      kind: "parse",
      error: `output too large (over ${out.limit} bytes)`,
      hostKeyFingerprint: fp,
      durationMs,
    };
  const parsed = parseCollection(out.text(), token, processes);
  if (!parsed.ok)
    return {
      ok: false,
      kind: "parse",
      error: `unparseable ${parsed.error.source} output: ${parsed.error.message}`,
      hostKeyFingerprint: fp,
      durationMs,
    };
  return { ok: true, metrics: parsed.value, hostKeyFingerprint, durationMs };
}
