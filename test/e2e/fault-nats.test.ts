// test-runner: alone (it times real work against the machine: see test/run.ts)
// A fault: the transporter (NATS) is killed under 500 pings/s and restarted 4 s later, with
// the gateway and ingest in different processes so that every ping crosses it. Meanwhile pings
// wait for it or fail cleanly (503 after the request time-out, never a 500 or a dropped
// connection); nothing acknowledged is lost; the processes reconnect by themselves and pings
// are stored again; a deadline that passed during the outage flips and is alerted once.

import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { freePort, startProcess, stopProcess, waitReady, waitOutput, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";
import { startReceiver } from "../support/receiver.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import { startPrivateNats, privateNatsAvailable } from "../support/private-nats.ts";
import { runPingLoad } from "../support/ping-load.ts";
import { faultMonitors, lostPings, outage, victimAlertedOnce } from "../support/fault-scenario.ts";

const skip = privateNatsAvailable() ?? (await needs(["mariadb"]));

test(
  "NATS killed and restarted under 500 pings/s: clean failures meanwhile, nothing acknowledged lost, reconnection by itself",
  { skip, timeout: 180_000 },
  async (t) => {
    const nats = await startPrivateNats();
    const db = await scratchDatabase();
    const rx = await startReceiver();
    const procs: Proc[] = [];
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const admin: [string, string] = ["root", "correct horse battery"];
      const ns = randomBytes(3).toString("hex");
      const common = {
        DATABASE_URL: db.url,
        TRANSPORTER: nats.url,
        NAMESPACE: `hb-fault-${ns}`,
        PING_AUTH: "none",
        ALLOW_PRIVATE_WEBHOOKS: "true",
        NOTIFIER_POLL_MS: "500",
      };
      const front = startProcess("front", {
        ...common,
        SERVICES: "gateway,registry",
        PORT: String(port),
        HOST: "127.0.0.1",
        ADMIN_USERNAME: admin[0],
        ADMIN_PASSWORD: admin[1],
        NODE_ID: `front-${ns}`,
      });
      const back = startProcess("back", { ...common, SERVICES: "ingest,checker,notifier", NODE_ID: `back-${ns}` });
      procs.push(front, back);
      await waitReady(`${base}/readyz`, procs, 60_000);
      await waitOutput(front, new RegExp(`Node 'back-${ns}' connected`), 60_000);
      const a = api(base, admin);
      const { codes, victimId } = await faultMonitors(a, rx, 100);

      const fault = outage(
        6000,
        10_000,
        () => nats.stop("SIGKILL"),
        () => nats.start(),
      );
      let cursor = 0;
      const load = await runPingLoad({
        base,
        rate: 500,
        seconds: 26,
        // While NATS is down calls wait for it (up to the 15 s request time-out) rather than fail
        // at once: a job's ping held for a few seconds and then stored beats a refusal. So many
        // pile up; let them, instead of counting them as the generator's own backlog.
        maxOutstanding: 100_000,
        next: () => codes[cursor++ % codes.length]!,
        onTick: fault.onTick,
      });
      assert.equal(fault.state(), "restarted");
      t.diagnostic(
        `offered ${load.offered}, acknowledged ${load.acknowledged}, refused ${JSON.stringify(load.refused)}`,
      );
      const statuses = Object.keys(load.refused);
      assert.ok(statuses.length > 0, "the outage was felt");
      assert.ok(
        statuses.every((s) => s === "503"),
        `refusals are 503s: ${JSON.stringify(load.refused)}`,
      );
      // Pings held during the outage go out when the gateway's process reconnects; the ones that
      // reach NATS before ingest's process has subscribed again are lost there and end as 503s 15 s
      // later. Every ping sent from 3 s after NATS came back must be stored: reconnected by itself.
      const tail = load.answers.filter(([, , sentAt]) => sentAt >= 13_000);
      const seen = () =>
        procs
          .map(
            (p) =>
              `--- ${p.name}\n` +
              p.output
                .join("")
                .split("\n")
                .filter((l) => /connected|NATS|WARN|ERROR/.test(l))
                .join("\n"),
          )
          .join("\n");
      assert.ok(
        tail.length > 1000 && tail.every(([, s]) => s === "200"),
        `reconnected: ${JSON.stringify(tail.filter(([, s]) => s !== "200").slice(0, 5))}; the load began at ${new Date(load.startedAt).toISOString()}\n${seen()}`,
      );
      const lastRefusal = load.answers.filter(([, s]) => s !== "200").at(-1)![0];
      t.diagnostic(`last refusal at ${lastRefusal} ms: ${lastRefusal - 10_000} ms after NATS came back`);

      const sql = await mysql.createConnection(db.url);
      const pings = await lostPings(sql, codes, load.acked);
      t.diagnostic(
        `stored ${pings.stored} for ${load.acknowledged} acknowledged (${pings.surplus} stored whose answer was lost with the transporter)`,
      );
      assert.deepEqual(pings.lost, [], "every acknowledged ping is stored");
      await victimAlertedOnce(a, sql, rx, victimId);
      await sql.end();
      for (const p of procs) assert.equal(p.child.exitCode, null, `${p.name} never died`);
    } finally {
      for (const p of procs) await stopProcess(p);
      await nats.stop();
      await rx.close();
      await db.drop();
    }
  },
);
