// Slack channel: an incoming webhook (https://api.slack.com/messaging/webhooks) posting Block
// Kit. Slack's mrkdwn has no backslash escape; its only escaping is &, < and >, so that is all
// that is done. Limits are Block Kit's: header 150, section text 3000, 10 fields of 2000 each.

import type { Alert, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { clip, deliver } from "./http.ts";

export const type = "slack";
export const title = "Slack";

export interface SlackConfig {
  url: string;
}

export const schema: Record<string, ConfigRule> = {
  url: {
    type: "url",
    secret: true,
    description:
      "The incoming webhook URL from your Slack app (https://hooks.slack.com/services/…); it embeds the token",
  },
};

export function escapeSlack(s: string): string {
  return s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

/** A code block whose text cannot close it early: backtick runs are broken with zero-width spaces. */
function slackCode(text: string, max: number): string {
  const inner = escapeSlack(text.replace(/`{3,}/g, (run) => run.split("").join("\u200b")));
  return "```" + clip(inner, max - 6).replace(/&[a-z]*…$/, "…") + "```";
}

export function message(alert: Alert) {
  const r = alert.rendered;
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(r.title, 150), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: clip(escapeSlack(r.summary), 3000) } },
  ];
  const fields = r.rows.map(([k, v]) => ({
    type: "mrkdwn",
    text: clip(`*${escapeSlack(k)}*\n${escapeSlack(v)}`, 2000),
  }));
  for (let i = 0; i < fields.length; i += 10) blocks.push({ type: "section", fields: fields.slice(i, i + 10) });
  if (r.failureText) {
    const label = `*${escapeSlack(r.labels.failureReport)}:*\n`;
    blocks.push({
      type: "section",
      text: { type: "mrkdwn", text: label + slackCode(r.failureText, 3000 - label.length) },
    });
  }
  if (r.url) {
    // Inside <url|label> a "|" would end the URL, and &, <, > must be escaped as everywhere.
    const href = escapeSlack(r.url.replace(/\|/g, "%7C"));
    blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${href}|${escapeSlack(r.labels.open)}>` }] });
  }
  // `text` is the notification and screen-reader fallback for the blocks.
  return { text: clip(escapeSlack(r.subject), 3000), blocks };
}

export async function send(alert: Alert, config: SlackConfig, io: ChannelIO): Promise<SendResult> {
  return deliver(io, { method: "POST", url: config.url, body: message(alert) }, "Slack");
}
