// Gotify channel: POST /message (https://gotify.net/api-docs) with the application token in
// the X-Gotify-Key header rather than the ?token= query, so it never lands in access logs.
// The clients render Markdown when the client::display extra says so.

import { escapeMarkdown } from "../core/alerts/alert.ts";
import type { Alert, AlertEvent, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { clip, deliver, fenced } from "./http.ts";

export const type = "gotify";
export const title = "Gotify";

export interface GotifyConfig {
  server: string;
  appToken: string;
}

export const schema: Record<string, ConfigRule> = {
  server: {
    type: "url",
    description: "The Gotify server, e.g. https://gotify.example.com (a sub-path behind a proxy is fine)",
  },
  appToken: {
    type: "string",
    secret: true,
    min: 1,
    max: 200,
    description: "The token of a Gotify application (Apps → create application)",
  },
};

// Gotify's Android client: 8 and above interrupts, 4–7 sounds, 1–3 stays quiet.
const PRIORITY: Record<AlertEvent, number> = { down: 8, failure: 8, reminder: 7, up: 4, test: 4, report: 2 };
const FAILURE_MAX = 16_000;

export function message(alert: Alert) {
  const r = alert.rendered;
  let text =
    escapeMarkdown(r.summary) +
    "\n\n" +
    r.rows.map(([k, v]) => `**${escapeMarkdown(k)}:** ${escapeMarkdown(v)}`).join("  \n");
  if (r.failureText) text += `\n\n**${r.labels.failureReport}:**\n` + fenced(r.failureText, FAILURE_MAX);
  const extras: Record<string, unknown> = { "client::display": { contentType: "text/markdown" } };
  if (r.url) extras["client::notification"] = { click: { url: r.url } };
  return { title: clip(r.title, 250), message: text, priority: PRIORITY[alert.event], extras };
}

export async function send(alert: Alert, config: GotifyConfig, io: ChannelIO): Promise<SendResult> {
  const url = `${config.server.replace(/\/+$/, "")}/message`;
  return deliver(
    io,
    { method: "POST", url, headers: { "X-Gotify-Key": config.appToken }, body: message(alert) },
    "Gotify",
    { secrets: [config.appToken] },
  );
}
