// Generic webhook channel: one JSON POST per alert, for receivers we do not know. The payload
// is a public contract, so it is versioned and only ever grows:
//
//   {
//     "version": 1,
//     "event": "down" | "up" | "failure" | "reminder" | "test",
//     "idempotencyKey": "…",        same for every attempt of one delivery (also the Idempotency-Key header)
//     "incidentKey": "…",           same for a down alert, its reminders and the recovery that ends it
//     "monitor": { "id": 7, "name": "…", "code": "…", "tags": ["…"], "timezone": "Europe/Berlin", "url": "https://…" | null },
//     "flip": { "id": 1, "from": "late", "to": "down", "reason": "no-ping", "at": "<ISO 8601>", "expectedAt": "<ISO 8601>" | null },
//                                   reasons: ping, failure, late, no-ping, never-pinged, running-too-long,
//                                   slow (from = to: a slow run that succeeded, event "failure"), paused, resumed,
//                                   too-fast, too-often, unexpected-run (a successful run that broke a run rule,
//                                   event "failure"), failure-rate (down at the failure rate, event "down")
//     "reminder": 0,                0 for the flip's own alert, then 1, 2, …
//     "lastPingAt": "<ISO 8601>" | null,
//     "downSince": "<ISO 8601>" | null,
//     "failure": { "data": "…" | null, "exitStatus": 1 | null, "truncated": false } | null,
//     "run": { "durationMs": 1234, "medianMs": 100 | null } | null,   the run that caused the flip, when timed
//     "rule": { "minRunSeconds": 60 | null, "minGapSeconds": 600 | null, "previousRunAt": "<ISO 8601>" | null,
//               "failureRate": { "failures": 3, "runs": 5 } | null } | null,   the monitor's run rules, for their reasons
//     "subject": "[Heartbeats] DOWN: …",
//     "text": "plain-text body, several lines",
//     "locale": "en" | "zh-Hans"   the language of subject and text (the channel's locale)
//   }
//
// Headers: Idempotency-Key, X-Heartbeats-Event, X-Heartbeats-Timestamp (unix seconds) and, when
// a secret is configured, X-Heartbeats-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">
// (the Stripe scheme: the timestamp is signed so a captured request cannot be replayed later).

import { createHmac, timingSafeEqual } from "node:crypto";
import type { Alert, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { deliver } from "./http.ts";

export const type = "webhook";
export const title = "Webhook";

export interface WebhookConfig {
  url: string;
  headers?: Record<string, string>;
  secret?: string;
}

export const schema: Record<string, ConfigRule> = {
  url: {
    type: "url",
    secret: true,
    description: "Where the JSON is POSTed; treated as secret since such URLs often embed a token",
  },
  headers: {
    type: "record",
    optional: true,
    secret: true,
    key: { type: "string", pattern: /^[A-Za-z0-9-]{1,64}$/ },
    value: { type: "string", max: 1024, pattern: /^[^\r\n]*$/ },
    description: "Extra request headers, e.g. an Authorization header the receiver expects",
  },
  secret: {
    type: "string",
    optional: true,
    secret: true,
    min: 16,
    max: 256,
    description: "Key for the X-Heartbeats-Signature HMAC; the receiver checks it to know the call came from here",
  },
};

/** Headers the channel owns: a custom header must not forge the signature or break framing. */
const RESERVED = new Set([
  "host",
  "content-type",
  "content-length",
  "transfer-encoding",
  "connection",
  "idempotency-key",
]);

const RULE_REASONS = new Set(["too-fast", "too-often", "unexpected-run", "failure-rate"]);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function payload(alert: Alert) {
  const { facts: f, rendered: r } = alert;
  return {
    version: 1,
    event: alert.event,
    idempotencyKey: alert.idempotencyKey,
    incidentKey: alert.incidentKey,
    monitor: {
      id: f.monitor.id,
      name: f.monitor.name,
      code: f.monitor.code,
      tags: f.monitor.tags,
      timezone: f.monitor.timezone,
      url: r.url,
    },
    flip: {
      id: f.flip.id,
      from: f.flip.from,
      to: f.flip.to,
      reason: f.flip.reason,
      at: iso(f.flip.at),
      expectedAt: iso(f.flip.expectedAt),
    },
    reminder: f.reminder,
    lastPingAt: iso(f.lastPingAt),
    downSince: iso(f.downSince),
    failure: f.failure
      ? { data: f.failure.data, exitStatus: f.failure.exitStatus, truncated: f.failure.truncated }
      : null,
    run: f.run ? { durationMs: f.run.durationMs, medianMs: f.run.medianMs } : null,
    rule:
      f.rule && RULE_REASONS.has(f.flip.reason)
        ? {
            minRunSeconds: f.rule.minRunSeconds,
            minGapSeconds: f.rule.minGapSeconds,
            previousRunAt: iso(f.rule.previousRunAt),
            failureRate: f.rule.failureRate,
          }
        : null,
    // a released alert: what held it back (kind "maintenance", "snooze" or "parent") and its text
    held: f.held ? { kind: f.held.kind, detail: f.held.detail, text: r.held } : null,
    subject: r.subject,
    text: r.text,
    locale: r.locale,
  };
}

export function sign(secret: string, timestamp: string | number, body: string): string {
  return "sha256=" + createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

/**
 * For receivers: true when `header` (X-Heartbeats-Signature) signs `timestamp`.`body` with
 * `secret`, and the timestamp is within `toleranceSeconds` of now (replay protection; pass
 * Infinity to skip). `body` must be the raw request body, before any JSON parsing.
 */
export function verifySignature(
  secret: string,
  timestamp: string | number,
  body: string | Buffer,
  header: string | undefined,
  toleranceSeconds = 300,
): boolean {
  if (!header || !/^\d+$/.test(String(timestamp))) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, timestamp, Buffer.isBuffer(body) ? body.toString("utf8") : body));
  // Several comma-separated signatures are accepted, so a receiver can rotate keys.
  return header.split(",").some((candidate) => {
    const given = Buffer.from(candidate.trim());
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

export async function send(alert: Alert, config: WebhookConfig, io: ChannelIO): Promise<SendResult> {
  const body = JSON.stringify(payload(alert));
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers ?? {})) {
    const lower = name.toLowerCase();
    if (RESERVED.has(lower) || lower.startsWith("x-heartbeats-")) continue;
    headers[name] = value;
  }
  Object.assign(headers, {
    "Content-Type": "application/json",
    "Idempotency-Key": alert.idempotencyKey,
    "X-Heartbeats-Event": alert.event,
    "X-Heartbeats-Timestamp": timestamp,
  });
  if (config.secret) headers["X-Heartbeats-Signature"] = sign(config.secret, timestamp, body);
  return deliver(io, { method: "POST", url: config.url, headers, body }, "the webhook", {
    secrets: [config.secret ?? ""],
  });
}
