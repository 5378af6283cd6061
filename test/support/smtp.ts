// A real SMTP server for tests (the smtp-server package): every message it accepts is parsed
// just enough to assert on recipients, subject and body.

import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string[];
  subject: string;
  /** the X-Heartbeats-Idempotency-Key header */
  idempotencyKey: string | null;
  raw: string;
  receivedAt: number;
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** messages answered with a 4xx so far (see rejectFirst) */
  rejected: number;
  /** waits until `predicate` holds for the received mails, or fails after `timeoutMs` */
  waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs: number, what: string): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function decodeHeader(value: string): string {
  // =?UTF-8?Q?…?= / =?UTF-8?B?…?= encoded words, as nodemailer writes non-ASCII subjects
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(
          text.replace(/_/g, " ").replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          "latin1",
        ).toString("utf8"),
  );
}

export function bodyText(raw: string): string {
  // Undo quoted-printable soft breaks and escapes so assertions can look for plain text.
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/** rejectFirst: answer the first N messages with "451 try again later", as a struggling relay does. */
export async function startSmtp(port = 0, opts: { rejectFirst?: number } = {}): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
  let rejected = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    // No reverse DNS of the client: it only adds a look-up that fails on a closed network.
    disableReverseLookup: true,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const headerEnd = raw.search(/\r?\n\r?\n/);
        const headers = raw.slice(0, headerEnd).replace(/\r?\n[ \t]+/g, " ");
        if (rejected < (opts.rejectFirst ?? 0)) {
          rejected++;
          return callback(Object.assign(new Error("try again later"), { responseCode: 451 }));
        }
        const subject = decodeHeader(/^Subject: (.*)$/im.exec(headers)?.[1] ?? "");
        const idempotencyKey = /^X-Heartbeats-Idempotency-Key: (.*)$/im.exec(headers)?.[1]?.trim() ?? null;
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          subject,
          idempotencyKey,
          raw: bodyText(raw),
          receivedAt: Date.now(),
        });
        callback();
      });
    },
  });
  // A client killed mid-session (a SIGKILLed notifier) resets its socket: that is its business.
  server.on("error", () => {});
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    mails,
    get rejected() {
      return rejected;
    },
    async waitFor(predicate, timeoutMs, what) {
      const until = Date.now() + timeoutMs;
      while (!predicate(mails)) {
        if (Date.now() > until)
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; got ${mails.length} mails: ${mails.map((m) => m.subject).join(" | ")}`,
          );
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
