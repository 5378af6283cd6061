// Auto-provisioning end to end over HTTP on real servers: AUTO_PROVISION=true and an
// authenticated /ping/<slug>?create=1 creates the monitor; otherwise ?create=1 changes nothing.
// The race of concurrent create pings runs on SQLite (one process) and on MariaDB across two
// server processes (two registries racing on the unique code).

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";
import { needs, scratchDatabase } from "../support/services.ts";

const ADMIN: [string, string] = ["root", "provision-admin-pw"];
const PINGER: [string, string] = ["cron", "provision-pinger-pw"];
const procs: Proc[] = [];
let dir: string;
let auto: Api; // AUTO_PROVISION=true, PING_AUTH=basic, SQLite
let off: Api; // the default: AUTO_PROVISION unset
let noAuth: Api; // AUTO_PROVISION=true but PING_AUTH=none: pings are not authenticated
let maria: Api[] = []; // two processes on one MariaDB database, AUTO_PROVISION=true
let dropMaria: (() => Promise<void>) | undefined;
const skipMaria = await needs(["mariadb"]);

async function server(name: string, env: Record<string, string>): Promise<Api> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const p = startProcess(name, {
    PORT: String(port),
    HOST: "127.0.0.1",
    ADMIN_USERNAME: ADMIN[0],
    ADMIN_PASSWORD: ADMIN[1],
    ...env,
  });
  procs.push(p);
  await waitReady(`${base}/readyz`, [p]);
  return api(base, ADMIN);
}

const sqlite = (file: string) => ({ DATABASE_URL: `sqlite:${path.join(dir, file)}` });

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-provision-"));
  const autoEnv = { AUTO_PROVISION: "true", AUTO_PROVISION_PERIOD: "600", AUTO_PROVISION_GRACE: "120" };
  [auto, off, noAuth] = await Promise.all([
    server("provision-auto", { ...sqlite("auto.sqlite"), ...autoEnv }),
    server("provision-off", sqlite("off.sqlite")),
    server("provision-noauth", { ...sqlite("noauth.sqlite"), ...autoEnv, PING_AUTH: "none" }),
  ]);
  for (const s of [auto, off])
    assert.equal(
      (await s.call("POST", "/api/v1/users", { username: PINGER[0], password: PINGER[1], role: "pinger" })).status,
      201,
    );
  if (!skipMaria) {
    const db = await scratchDatabase();
    dropMaria = db.drop;
    // The first creates the schema; the second joins it.
    maria = [await server("provision-maria-1", { DATABASE_URL: db.url, ...autoEnv })];
    maria.push(await server("provision-maria-2", { DATABASE_URL: db.url, ...autoEnv }));
  }
});

after(async () => {
  await Promise.all(procs.map((p) => stopProcess(p)));
  await dropMaria?.();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function ping(
  s: Api,
  pathAndQuery: string,
  auth: string | null,
  body?: string,
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  const res = await fetch(s.base + pathAndQuery, { method: "POST", headers, body });
  return { status: res.status, text: await res.text() };
}

async function monitorsWithCode(s: Api, code: string): Promise<any[]> {
  const items: any[] = (await s.call("GET", `/api/v1/monitors?q=${encodeURIComponent(code)}&limit=500`)).body.items;
  return items.filter((m) => m.code === code);
}

async function pingsOf(s: Api, id: number): Promise<any[]> {
  return (await s.call("GET", `/api/v1/monitors/${id}/pings`)).body.items;
}

test("an authenticated pinger's /ping/<slug>?create=1 creates the monitor from the defaults and stores the ping", async () => {
  const r = await ping(auto, "/ping/nightly-backup?create=1", basic(...PINGER), "first run");
  assert.equal(r.status, 200, r.text);
  const [m, ...more] = await monitorsWithCode(auto, "nightly-backup");
  assert.equal(more.length, 0);
  assert.equal(m.name, "nightly-backup");
  assert.deepEqual(m.schedule, { kind: "interval", periodSeconds: 600, graceSeconds: 120 });
  assert.equal(m.status, "up");
  const p = await pingsOf(auto, m.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.data]),
    [["success", "first run"]],
  );
  // Afterwards the slug is an ordinary code: pings without ?create=1 land on the same monitor.
  assert.equal((await ping(auto, "/ping/nightly-backup/fail", basic(...PINGER))).status, 200);
  assert.equal((await pingsOf(auto, m.id)).length, 2);
  assert.equal((await monitorsWithCode(auto, "nightly-backup")).length, 1);
});

test("an API key with the ping scope may provision too (here with /start)", async () => {
  const k = await auto.call("POST", "/api/v1/keys", { name: "provisioner", scope: "ping" });
  assert.equal(k.status, 201, JSON.stringify(k.body));
  const r = await ping(auto, "/ping/etl_job-7/start?create=1", `Bearer ${k.body.key}`);
  assert.equal(r.status, 200, r.text);
  const [m] = await monitorsWithCode(auto, "etl_job-7");
  assert.ok(m, "monitor created");
  assert.deepEqual(
    (await pingsOf(auto, m.id)).map((x) => x.kind),
    ["start"],
  );
});

test("without ?create=1, or with a slug that is no valid code, or unauthenticated, nothing is created", async () => {
  assert.equal((await ping(auto, "/ping/not-asked-for", basic(...PINGER))).status, 404);
  assert.equal((await ping(auto, "/ping/not-asked-for?create=0", basic(...PINGER))).status, 404);
  assert.equal((await monitorsWithCode(auto, "not-asked-for")).length, 0);
  // One past CODE_PATTERN's 36 characters (a healthchecks.io UUID is 36).
  const tooLong = "x".repeat(37);
  assert.equal((await ping(auto, `/ping/${tooLong}?create=1`, basic(...PINGER))).status, 404);
  assert.equal((await ping(auto, "/ping/has.dot?create=1", basic(...PINGER))).status, 404);
  const noCreds = await ping(auto, "/ping/anonymous?create=1", null);
  assert.equal(noCreds.status, 401);
  assert.equal((await ping(auto, "/ping/wrong-pw?create=1", basic(PINGER[0], "wrong"))).status, 401);
  const all = (await auto.call("GET", "/api/v1/monitors?limit=500")).body.items.map((m: any) => m.code);
  for (const c of ["not-asked-for", tooLong, "has.dot", "anonymous", "wrong-pw"])
    assert.ok(!all.includes(c), `${c} was created`);
});

test("with AUTO_PROVISION off (the default) ?create=1 changes nothing: an unknown code is a 404", async () => {
  const r = await ping(off, "/ping/would-be-new?create=1", basic(...PINGER));
  assert.equal(r.status, 404);
  assert.equal((await off.call("GET", "/api/v1/monitors")).body.total, 0);
});

test("with PING_AUTH=none pings are not authenticated, so ?create=1 changes nothing", async () => {
  assert.equal((await ping(noAuth, "/ping/open-door?create=1", null)).status, 404);
  assert.equal((await noAuth.call("GET", "/api/v1/monitors")).body.total, 0);
});

async function race(targets: Api[], slug: string, n: number): Promise<void> {
  const answers = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      ping(
        targets[i % targets.length],
        `/ping/${slug}?create=1`,
        basic(...(targets === maria ? ADMIN : PINGER)),
        `ping ${i}`,
      ),
    ),
  );
  assert.deepEqual(
    answers.map((a) => a.status),
    Array(n).fill(200),
    answers.map((a) => a.text).join(" | "),
  );
  const found = await monitorsWithCode(targets[0], slug);
  assert.equal(found.length, 1, `${found.length} monitors for one slug`);
  const stored = await pingsOf(targets[0], found[0].id);
  assert.deepEqual(stored.map((p) => p.data).sort(), Array.from({ length: n }, (_, i) => `ping ${i}`).sort());
}

test("concurrent create pings of one slug (SQLite): one monitor, every ping stored", async () => {
  await race([auto], "raced-slug", 12);
});

test(
  "concurrent create pings of one slug on two server processes sharing MariaDB: one monitor, every ping stored",
  { skip: skipMaria },
  async () => {
    for (let round = 0; round < 3; round++) await race(maria, `maria-race-${round}`, 10);
  },
);
