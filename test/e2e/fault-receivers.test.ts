// test-runner: alone (it times real work against the machine: see test/run.ts)
// A fault: the webhook receiver and the SMTP server are both down for minutes while monitors go
// down. The alerts wait in the outbox, retried with backoff, and every one arrives once after
// the receivers come back: alerts expected, delivered, duplicated.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { eventually } from "../support/system.ts";
import { startServer, type Server } from "../support/server.ts";
import { startReceiver } from "../support/receiver.ts";
import { startSmtp } from "../support/smtp.ts";

const OUTAGE_S = Number(process.env.FAULT_OUTAGE_SECONDS ?? 120);
const MONITORS = 20;

test(
  `webhook and SMTP receivers down for ${OUTAGE_S} s: every alert delivered once after they return`,
  { timeout: (OUTAGE_S + 120) * 1000 },
  async (t) => {
    // Take two ports and free them: nothing listens there during the outage.
    const probeRx = await startReceiver();
    const probeSmtp = await startSmtp();
    const [rxPort, smtpPort] = [probeRx.port, probeSmtp.port];
    await probeRx.close();
    await probeSmtp.close();
    let server: Server | null = null;
    let rx: Awaited<ReturnType<typeof startReceiver>> | null = null;
    let smtp: Awaited<ReturnType<typeof startSmtp>> | null = null;
    try {
      server = await startServer("fault-receivers", {
        ALLOW_PRIVATE_WEBHOOKS: "true",
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        ALERT_TO: "ops@test.local",
        NOTIFIER_POLL_MS: "500",
        DELIVERY_RETRY_FIRST_DELAY: "1",
        DELIVERY_RETRY_MAX_DELAY: "10",
        CHANNEL_TIMEOUT_MS: "2000",
      });
      const a = server.api;
      const dbFile = path.join(server.dir, "hb.sqlite");
      const hook = (
        await a.call("POST", "/api/v1/channels", {
          name: "hook",
          type: "webhook",
          config: { url: `http://127.0.0.1:${rxPort}/alerts` },
        })
      ).body;
      const email = (await a.call("GET", "/api/v1/channels")).body.items.find(
        (c: { managedBy: string | null }) => c.managedBy === "environment",
      );
      assert.ok(email?.enabled, "the environment's email channel");
      // Never pinged: down 2 s after creation.
      for (let i = 0; i < MONITORS; i++) {
        const r = await a.call("POST", "/api/v1/monitors", {
          name: `job-${i}`,
          schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
          channels: [hook.id, email.id],
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      const expected = MONITORS * 2;
      const states = () => {
        const db = new DatabaseSync(dbFile, { readOnly: true });
        try {
          return Object.fromEntries(
            db
              .prepare("SELECT state, COUNT(*) AS n, MAX(attempts) AS most FROM deliveries GROUP BY state")
              .all()
              .map((r) => [r.state as string, { n: Number(r.n), most: Number(r.most) }]),
          );
        } finally {
          db.close();
        }
      };
      await new Promise((r) => setTimeout(r, OUTAGE_S * 1000));
      const during = states();
      t.diagnostic(`after ${OUTAGE_S} s of outage: ${JSON.stringify(during)}`);
      // "sending" is a row claimed for an attempt at this very moment: still waiting in the outbox.
      const waiting = (during.pending?.n ?? 0) + (during.sending?.n ?? 0);
      assert.equal(waiting, expected, "every alert waits in the outbox");
      assert.equal(during.failed, undefined, "none given up");
      assert.ok(Math.max(during.pending?.most ?? 0, during.sending?.most ?? 0) > 3, "retried meanwhile");

      const back = Date.now();
      rx = await startReceiver(rxPort);
      smtp = await startSmtp(smtpPort);
      await eventually(async () => (states().sent?.n ?? 0) === expected, 60_000, "every delivery sent", 250);
      const lastArrival = Math.max(...rx.requests.map((r) => r.at), ...smtp.mails.map((m) => m.receivedAt));
      await new Promise((r) => setTimeout(r, 3000));
      const hooks = rx.byKey();
      const mailKeys = new Map<string, number>();
      for (const m of smtp.mails)
        mailKeys.set(m.idempotencyKey ?? "none", (mailKeys.get(m.idempotencyKey ?? "none") ?? 0) + 1);
      const delivered = hooks.size + mailKeys.size;
      const duplicated = [...hooks.values(), ...mailKeys.values()].reduce((s, n) => s + n - 1, 0);
      t.diagnostic(
        `alerts expected ${expected}, delivered ${delivered}, duplicated ${duplicated}; all in ${lastArrival - back} ms after the receivers returned`,
      );
      assert.equal(hooks.size, MONITORS);
      assert.equal(mailKeys.size, MONITORS);
      assert.ok(!mailKeys.has("none"));
      assert.equal(duplicated, 0);
      assert.equal(delivered, expected);
    } finally {
      await server?.stop();
      await rx?.close();
      await smtp?.close();
    }
  },
);
