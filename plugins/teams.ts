// Microsoft Teams channel: a Workflows (Power Automate) webhook, "Post to a channel when a
// webhook request is received", which takes a message with one Adaptive Card attachment
// (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-incoming-webhook).
// The retired Office 365 connectors' MessageCard format is not spoken. Teams refuses messages
// over about 28 KB, so the failure report is cut well below that.

import type { Alert, ChannelIO, ConfigRule, SendResult } from "./channel.ts";
import { clip, deliver } from "./http.ts";

export const type = "teams";
export const title = "Microsoft Teams";

export interface TeamsConfig {
  url: string;
}

export const schema: Record<string, ConfigRule> = {
  url: {
    type: "url",
    secret: true,
    description: "The HTTP POST URL of the Teams workflow's webhook trigger; its sig parameter is the token",
  },
};

const FAILURE_MAX = 12_000;
const TITLE_COLOR = {
  down: "attention",
  failure: "attention",
  up: "good",
  reminder: "warning",
  test: "accent",
  report: "accent",
} as const;

export function message(alert: Alert) {
  const r = alert.rendered;
  const body: unknown[] = [
    {
      type: "TextBlock",
      text: r.title,
      size: "large",
      weight: "bolder",
      color: TITLE_COLOR[alert.event],
      wrap: true,
      style: "heading",
    },
    { type: "TextBlock", text: r.summary, wrap: true },
    { type: "FactSet", facts: r.rows.map(([k, v]) => ({ title: k, value: v })) },
  ];
  if (r.failureText) {
    body.push(
      { type: "TextBlock", text: r.labels.failureReport, weight: "bolder", spacing: "medium" },
      { type: "TextBlock", text: clip(r.failureText, FAILURE_MAX), fontType: "monospace", wrap: true },
    );
  }
  const content: Record<string, unknown> = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    msteams: { width: "Full" },
  };
  if (r.url) content.actions = [{ type: "Action.OpenUrl", title: r.labels.open, url: r.url }];
  return {
    type: "message",
    summary: r.subject,
    attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content }],
  };
}

export async function send(alert: Alert, config: TeamsConfig, io: ChannelIO): Promise<SendResult> {
  return deliver(io, { method: "POST", url: config.url, body: message(alert) }, "Microsoft Teams");
}
