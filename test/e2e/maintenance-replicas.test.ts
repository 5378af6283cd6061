// test-runner: alone (it times real work against the machine: see test/run.ts)
// Maintenance release with two notifier processes on MariaDB + NATS: 30 monitors go down inside a
// window (held), 10 go down and recover inside it; when the window ends each of the 30 alerts
// exactly once, whichever notifier releases it, and the 10 never do.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { freePort, startProcess, stopProcess, waitReady, eventually, type Proc } from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";
import { needs, scratchDatabase, NATS_URL } from "../support/services.ts";

const skip = await needs(["mariadb", "nats"]);
const admin: [string, string] = ["root", "correct horse battery"];
const ns = randomBytes(3).toString("hex");
let drop: () => Promise<void>;
let sql: mysql.Connection;
let rx: Receiver;
let a: Api;
const procs: Proc[] = [];

before(async () => {
  if (skip) return;
  const db = await scratchDatabase();
  drop = db.drop;
  rx = await startReceiver();
  rx.respond("*", { status: 200, body: "ok", delayMs: 5 });
  const port = await freePort();
  const common = {
    DATABASE_URL: db.url,
    TRANSPORTER: NATS_URL,
    NAMESPACE: `hb-test-${ns}`,
    ALLOW_PRIVATE_WEBHOOKS: "true",
    NOTIFIER_POLL_MS: "200",
  };
  procs.push(
    startProcess("front", {
      ...common,
      SERVICES: "gateway,registry,ingest,checker",
      PORT: String(port),
      HOST: "127.0.0.1",
      ADMIN_USERNAME: admin[0],
      ADMIN_PASSWORD: admin[1],
      NODE_ID: `front-${ns}`,
    }),
  );
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, procs, 60_000);
  for (const n of ["n1", "n2"]) procs.push(startProcess(n, { ...common, SERVICES: "notifier", NODE_ID: `${n}-${ns}` }));
  a = api(base, admin);
  sql = await mysql.createConnection(db.url);
});

after(async () => {
  for (const p of procs.reverse()) await stopProcess(p);
  await sql?.end();
  await rx?.close();
  await drop?.();
});

test(
  "two notifiers release each held alert exactly once at the window's end",
  { skip, timeout: 120_000 },
  async (t) => {
    const hook = (
      await a.call("POST", "/api/v1/channels", { name: "hook", type: "webhook", config: { url: `${rx.url}/hook` } })
    ).body.id;
    const endsAt = Date.now() + 12_000;
    const w = await a.call("POST", "/api/v1/maintenance", {
      name: "deploy",
      rule: {
        kind: "once",
        startsAt: new Date(Date.now() - 1000).toISOString(),
        endsAt: new Date(endsAt).toISOString(),
      },
      tags: ["maint"],
    });
    assert.equal(w.status, 201, JSON.stringify(w.body));

    const make = async (name: string, schedule: object) => {
      const r = await a.call("POST", "/api/v1/monitors", { name, schedule, tags: ["maint"], channels: [hook] });
      assert.equal(
        r.status,
        201,
        JSON.stringify(r.body) +
          procs[0]!.output
            .join("")
            .split("\n")
            .filter((l) => /ERROR/.test(l))
            .slice(-3)
            .join("\n"),
      );
      return r.body as { id: number; code: string };
    };
    const many = async (n: number, prefix: string, schedule: object) => {
      const out: { id: number; code: string }[] = [];
      // One at a time: concurrent creates of tagged monitors can deadlock on MariaDB (a 500; reported separately).
      for (let i = 0; i < n; i++) out.push(await make(`${prefix}-${i}`, schedule));
      return out;
    };
    const down = await many(30, "down", { kind: "interval", periodSeconds: 1, graceSeconds: 1 });
    const back = await many(10, "back", { kind: "interval", periodSeconds: 300, graceSeconds: 300 });
    const ping = (code: string, suffix = "") =>
      fetch(`${a.base}/ping/${code}${suffix}`, { headers: { authorization: basic(...admin) } }).then((r) =>
        assert.equal(r.status, 200),
      );
    for (const m of back) await ping(m.code, "/fail");
    for (const m of back) await ping(m.code);

    const ids = [...down, ...back].map((m) => m.id);
    const states = async () => {
      const [rows] = await sql.query(
        "SELECT state, COUNT(*) AS n FROM deliveries WHERE monitor_id IN (?) GROUP BY state",
        [ids],
      );
      return Object.fromEntries((rows as { state: string; n: number }[]).map((r) => [r.state, Number(r.n)]));
    };
    await eventually(
      async () => (await states()).held === 30 + 20 || undefined,
      20_000,
      "30 down alerts and 10 failure + 10 recovery alerts held",
    ).catch(async (e) => {
      const [f] = await sql.query(
        "SELECT m.name, m.status, (SELECT COUNT(*) FROM flips f WHERE f.monitor_id = m.id) AS flips, (SELECT GROUP_CONCAT(state) FROM deliveries d WHERE d.monitor_id = m.id) AS d FROM monitors m WHERE m.id IN (?)",
        [ids],
      );
      throw new Error(`${e.message}: ${JSON.stringify(await states())} ${JSON.stringify(f)}`);
    });
    assert.ok(Date.now() < endsAt, "all held before the window ended; lengthen it if this fails");
    assert.equal(rx.requests.length, 0, "nothing sent inside the window");

    await eventually(
      async () => ((await states()).sent ?? 0) === 30 || undefined,
      30_000,
      "the 30 released alerts sent",
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const byMonitor = new Map<number, number>();
    for (const r of rx.requests) byMonitor.set(r.json.monitor.id, (byMonitor.get(r.json.monitor.id) ?? 0) + 1);
    for (const m of down) assert.equal(byMonitor.get(m.id), 1, `monitor ${m.id} alerted once`);
    for (const m of back)
      assert.equal(byMonitor.get(m.id), undefined, `monitor ${m.id} recovered inside the window: silent`);
    assert.ok(
      rx.requests.every((r) => r.at >= endsAt),
      "every alert after the end",
    );
    assert.deepEqual(await states(), { sent: 30, suppressed: 20 });
    const released = procs.slice(1).map((p) => p.output.join("").match(/released (\d+) held alert/g) ?? []);
    t.diagnostic(`release log lines per notifier: ${JSON.stringify(released)}`);
  },
);
