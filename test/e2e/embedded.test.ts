// The embedded default, as `npm start` runs it: one process, SQLite, no transporter.

import { before, after } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";
import { coreLoopTests, type System } from "./core-loop.ts";

let smtp: TestSmtp;
let proc: Proc;
let sys: System;
let dir: string;
let env: Record<string, string>;

before(async () => {
  smtp = await startSmtp();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-embedded-"));
  const port = await freePort();
  const admin: [string, string] = ["root", "correct horse battery"];
  env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, "heartbeats.sqlite")}`,
    SMTP_URL: smtp.url,
    ALERT_FROM: "heartbeats@test.local",
    ALERT_TO: "ops@test.local",
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    NOTIFIER_POLL_MS: "500",
  };
  const base = `http://127.0.0.1:${port}`;
  proc = startProcess("embedded", env);
  await waitReady(`${base}/readyz`, [proc]);
  sys = {
    base,
    api: api(base, admin),
    smtp,
    admin,
    async stopChecker() {
      await stopProcess(proc);
    },
    async startChecker() {
      proc = startProcess("embedded", env);
      await waitReady(`${base}/readyz`, [proc]);
    },
  };
});

after(async () => {
  if (proc) await stopProcess(proc);
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

coreLoopTests(() => sys, "embedded");
