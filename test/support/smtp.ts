// A real SMTP server for tests (the smtp-server package): every message it accepts is parsed
// just enough to assert on recipients, subject and body.

import { SMTPServer } from "smtp-server";
import type { AddressInfo } from "node:net";

export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
  receivedAt: number;
}

export interface TestSmtp {
  url: string;
  port: number;
  mails: ReceivedMail[];
  /** waits until `predicate` holds for the received mails, or fails after `timeoutMs` */
  waitFor(predicate: (mails: ReceivedMail[]) => boolean, timeoutMs: number, what: string): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function decodeHeader(value: string): string {
  // =?UTF-8?Q?…?= / =?UTF-8?B?…?= encoded words, as nodemailer writes non-ASCII subjects
  return value.replace(/=\?utf-8\?([qb])\?([^?]*)\?=\s*/gi, (_m, enc: string, text: string) =>
    enc.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(text.replace(/_/g, " ").replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), "latin1").toString("utf8"),
  );
}

export function bodyText(raw: string): string {
  // Undo quoted-printable soft breaks and escapes so assertions can look for plain text.
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
}

export async function startSmtp(port = 0): Promise<TestSmtp> {
  const mails: ReceivedMail[] = [];
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
        const subject = decodeHeader(/^Subject: (.*)$/im.exec(headers)?.[1] ?? "");
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw: bodyText(raw), receivedAt: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const bound = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${bound}`,
    port: bound,
    mails,
    async waitFor(predicate, timeoutMs, what) {
      const until = Date.now() + timeoutMs;
      while (!predicate(mails)) {
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${mails.length} mails: ${mails.map((m) => m.subject).join(" | ")}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return mails;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
