// The embedded default, as `npm start` runs it: one process, SQLite, no transporter.

import { before, after } from "node:test";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { stopProcess } from "../support/system.ts";
import { startServer, type Server } from "../support/server.ts";
import { coreLoopTests, type System } from "./core-loop.ts";

let smtp: TestSmtp;
let server: Server;
let sys: System;

before(async () => {
  smtp = await startSmtp();
  const admin: [string, string] = ["root", "correct horse battery"];
  server = await startServer(
    "embedded",
    { SMTP_URL: smtp.url, ALERT_FROM: "heartbeats@test.local", ALERT_TO: "ops@test.local", NOTIFIER_POLL_MS: "500" },
    { admin },
  );
  sys = {
    base: server.base,
    api: server.api,
    smtp,
    admin,
    async stopChecker() {
      await stopProcess(server.proc);
    },
    async startChecker() {
      await server.restart();
    },
  };
});

after(async () => {
  await server?.stop();
  await smtp?.close();
});

coreLoopTests(() => sys, "embedded");
