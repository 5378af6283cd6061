// ntfy channel: JSON publishing (https://docs.ntfy.sh/publish/#publish-as-json), a POST to the
// server's root URL naming the topic in the body, with Markdown on. ntfy turns messages over
// 4096 bytes into attachments (or refuses them where attachments are off), so the failure
// report is cut to keep the message within that.

import { escapeMarkdown } from "../core/alerts/alert.ts";
import type { Alert, AlertEvent, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { clip, deliver, fenced } from "./http.ts";

export const type = "ntfy";
export const title = "ntfy";

export interface NtfyConfig {
  server?: string;
  topic: string;
  token?: string;
  username?: string;
  password?: string;
}

export const schema: Record<string, ConfigRule> = {
  server: { type: "url", optional: true, description: "The ntfy server; default https://ntfy.sh" },
  topic: {
    type: "string",
    pattern: /^[-_A-Za-z0-9]{1,64}$/,
    description: "The topic to publish to (letters, digits, - and _); on ntfy.sh anyone who knows it can read it",
  },
  token: {
    type: "string",
    optional: true,
    secret: true,
    max: 200,
    description: "An access token (tk_…), sent as a Bearer token",
  },
  username: { type: "string", optional: true, max: 200, description: "For basic auth, when no token is set" },
  password: { type: "string", optional: true, secret: true, max: 200, description: "For basic auth, with username" },
};

/** Basic auth needs both halves; the schema cannot say so. */
export function validate(c: NtfyConfig): { field: string; message: string }[] {
  if (Boolean(c.username) !== Boolean(c.password))
    return [{ field: c.username ? "password" : "username", message: "set both username and password for basic auth" }];
  return [];
}

const MESSAGE_BYTES = 4096;
const PRIORITY: Record<AlertEvent, number> = { down: 5, failure: 5, reminder: 4, up: 3, test: 3, report: 2 };
const TAGS: Record<AlertEvent, string[]> = {
  down: ["rotating_light"],
  failure: ["rotating_light"],
  reminder: ["warning"],
  up: ["white_check_mark"],
  test: ["test_tube"],
  report: ["bar_chart"],
};

const bytes = (s: string) => Buffer.byteLength(s, "utf8");

export function message(alert: Alert, topic: string) {
  const r = alert.rendered;
  let text =
    escapeMarkdown(r.summary) +
    "\n\n" +
    r.rows.map(([k, v]) => `**${escapeMarkdown(k)}:** ${escapeMarkdown(v)}`).join("  \n");
  while (bytes(text) > MESSAGE_BYTES) text = clip(text, text.length - (bytes(text) - MESSAGE_BYTES) - 1);
  if (r.failureText) {
    const label = `\n\n**${r.labels.failureReport}:**\n`;
    const block = fenced(r.failureText, MESSAGE_BYTES - bytes(text) - bytes(label), bytes);
    if (block) text += label + block;
  }
  const body: Record<string, unknown> = {
    topic,
    title: clip(r.title, 250),
    message: text,
    markdown: true,
    priority: PRIORITY[alert.event],
    tags: TAGS[alert.event],
  };
  if (r.url) body.click = r.url;
  return body;
}

export async function send(alert: Alert, config: NtfyConfig, io: ChannelIO): Promise<SendResult> {
  const headers: Record<string, string> = {};
  if (config.token) headers.Authorization = `Bearer ${config.token}`;
  else if (config.username && config.password)
    headers.Authorization = "Basic " + Buffer.from(`${config.username}:${config.password}`).toString("base64");
  const server = (config.server ?? "https://ntfy.sh").replace(/\/+$/, "");
  return deliver(io, { method: "POST", url: `${server}/`, headers, body: message(alert, config.topic) }, "ntfy", {
    secrets: [config.token ?? "", config.password ?? ""],
  });
}
