// test-runner: alone (it times real work against the machine: see test/run.ts)
// A fault: the database crashes (SIGKILL) under 500 pings/s and comes back 6 s later, on a
// MariaDB server of the test's own. While it is down, pings are refused with 503 and a
// Retry-After; none is acknowledged without being stored; afterwards every service recovers
// by itself — pings are stored again, and a deadline that passed during the outage flips and
// is alerted once.

import { test } from "node:test";
import assert from "node:assert/strict";
import mysql from "mysql2/promise";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";
import { startReceiver } from "../support/receiver.ts";
import { startPrivateMariadb, privateMariadbAvailable } from "../support/private-mariadb.ts";
import { runPingLoad } from "../support/ping-load.ts";
import { faultMonitors, lostPings, outage, victimAlertedOnce } from "../support/fault-scenario.ts";

const skip = privateMariadbAvailable();

test(
  "MariaDB killed and restarted under 500 pings/s: 503 + Retry-After meanwhile, nothing acknowledged is lost, recovery by itself",
  { skip, timeout: 180_000 },
  async (t) => {
    const db = await startPrivateMariadb();
    const rx = await startReceiver();
    let proc: Proc | null = null;
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const admin: [string, string] = ["root", "correct horse battery"];
      proc = startProcess("fault-mariadb", {
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: db.url,
        PING_AUTH: "none",
        ADMIN_USERNAME: admin[0],
        ADMIN_PASSWORD: admin[1],
        ALLOW_PRIVATE_WEBHOOKS: "true",
        NOTIFIER_POLL_MS: "500",
        DELIVERY_RETRY_FIRST_DELAY: "1",
      });
      await waitReady(`${base}/readyz`, [proc], 60_000);
      const a = api(base, admin);
      const { codes, victimId } = await faultMonitors(a, rx, 200);

      const fault = outage(
        6000,
        12_000,
        () => db.stop("SIGKILL"),
        () => db.start(),
      );
      let cursor = 0;
      const load = await runPingLoad({
        base,
        rate: 500,
        seconds: 24,
        next: () => codes[cursor++ % codes.length]!,
        onTick: fault.onTick,
      });
      assert.equal(fault.state(), "restarted");

      // What a job saw: 2xx, or 503 with Retry-After — never a 500, a hang or a dropped connection.
      t.diagnostic(
        `offered ${load.offered}, acknowledged ${load.acknowledged}, refused ${JSON.stringify(load.refused)}, with Retry-After ${load.retryAfter}`,
      );
      assert.ok(
        Object.keys(load.refused).every((s) => s === "503"),
        `refusals: ${JSON.stringify(load.refused)}`,
      );
      const refused = load.offered - load.acknowledged;
      assert.ok(refused > 0, "the outage was felt");
      assert.equal(load.retryAfter, refused, "every 503 says when to retry");
      // The last 4 s of the run (8 s after the restart) are all acknowledged: recovered by itself.
      const tail = load.answers.filter(([at]) => at >= 20_000);
      assert.ok(
        tail.length > 1000 && tail.every(([, s]) => s === "200"),
        `after recovery: ${JSON.stringify(tail.filter(([, s]) => s !== "200").slice(0, 5))}`,
      );

      const sql = await mysql.createConnection(db.url);
      const pings = await lostPings(sql, codes, load.acked);
      t.diagnostic(`stored ${pings.stored} pings for ${load.acknowledged} acknowledged`);
      assert.deepEqual(pings.lost, [], "every acknowledged ping is stored");
      // A batch whose COMMIT reached MariaDB just before SIGKILL is stored, yet its answer was
      // lost with the connection: those pings were refused (503), and the job's retry stores it
      // again. Only pings in flight at the kill may be such; any other refused ping leaves nothing.
      const inFlightAtKill = load.answers.filter(
        ([, s, sentAt]) => s !== "200" && sentAt >= 5000 && sentAt <= 6100,
      ).length;
      t.diagnostic(
        `${pings.surplus} stored of the ${inFlightAtKill} refused that were in flight when MariaDB was killed`,
      );
      assert.ok(
        pings.surplus <= inFlightAtKill,
        `${pings.surplus} refused pings were stored, but only ${inFlightAtKill} were in flight at the kill`,
      );
      await victimAlertedOnce(a, sql, rx, victimId);
      await sql.end();
      assert.equal(proc.child.exitCode, null, "the process never died");
    } finally {
      if (proc) await stopProcess(proc);
      await rx.close();
      await db.destroy();
    }
  },
);
