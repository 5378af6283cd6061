// test-runner: alone (it times real work against the machine: see test/run.ts)
// Deadlines on the nights that catch heartbeat monitors out, end to end: the real server, its
// SQLite file, its checker and notifier and a real webhook receiver, with the server's clock set to
// the night itself by libfaketime (LD_PRELOAD; Debian's `faketime` package). The clock starts 20 s
// before the run and goes on in real time, so each night takes about 30 s (the two run at once).
//  * Europe/Berlin's spring forward (2026-03-29, 02:00 CET -> 03:00 CEST): a `30 2 * * *` backup
//    run by Debian cron starts at 03:00:00 and pings at 03:00:05: it is that night's run, on time;
//    the monitor stays up and nobody is alerted. A twin that never pings goes down at 03:00:10,
//    alerted once: the night is real to the checker too.
//  * `0 4 */2 * 1-5` on an even weekday (Tuesday 2026-06-02): Debian cron does not run it (both
//    day fields must match when one begins with *), so it is not expected and nobody is alerted;
//    `0 4 * * 1-5` the same morning is, and goes down.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { freePort, startProcess, stopProcess, waitReady, eventually, type Proc } from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const FAKETIME_LIB = [
  "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
  "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
].find((f) => fs.existsSync(f));
const missing =
  FAKETIME_LIB === undefined
    ? process.env.CI === "true"
      ? false // under CI the test runs and fails below: .ci/run installs faketime
      : "libfaketime is not installed (apt-get install faketime)"
    : false;

interface Night {
  proc: Proc;
  a: Api;
  base: string;
  /** the server's (fake) time minus this process's time */
  skew: number;
  hook: number;
}

let rx: Receiver;
const dirs: string[] = [];
const procs: Proc[] = [];

before(async () => {
  rx = await startReceiver();
});

after(async () => {
  for (const p of procs) await stopProcess(p);
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  await rx?.close();
});

/** A server whose clock reads `startsAt` (UTC) when it starts. */
async function night(name: string, startsAt: string): Promise<Night> {
  assert.ok(FAKETIME_LIB, "libfaketime is required in CI (Debian package faketime)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hb-${name}-`));
  dirs.push(dir);
  const port = await freePort();
  const proc = startProcess(name, {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    NOTIFIER_POLL_MS: "200",
    ALLOW_PRIVATE_WEBHOOKS: "true",
    TZ: "UTC",
    LD_PRELOAD: FAKETIME_LIB,
    FAKETIME: `@${startsAt.replace("T", " ").replace("Z", "")}`,
  });
  procs.push(proc);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, [proc]);
  const a = api(base, admin);
  const ch = await a.call("POST", "/api/v1/channels", {
    name: `hook-${name}`,
    type: "webhook",
    config: { url: `${rx.url}/${name}` },
  });
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  const sent = Date.now();
  const skew = Date.parse(ch.body.createdAt) - sent;
  return { proc, a, base, skew, hook: ch.body.id };
}

const serverNow = (n: Night) => Date.now() + n.skew;
async function until(n: Night, iso: string): Promise<void> {
  const wait = Date.parse(iso) - serverNow(n);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}
const alertsFor = (name: string, monitorId: number) =>
  rx.requests.filter((r) => r.path === `/${name}` && r.json?.monitor?.id === monitorId && r.json?.event !== "test");

describe(
  "DST and day-rule nights, on the real server with its clock moved",
  { skip: missing, concurrency: true },
  () => {
    it("Berlin spring forward: the 02:30 job that Debian cron starts at 03:00 pings at 03:00:05, stays up, nobody is paged", async () => {
      const n = await night("berlin-spring", "2026-03-29T00:59:40Z");
      const create = async (name: string, dialect: string) => {
        const r = await n.a.call("POST", "/api/v1/monitors", {
          name,
          schedule: { kind: "cron", expression: "30 2 * * *", timezone: "Europe/Berlin", dialect, graceSeconds: 10 },
          channels: [n.hook],
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const backup = await create("nightly backup", "cron");
      const silent = await create("nightly twin", "cron");
      const cronjob = await create("k8s backup", "kubernetes");
      assert.ok(
        Date.parse(backup.createdAt) < Date.parse("2026-03-29T01:00:00Z"),
        `the server started too late: ${backup.createdAt}`,
      );
      // 02:30 does not exist tonight: Debian cron runs it at 03:00 CEST (01:00Z); Kubernetes skips the night
      assert.equal(backup.nextDueAt, "2026-03-29T01:00:00.000Z");
      assert.equal(cronjob.nextDueAt, "2026-03-30T00:30:00.000Z");

      await until(n, "2026-03-29T01:00:05Z");
      const ping = await fetch(`${n.base}/ping/${backup.code}`, { headers: { authorization: basic(...admin) } });
      assert.equal(ping.status, 200);
      const up = await n.a.call("GET", `/api/v1/monitors/${backup.id}`);
      assert.equal(up.body.status, "up");
      assert.equal(
        up.body.nextDueAt,
        "2026-03-30T00:30:00.000Z",
        "the 03:00:05 ping was tonight's run: next is tomorrow 02:30 CEST",
      );

      // the twin that never pinged goes down at 03:00:10 and is alerted once
      const down = await eventually(
        async () => alertsFor("berlin-spring", silent.id).find((r) => r.json.event === "down"),
        30_000,
        "the twin's down alert",
      );
      assert.equal(down.json.monitor.name, "nightly twin");
      await until(n, "2026-03-29T01:00:20Z");
      const after = await n.a.call("GET", `/api/v1/monitors/${backup.id}`);
      assert.equal(after.body.status, "up");
      assert.deepEqual(alertsFor("berlin-spring", backup.id), [], "no alert for the job that ran");
      assert.deepEqual(alertsFor("berlin-spring", cronjob.id), []);
      assert.equal(alertsFor("berlin-spring", silent.id).length, 1);
    });

    it("0 4 */2 * 1-5 is not expected on an even weekday; 0 4 * * 1-5 is, and goes down", async () => {
      const n = await night("even-weekday", "2026-06-02T01:59:40Z"); // Tuesday; 03:59:40 CEST
      const create = async (name: string, expression: string) => {
        const r = await n.a.call("POST", "/api/v1/monitors", {
          name,
          schedule: { kind: "cron", expression, timezone: "Europe/Berlin", graceSeconds: 5 },
          channels: [n.hook],
        });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        return r.body;
      };
      const oddDays = await create("odd weekdays", "0 4 */2 * 1-5");
      const weekdays = await create("weekdays", "0 4 * * 1-5");
      assert.ok(
        Date.parse(oddDays.createdAt) < Date.parse("2026-06-02T02:00:00Z"),
        `the server started too late: ${oddDays.createdAt}`,
      );
      assert.equal(oddDays.schedule.dialect, "cron");
      assert.equal(oddDays.nextDueAt, "2026-06-03T02:00:00.000Z", "Wednesday the 3rd, not Tuesday the 2nd");
      assert.equal(weekdays.nextDueAt, "2026-06-02T02:00:00.000Z");

      await eventually(
        async () => alertsFor("even-weekday", weekdays.id).find((r) => r.json.event === "down"),
        30_000,
        "the weekday job's down alert",
      );
      await until(n, "2026-06-02T02:00:15Z");
      const odd = await n.a.call("GET", `/api/v1/monitors/${oddDays.id}`);
      assert.equal(odd.body.status, "new");
      assert.deepEqual(alertsFor("even-weekday", oddDays.id), []);
    });
  },
);
