// test-runner: alone (it times real work against the machine: see test/run.ts)
// The email path loses nothing: an alert raised while the SMTP server is down, by a process
// that is then killed, is delivered — once — after both come back.

import { test } from "node:test";
import assert from "node:assert/strict";
import { freePort, stopProcess, eventually } from "../support/system.ts";
import { startSmtp } from "../support/smtp.ts";
import { basic } from "../support/api.ts";
import { startServer } from "../support/server.ts";

test("SMTP down, notifier killed: the alert arrives once after both recover", async (t) => {
  const smtpPort = await freePort();
  const admin: [string, string] = ["root", "correct horse battery"];
  const server = await startServer(
    "outbox",
    { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ALERT_TO: "ops@test.local", NOTIFIER_POLL_MS: "200" },
    { admin },
  );
  const { base, api: client } = server;
  try {
    const m = (
      await client.call("POST", "/api/v1/monitors", {
        name: "offsite-copy",
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      })
    ).body;
    const res = await fetch(
      `${base}/api/pings/?service=${m.code}&data=${encodeURIComponent("rsync: connection refused")}`,
      { method: "POST", headers: { authorization: basic(...admin) } },
    );
    assert.equal(res.status, 200);
    // The first attempt fails (nothing listens on the SMTP port) and is recorded as such.
    await eventually(async () => server.proc.output.join("").includes("will retry"), 5000, "a failed first attempt");
    server.proc.child.kill("SIGKILL");
    await server.proc.exited;

    const smtp = await startSmtp(smtpPort);
    try {
      await server.restart();
      const started = Date.now();
      // The retry is due 5 s (±20 %) after the failed attempt, whoever runs the notifier then.
      await smtp.waitFor((mails) => mails.length >= 1, 15_000, "the alert after recovery");
      t.diagnostic(`delivered ${Date.now() - started} ms after the restart`);
      assert.match(smtp.mails[0]!.subject, /FAILED: offsite-copy/);
      assert.match(smtp.mails[0]!.raw, /rsync: connection refused/);
      await new Promise((r) => setTimeout(r, 2000));
      assert.equal(smtp.mails.length, 1, "delivered once");
    } finally {
      // The notifier holds a pooled SMTP connection: stop it first, or close() waits for it.
      await stopProcess(server.proc);
      await smtp.close();
    }
  } finally {
    await server.stop();
  }
});
