// Email channel: nodemailer over SMTP, with TLS and authentication options. SMTP 4xx answers
// and connection trouble are retried; 5xx answers (bad address, rejected sender) are permanent.
// The SMTP server is the operator's own relay, usually on a private network, so the private
// address rule of the HTTP channels does not apply here.

import nodemailer, { type Transporter } from "nodemailer";
import type { Alert, ChannelIO, ConfigRule, SendResult } from "./channel.ts";

export const type = "email";
export const title = "Email";

export interface EmailConfig {
  /** a nodemailer SMTP URL instead of host/port/… (the SMTP_URL environment variable becomes this) */
  url?: string;
  host?: string;
  port?: number;
  security?: "starttls" | "tls" | "none";
  username?: string;
  password?: string;
  rejectUnauthorized?: boolean;
  from: string;
  to: string[];
}

export const schema: Record<string, ConfigRule> = {
  host: { type: "string", optional: true, trim: true, min: 1, max: 253, description: "SMTP server host name" },
  port: {
    type: "number",
    optional: true,
    integer: true,
    min: 1,
    max: 65535,
    convert: true,
    description: "SMTP port (587 for STARTTLS, 465 for TLS, 25 plain)",
  },
  security: {
    type: "enum",
    optional: true,
    values: ["starttls", "tls", "none"],
    description: "starttls (upgrade, required), tls (from the start) or none",
  },
  username: {
    type: "string",
    optional: true,
    max: 320,
    description: "SMTP user, when the server wants authentication",
  },
  password: { type: "string", optional: true, max: 1024, secret: true, description: "SMTP password" },
  url: {
    type: "string",
    optional: true,
    pattern: /^smtps?:\/\//i,
    secret: true,
    description: "a full smtp:// or smtps:// URL instead of host, port, security, username and password",
  },
  rejectUnauthorized: {
    type: "boolean",
    optional: true,
    convert: true,
    description: "check the server's TLS certificate (default true)",
  },
  from: { type: "email", description: "sender address" },
  to: { type: "array", min: 1, max: 50, items: { type: "email" }, description: "recipients" },
};

export function validate(c: EmailConfig): { field: string; message: string }[] {
  if (!c.url && !c.host) return [{ field: "host", message: "set host (or url)" }];
  return [];
}

// Pooled connections per distinct config: the alerts of one incident go out without a new
// SMTP handshake each. Bounded, so configs edited many times do not pile up connections.
const transports = new Map<string, Transporter>();
const MAX_TRANSPORTS = 32;

function transportFor(c: EmailConfig, timeoutMs: number): Transporter {
  const key = JSON.stringify([
    c.url,
    c.host,
    c.port,
    c.security,
    c.username,
    c.password,
    c.rejectUnauthorized,
    timeoutMs,
  ]);
  let t = transports.get(key);
  if (t) return t;
  if (transports.size >= MAX_TRANSPORTS) {
    const [oldestKey, oldest] = transports.entries().next().value!;
    oldest.close();
    transports.delete(oldestKey);
  }
  const timeouts = { connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs };
  const tls = { rejectUnauthorized: c.rejectUnauthorized !== false };
  t = c.url
    ? nodemailer.createTransport({ url: c.url, pool: true, maxConnections: 2, ...timeouts, tls } as never)
    : nodemailer.createTransport({
        host: c.host,
        port: c.port ?? (c.security === "tls" ? 465 : 587),
        secure: c.security === "tls",
        requireTLS: (c.security ?? "starttls") === "starttls",
        ignoreTLS: c.security === "none",
        auth: c.username ? { user: c.username, pass: c.password ?? "" } : undefined,
        pool: true,
        maxConnections: 2,
        ...timeouts,
        tls,
      });
  transports.set(key, t);
  return t;
}

export async function send(alert: Alert, c: EmailConfig, io: ChannelIO): Promise<SendResult> {
  try {
    const info = await transportFor(c, io.timeoutMs).sendMail({
      from: c.from,
      to: c.to,
      subject: alert.rendered.subject,
      text: alert.rendered.text,
      html: alert.rendered.html,
      headers: { "X-Heartbeats-Idempotency-Key": alert.idempotencyKey, "X-Heartbeats-Event": alert.event },
    });
    return { ok: true, detail: String(info.messageId ?? "") };
  } catch (err) {
    const e = err as { responseCode?: number; message?: string; code?: string };
    const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
    return { ok: false, retryable: !permanent, error: describe(e) };
  }
}

export function close(): void {
  for (const t of transports.values()) t.close();
  transports.clear();
}

/** An error message without the transport URL, which may carry the SMTP password. */
function describe(e: { responseCode?: number; message?: string; code?: string }): string {
  const msg = (e.message ?? "send failed").replace(/smtps?:\/\/[^\s]*/gi, "smtp://…");
  return [e.code, e.responseCode, msg].filter((x) => x !== undefined && x !== "").join(" ");
}
