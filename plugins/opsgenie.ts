// Opsgenie channel: the Alert API (https://docs.opsgenie.com/docs/alert-api). Alerts are
// created with the alert's incidentKey as alias, so reminders de-duplicate into the open alert
// and a recovery closes it by alias. Opsgenie queues every request and answers 202; field
// limits are its documented ones (message 130, alias 512, description 15000, 20 tags of 50,
// details 8000 characters in all).

import type { Alert, ChannelIO, ConfigRule, HttpResponse, SendResult } from "./channel.ts";
import { clip, deliver, failureText, httpOutcome, parseJson } from "./http.ts";

export const type = "opsgenie";
export const title = "Opsgenie";

type Priority = "P1" | "P2" | "P3" | "P4" | "P5";

export interface OpsgenieConfig {
  apiKey: string;
  priority?: Priority;
  apiUrl?: string;
}

export const schema: Record<string, ConfigRule> = {
  apiKey: {
    type: "string",
    secret: true,
    min: 1,
    max: 100,
    description: "The API key of an API integration (Settings → Integrations → API)",
  },
  priority: {
    type: "enum",
    values: ["P1", "P2", "P3", "P4", "P5"],
    optional: true,
    description: "Priority of created alerts; default P1 (tests are always P3)",
  },
  apiUrl: {
    type: "url",
    optional: true,
    description: "https://api.opsgenie.com (default) or, for EU accounts, https://api.eu.opsgenie.com",
  },
};

const SOURCE = "Heartbeats";
const DETAILS_MAX = 8000;

function details(alert: Alert): Record<string, string> {
  const out: Record<string, string> = {};
  let used = 0;
  for (const [k, v] of alert.rendered.rows) {
    const value = clip(v, Math.max(0, DETAILS_MAX - used - k.length));
    if (value.length === 0) break;
    out[k] = value;
    used += k.length + value.length;
  }
  return out;
}

export function createBody(alert: Alert, config: Pick<OpsgenieConfig, "priority">) {
  const r = alert.rendered;
  const f = alert.facts;
  const tags = [...new Set(f.monitor.tags.map((t) => clip(t, 50)))].slice(0, 20);
  return {
    message: clip(r.subject.replace(/^\[Heartbeats\] /, ""), 130),
    alias: clip(alert.incidentKey, 512),
    description: clip(r.text, 15_000),
    tags,
    details: details(alert),
    entity: clip(f.monitor.name, 512),
    source: SOURCE,
    priority: alert.event === "test" ? "P3" : (config.priority ?? "P1"),
  };
}

/** Opsgenie's error body is {message, took, requestId}; the message says what was wrong. */
function judge(res: HttpResponse): SendResult {
  const verdict = httpOutcome(res, "Opsgenie");
  if (verdict.ok) return verdict;
  const answer = parseJson(res.body) as { message?: string } | undefined;
  return answer?.message ? { ...verdict, error: failureText("Opsgenie", res.status, answer.message) } : verdict;
}

export async function send(alert: Alert, config: OpsgenieConfig, io: ChannelIO): Promise<SendResult> {
  const api = (config.apiUrl ?? "https://api.opsgenie.com").replace(/\/+$/, "");
  const headers = { Authorization: `GenieKey ${config.apiKey}` };
  if (alert.event === "up") {
    const alias = encodeURIComponent(clip(alert.incidentKey, 512));
    const note = `${alert.rendered.title}: ${alert.rendered.summary}`;
    const url = `${api}/v2/alerts/${alias}/close?identifierType=alias`;
    return deliver(
      io,
      { method: "POST", url, headers, body: { source: SOURCE, note: clip(note, 25_000) } },
      "Opsgenie",
      { judge, secrets: [config.apiKey] },
    );
  }
  return deliver(
    io,
    { method: "POST", url: `${api}/v2/alerts`, headers, body: createBody(alert, config) },
    "Opsgenie",
    { judge, secrets: [config.apiKey] },
  );
}
