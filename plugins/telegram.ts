// Telegram channel: the Bot API's sendMessage (https://core.telegram.org/bots/api#sendmessage)
// with parse_mode HTML, using only <b>, <a href> and <pre> and escaping &, <, >. The bot token
// sits in the URL path, which is why it is handed to deliver() as a secret. Telegram's
// 4096-character limit counts the text after entity parsing, so it is met by cutting the
// failure report (then the rest) as text, before any markup is added.

import type { Alert, ChannelIO, ConfigRule, HttpResponse, SendResult } from "./channel.ts";
import { clip, deliver, failureText, httpOutcome, parseJson } from "./http.ts";

export const type = "telegram";
export const title = "Telegram";

export interface TelegramConfig {
  botToken: string;
  chatId: string;
  messageThreadId?: number;
  apiUrl?: string;
}

export const schema: Record<string, ConfigRule> = {
  botToken: {
    type: "string",
    secret: true,
    pattern: /^\d+:[A-Za-z0-9_-]+$/,
    max: 100,
    description: "The bot's token from @BotFather, like 123456:ABC-DEF…",
  },
  chatId: {
    type: "string",
    pattern: /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{4,31})$/,
    description: "The chat to post in: a numeric id (groups are negative) or @channelusername",
  },
  messageThreadId: {
    type: "number",
    optional: true,
    integer: true,
    positive: true,
    description: "The topic to post in, for forum supergroups",
  },
  apiUrl: {
    type: "url",
    optional: true,
    description: "A self-hosted Bot API server; default https://api.telegram.org",
  },
};

const LIMIT = 4096;

const esc = (s: string) => s.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
const escAttr = (s: string) => esc(s).replace(/"/g, "&quot;");

/** A piece of the message: its text is what Telegram counts, its markup wraps the escaped text. */
type Part = { text: string; open?: string; close?: string };

export function messageText(alert: Alert): string {
  const r = alert.rendered;
  const parts: Part[] = [{ text: r.title, open: "<b>", close: "</b>" }, { text: `\n${r.summary}\n` }];
  for (const [k, v] of r.rows)
    parts.push({ text: `\n` }, { text: `${k}:`, open: "<b>", close: "</b>" }, { text: ` ${v}` });
  let failure: Part | null = null;
  if (r.failureText) {
    parts.push({ text: `\n\n${r.labels.failureReport}:\n` });
    failure = { text: r.failureText, open: "<pre>", close: "</pre>" };
    parts.push(failure);
  }
  if (r.url) parts.push({ text: "\n\n" }, { text: r.labels.open, open: `<a href="${escAttr(r.url)}">`, close: "</a>" });

  const total = () => parts.reduce((n, p) => n + p.text.length, 0);
  if (failure && total() > LIMIT)
    failure.text = clip(failure.text, Math.max(1, failure.text.length - (total() - LIMIT)));
  // Still too long (absurd monitor names): cut from the end, part by part.
  for (let i = parts.length - 1; total() > LIMIT && i >= 0; i--) {
    const over = total() - LIMIT;
    if (parts[i].text.length > over) parts[i].text = clip(parts[i].text, parts[i].text.length - over);
    else parts.splice(i, 1);
  }
  return parts.map((p) => (p.open ?? "") + esc(p.text) + (p.close ?? "")).join("");
}

function apiBase(config: TelegramConfig): string {
  return (config.apiUrl ?? "https://api.telegram.org").replace(/\/+$/, "");
}

/** Telegram's own verdict ({ok, error_code, description}) when it gave one. */
function judge(res: HttpResponse): SendResult {
  const answer = parseJson(res.body) as
    { ok?: boolean; description?: string; result?: { message_id?: number } } | undefined;
  if (res.status === 200 && answer?.ok === true)
    return { ok: true, detail: `Telegram message ${answer.result?.message_id ?? "sent"}` };
  const verdict = httpOutcome(res, "Telegram");
  if (verdict.ok) return { ok: false, retryable: false, error: failureText("Telegram", res.status, res.body) };
  return answer?.description ? { ...verdict, error: failureText("Telegram", res.status, answer.description) } : verdict;
}

export async function send(alert: Alert, config: TelegramConfig, io: ChannelIO): Promise<SendResult> {
  const body: Record<string, unknown> = {
    chat_id: config.chatId,
    text: messageText(alert),
    parse_mode: "HTML",
    link_preview_options: { is_disabled: true },
  };
  if (config.messageThreadId !== undefined) body.message_thread_id = config.messageThreadId;
  // The token is in the path: deliver() keeps it out of error messages.
  const url = `${apiBase(config)}/bot${config.botToken}/sendMessage`;
  return deliver(io, { method: "POST", url, body }, "Telegram", { judge, secrets: [config.botToken] });
}
