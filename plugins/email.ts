// Email channel: nodemailer over SMTP. SMTP 4xx answers and connection trouble are retried;
// 5xx answers (bad address, rejected sender) are permanent.

import nodemailer from "nodemailer";
import type { Alert, Channel, SendResult } from "./channel.ts";

export interface EmailConfig {
  url: string;
  from: string;
  to: string[];
}

export const type = "email";

export function createEmailChannel(cfg: EmailConfig): Channel {
  // A pooled connection: the alerts of one incident go out without a new SMTP handshake each.
  const transport = nodemailer.createTransport(cfg.url + (cfg.url.includes("?") ? "&" : "?") + "pool=true&maxConnections=2", { from: cfg.from });
  return {
    type,
    async send(alert: Alert): Promise<SendResult> {
      try {
        const info = await transport.sendMail({
          from: cfg.from,
          to: cfg.to,
          subject: alert.subject,
          text: alert.text,
          html: alert.html,
          headers: { "X-Heartbeats-Idempotency-Key": alert.idempotencyKey },
        });
        return { ok: true, detail: String(info.messageId ?? "") };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string; code?: string };
        const permanent = typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
        return { ok: false, retryable: !permanent, error: describe(e) };
      }
    },
    close() {
      transport.close();
    },
  };
}

/** An error message without the transport URL, which may carry the SMTP password. */
function describe(e: { responseCode?: number; message?: string; code?: string }): string {
  const msg = (e.message ?? "send failed").replace(/smtps?:\/\/[^\s]*/gi, "smtp://…");
  return [e.code, e.responseCode, msg].filter((x) => x !== undefined && x !== "").join(" ");
}
