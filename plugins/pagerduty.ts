// PagerDuty channel: Events API v2 (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
// Down, failure, reminder and test alerts "trigger", a recovery "resolve"s; both carry the
// alert's incidentKey as dedup_key, so reminders fold into the open incident and the recovery
// closes it. PagerDuty answers 202 {status:"success"}; 400 means the event itself is wrong.

import type { Alert, ChannelIO, ConfigRule, HttpResponse, SendResult } from "./channel.ts";
import { clip, deliver, failureText, httpOutcome, parseJson } from "./http.ts";

export const type = "pagerduty";
export const title = "PagerDuty";

type Severity = "critical" | "error" | "warning" | "info";

export interface PagerDutyConfig {
  routingKey: string;
  severity?: Severity;
  component?: string;
  group?: string;
  class?: string;
  eventsUrl?: string;
}

export const schema: Record<string, ConfigRule> = {
  routingKey: {
    type: "string",
    secret: true,
    length: 32,
    pattern: /^[A-Za-z0-9]+$/,
    description: "The integration key of an Events API v2 integration on the service",
  },
  severity: {
    type: "enum",
    values: ["critical", "error", "warning", "info"],
    optional: true,
    description: "Severity of triggered incidents; default critical (error for failure reports)",
  },
  component: {
    type: "string",
    optional: true,
    max: 255,
    description: "payload.component: the part of the system that is broken, e.g. backups",
  },
  group: {
    type: "string",
    optional: true,
    max: 255,
    description: "payload.group: a logical grouping, e.g. prod-datapipe",
  },
  class: { type: "string", optional: true, max: 255, description: "payload.class: the kind of event, e.g. cron" },
  eventsUrl: {
    type: "url",
    optional: true,
    description:
      "The Events API endpoint; default https://events.pagerduty.com/v2/enqueue (EU accounts may use https://events.eu.pagerduty.com/v2/enqueue)",
  },
};

const FAILURE_MAX = 32_000;

function severity(alert: Alert, config: PagerDutyConfig): Severity {
  if (config.severity) return config.severity;
  if (alert.event === "test") return "info";
  return alert.event === "failure" ? "error" : "critical";
}

export function event(alert: Alert, config: PagerDutyConfig) {
  const r = alert.rendered;
  const base = { routing_key: config.routingKey, dedup_key: clip(alert.incidentKey, 255) };
  if (alert.event === "up") return { ...base, event_action: "resolve" as const };
  const details: Record<string, string> = Object.fromEntries(r.rows);
  if (r.failureText) details.failure = clip(r.failureText, FAILURE_MAX) + (r.failureTruncated ? "\n(truncated)" : "");
  const payload: Record<string, unknown> = {
    summary: clip(r.subject.replace(/^\[Heartbeats\] /, ""), 1024),
    source: clip(alert.facts.monitor.name, 255) || "Heartbeats",
    severity: severity(alert, config),
    timestamp: new Date(alert.facts.raisedAt).toISOString(),
    custom_details: details,
  };
  if (config.component) payload.component = config.component;
  if (config.group) payload.group = config.group;
  if (config.class) payload.class = config.class;
  const body: Record<string, unknown> = { ...base, event_action: "trigger" as const, payload, client: "Heartbeats" };
  if (r.url) {
    body.client_url = r.url;
    body.links = [{ href: r.url, text: r.labels.open }];
  }
  return body;
}

/** PagerDuty's error body is {status, message, errors: [...]}: the errors say what was wrong. */
function judge(res: HttpResponse): SendResult {
  const verdict = httpOutcome(res, "PagerDuty");
  if (verdict.ok) return verdict;
  const answer = parseJson(res.body) as { message?: string; errors?: string[] } | undefined;
  if (!answer?.message) return verdict;
  return {
    ...verdict,
    error: failureText("PagerDuty", res.status, [answer.message, ...(answer.errors ?? [])].join("; ")),
  };
}

export async function send(alert: Alert, config: PagerDutyConfig, io: ChannelIO): Promise<SendResult> {
  const url = config.eventsUrl ?? "https://events.pagerduty.com/v2/enqueue";
  return deliver(io, { method: "POST", url, body: event(alert, config) }, "PagerDuty", {
    judge,
    secrets: [config.routingKey],
  });
}
