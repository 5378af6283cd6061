// The email path loses nothing: an alert raised while the SMTP server is down, by a process
// that is then killed, is delivered — once — after both come back.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady, eventually } from "../support/system.ts";
import { startSmtp } from "../support/smtp.ts";
import { api, basic } from "../support/api.ts";

test("SMTP down, notifier killed: the alert arrives once after both recover", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-outbox-"));
  const smtpPort = await freePort();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const admin: [string, string] = ["root", "correct horse battery"];
  const env = {
    PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: admin[0], ADMIN_PASSWORD: admin[1],
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, ALERT_TO: "ops@test.local", NOTIFIER_POLL_MS: "200",
  };
  let proc = startProcess("outbox", env);
  try {
    await waitReady(`${base}/readyz`, [proc]);
    const client = api(base, admin);
    const m = (await client.call("POST", "/api/v1/monitors", { name: "offsite-copy", schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 } })).body;
    const res = await fetch(`${base}/api/pings/?service=${m.code}&data=${encodeURIComponent("rsync: connection refused")}`, { method: "POST", headers: { authorization: basic(...admin) } });
    assert.equal(res.status, 200);
    // The first attempt fails (nothing listens on the SMTP port) and is recorded as such.
    await eventually(async () => proc.output.join("").includes("will retry"), 5000, "a failed first attempt");
    proc.child.kill("SIGKILL");
    await proc.exited;

    const smtp = await startSmtp(smtpPort);
    try {
      proc = startProcess("outbox-restarted", env);
      await waitReady(`${base}/readyz`, [proc]);
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
      await stopProcess(proc);
      await smtp.close();
    }
  } finally {
    await stopProcess(proc);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
