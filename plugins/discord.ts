// Discord channel: "Execute Webhook" (https://discord.com/developers/docs/resources/webhook)
// with one embed. Limits are Discord's embed limits (title 256, description 4096, 25 fields of
// 256/1024, 6000 characters in all); mentions are switched off so monitor names cannot ping.

import { escapeMarkdown } from "../core/alerts/alert.ts";
import type { Alert, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { clip, deliver, fenced } from "./http.ts";

export const type = "discord";
export const title = "Discord";

export interface DiscordConfig {
  url: string;
  username?: string;
}

export const schema: Record<string, ConfigRule> = {
  url: {
    type: "url",
    secret: true,
    description:
      "The webhook URL from the channel's Integrations settings (https://discord.com/api/webhooks/…); it embeds the token",
  },
  username: { type: "string", optional: true, min: 1, max: 80, description: "Overrides the webhook's display name" },
};

const EMBED_TOTAL = 6000;

export function message(alert: Alert, config: Pick<DiscordConfig, "username"> = {}) {
  const r = alert.rendered;
  const embedTitle = clip(r.title, 256);
  let description = clip(escapeMarkdown(r.summary), 1024);
  const fields = r.rows
    .slice(0, 25)
    .map(([k, v]) => ({ name: clip(k, 256), value: clip(escapeMarkdown(v), 1024) || "-", inline: v.length <= 40 }));
  const size = () =>
    embedTitle.length + description.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  // Only absurd rows overflow the whole-embed limit; the last ones give way.
  while (fields.length && size() > EMBED_TOTAL) fields.pop();
  const fixed = size() - description.length;
  if (r.failureText) {
    const label = `\n\n**${r.labels.failureReport}:**\n`;
    // The failure report gets what is left of both the description and the whole-embed budget.
    const room = Math.min(4096, EMBED_TOTAL - fixed) - description.length - label.length;
    const block = fenced(r.failureText, room);
    if (block) description += label + block;
  }
  const embed: Record<string, unknown> = {
    title: embedTitle,
    description: clip(description, 4096),
    color: parseInt(r.color.slice(1), 16),
    fields,
    timestamp: new Date(alert.facts.raisedAt).toISOString(),
  };
  if (r.url) embed.url = r.url;
  const body: Record<string, unknown> = { embeds: [embed], allowed_mentions: { parse: [] } };
  if (config.username) body.username = clip(config.username, 80);
  return body;
}

export async function send(alert: Alert, config: DiscordConfig, io: ChannelIO): Promise<SendResult> {
  return deliver(io, { method: "POST", url: config.url, body: message(alert, config) }, "Discord");
}
