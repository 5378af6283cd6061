// The distributed run: MariaDB, NATS, and the services split across two processes
// (gateway + registry + ingest | checker + notifier), so every call and event crosses NATS.

import { before, after, describe } from "node:test";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { freePort, startProcess, stopProcess, waitReady, waitOutput, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";
import { needs, scratchDatabase, NATS_URL } from "../support/services.ts";
import { coreLoopTests, type System } from "./core-loop.ts";
import { randomBytes } from "node:crypto";

const skip = await needs(["mariadb", "nats"]);

describe("distributed: MariaDB + NATS, two processes", { skip }, () => {
  let smtp: TestSmtp;
  let front: Proc;
  let back: Proc;
  let sys: System;
  let drop: () => Promise<void>;
  let backEnv: Record<string, string>;

  before(async () => {
    smtp = await startSmtp();
    const db = await scratchDatabase();
    drop = db.drop;
    const port = await freePort();
    const admin: [string, string] = ["root", "correct horse battery"];
    const ns = randomBytes(3).toString("hex");
    const common = {
      DATABASE_URL: db.url,
      TRANSPORTER: NATS_URL,
      SMTP_URL: smtp.url,
      ALERT_TO: "ops@test.local",
      NOTIFIER_POLL_MS: "500",
      // Each run gets its own Moleculer namespace so that parallel runs on one NATS never meet.
      NAMESPACE: `hb-test-${ns}`,
    };
    const base = `http://127.0.0.1:${port}`;
    front = startProcess("front", {
      ...common,
      SERVICES: "gateway,registry,ingest",
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_USERNAME: admin[0],
      ADMIN_PASSWORD: admin[1],
      NODE_ID: `front-${ns}`,
    });
    backEnv = { ...common, SERVICES: "checker,notifier", NODE_ID: `back-${ns}` };
    back = startProcess("back", backEnv);
    await waitReady(`${base}/readyz`, [front, back], 60_000);
    await waitOutput(back, /checker watching/, 60_000);
    await waitOutput(front, /Node 'back-[0-9a-f]+' connected/, 60_000);
    sys = {
      base,
      api: api(base, admin),
      smtp,
      admin,
      async stopChecker() {
        await stopProcess(back);
      },
      async startChecker() {
        back = startProcess("back", backEnv);
        await waitOutput(back, /checker watching/, 60_000);
      },
    };
  });

  after(async () => {
    if (front) await stopProcess(front);
    if (back) await stopProcess(back);
    await smtp?.close();
    await drop?.();
  });

  coreLoopTests(() => sys, "distributed");
});
