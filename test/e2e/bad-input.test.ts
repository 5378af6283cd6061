// Bad input against the running embedded system: every case is a 4xx naming the field,
// never a 500, and the stored monitors are exactly as they were before.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ROOT } from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";

const run = promisify(execFile);
const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let client: Api;
let base: string;
let dbUrl: string;
let code: string;
let monitorId: number;

async function snapshot() {
  const list = (await client.call("GET", "/api/v1/monitors?limit=500")).body;
  const pings = (await client.call("GET", `/api/v1/monitors/${monitorId}/pings`)).body;
  return { list, pings };
}

before(async () => {
  server = await startServer("bad-input", { REQUEST_BODY_LIMIT: "65536", PING_RETENTION: "5" }, { admin });
  ({ base, api: client } = server);
  dbUrl = server.env.DATABASE_URL;
  const res = await client.call("POST", "/api/v1/monitors", {
    name: "stable",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    tags: ["a"],
  });
  assert.equal(res.status, 201);
  code = res.body.code;
  monitorId = res.body.id;
  // The user command works against the same database while the server runs.
  await run(
    process.execPath,
    ["bin/user.ts", "create", "--username", "watcher", "--password", "viewer-pass-1", "--role", "viewer"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl } },
  );
});

after(() => server?.stop());

const good = { kind: "interval", periodSeconds: 60, graceSeconds: 10 };
const cases: [string, unknown, number, string][] = [
  ["unknown schedule kind", { name: "x", schedule: { kind: "weekly" } }, 422, "schedule.kind"],
  [
    "bad cron expression",
    { name: "x", schedule: { kind: "cron", expression: "61 * * * *" } },
    422,
    "schedule.expression",
  ],
  [
    "cron expression that never fires",
    { name: "x", schedule: { kind: "cron", expression: "0 0 30 2 *" } },
    422,
    "schedule.expression",
  ],
  [
    "unknown time zone",
    { name: "x", schedule: { kind: "cron", expression: "5 16 * * *", timezone: "Mars/Olympus" } },
    422,
    "schedule.timezone",
  ],
  ["zero period", { name: "x", schedule: { ...good, periodSeconds: 0 } }, 422, "schedule.periodSeconds"],
  ["negative period", { name: "x", schedule: { ...good, periodSeconds: -60 } }, 422, "schedule.periodSeconds"],
  ["period as a string", { name: "x", schedule: { ...good, periodSeconds: "60" } }, 422, "schedule.periodSeconds"],
  ["grace over a year", { name: "x", schedule: { ...good, graceSeconds: 31_536_001 } }, 422, "schedule.graceSeconds"],
  ["name over 200 characters", { name: "n".repeat(201), schedule: good }, 422, "name"],
  ["missing name", { schedule: good }, 422, "name"],
  ["schedule not an object", { name: "x", schedule: "every minute" }, 422, "schedule"],
  ["too many tags", { name: "x", schedule: good, tags: Array.from({ length: 31 }, (_, i) => `t${i}`) }, 422, "tags"],
  ["a tag with a comma", { name: "x", schedule: good, tags: ["a,b"] }, 422, "tags[0]"],
];

for (const [what, body, status, field] of cases) {
  test(`create with ${what} → ${status} naming ${field}, nothing stored`, async () => {
    const before = await snapshot();
    const res = await client.call("POST", "/api/v1/monitors", body);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.error.field, field, JSON.stringify(res.body));
    assert.equal(typeof res.body.error.message, "string");
    assert.deepEqual(await snapshot(), before);
  });
}

test("a body that is not JSON → 400; an oversized body → 413; nothing stored", async () => {
  const before = await snapshot();
  const broken = await client.call("POST", "/api/v1/monitors", '{"name": "x",');
  assert.equal(broken.status, 400);
  assert.equal(broken.body.error.code, "BAD_REQUEST");
  const huge = await client.call("POST", "/api/v1/monitors", {
    name: "x",
    schedule: good,
    description: "d".repeat(100_000),
  });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.error.code, "PAYLOAD_TOO_LARGE");
  assert.deepEqual(await snapshot(), before);
});

test("a JSON body that is not UTF-8 → 422 naming body, nothing stored", async () => {
  const before = await snapshot();
  const bytes = Buffer.concat([
    Buffer.from('{"name": "caf'),
    Buffer.from([0xe9]),
    Buffer.from('", "schedule": {"kind": "interval", "periodSeconds": 60, "graceSeconds": 1}}'),
  ]);
  const res = await fetch(`${base}/api/v1/monitors`, {
    method: "POST",
    headers: { authorization: basic(...admin), "content-type": "application/json" },
    body: bytes,
  });
  assert.equal(res.status, 422);
  assert.equal(((await res.json()) as any).error.field, "body");
  assert.deepEqual(await snapshot(), before);
});

test("an update with a bad schedule → 422 and the monitor is unchanged", async () => {
  const before = await snapshot();
  const res = await client.call("PATCH", `/api/v1/monitors/${monitorId}`, {
    name: "renamed",
    schedule: { kind: "interval", periodSeconds: 0, graceSeconds: 1 },
  });
  assert.equal(res.status, 422);
  assert.equal(res.body.error.field, "schedule.periodSeconds");
  assert.deepEqual(await snapshot(), before);
});

test("bad ids, filters and preview parameters name their field", async () => {
  const checks: [string, number, string | undefined][] = [
    ["/api/v1/monitors/abc", 422, "id"],
    ["/api/v1/monitors/999999", 404, "id"],
    ["/api/v1/monitors?status=broken", 422, "status"],
    ["/api/v1/monitors?limit=abc", 422, "limit"],
    ["/api/v1/monitors?limit=100000", 422, "limit"],
    ["/api/v1/schedule/preview?kind=cron&expression=nope", 422, "expression"],
    ["/api/v1/schedule/preview?kind=interval&periodSeconds=abc&graceSeconds=1", 422, "periodSeconds"],
  ];
  for (const [url, status, field] of checks) {
    const res = await client.call("GET", url);
    assert.equal(res.status, status, `${url}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.field, field, url);
  }
  const nothing = await client.call("GET", "/api/v1/nothing-here");
  assert.equal(nothing.status, 404);
  assert.equal(nothing.body.error.code, "NOT_FOUND");
});

test("values that cannot be read as text or a number, and null where a field takes none → 422 naming the field, nothing stored", async () => {
  const before = await snapshot();
  const unreadable = { valueOf: null, toString: null };
  const checks: [string, string, unknown, string][] = [
    ["PATCH", `/api/v1/monitors/${monitorId}`, { name: null }, "name"],
    ["PATCH", `/api/v1/monitors/${monitorId}`, { tags: null }, "tags"],
    [
      "POST",
      "/api/v1/schedule/preview",
      { kind: "interval", periodSeconds: 60, graceSeconds: 1, count: { toString: 1 } },
      "count",
    ],
    ["POST", "/api/v1/schedule/preview", { kind: "interval", periodSeconds: 60, graceSeconds: 1, from: null }, "from"],
    ["PATCH", `/api/v1/monitors/${monitorId}`, { channels: [unreadable] }, "channels[0]"],
    ["PATCH", `/api/v1/monitors/${monitorId}`, { name: [[unreadable]] }, "name[0][0]"],
    [
      "POST",
      "/api/v1/monitors",
      { name: "x", schedule: { ...good, periodSeconds: unreadable } },
      "schedule.periodSeconds",
    ],
    [
      "POST",
      "/api/v1/maintenance",
      { name: "w", rule: { kind: "once", startsAt: 0, endsAt: 1e308 }, monitorIds: [monitorId] },
      "rule.endsAt",
    ],
  ];
  for (const [method, url, body, field] of checks) {
    const res = await client.call(method, url, body);
    assert.equal(res.status, 422, `${method} ${url} ${JSON.stringify(body)}: ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.code, "VALIDATION_ERROR");
    assert.equal(res.body.error.field, field, JSON.stringify(res.body));
  }
  assert.deepEqual(await snapshot(), before);
  assert.equal((await client.call("GET", "/api/v1/maintenance")).body.total, 0);
});

test("ping data that is not UTF-8 → 422 naming data, and no ping is stored", async () => {
  const before = await snapshot();
  const q = await fetch(`${base}/api/pings/?service=${code}&data=%FF%FE`, {
    method: "POST",
    headers: { authorization: basic(...admin) },
  });
  assert.equal(q.status, 422);
  assert.equal(((await q.json()) as any).error.field, "data");
  const b = await fetch(`${base}/ping/${code}`, {
    method: "POST",
    headers: { authorization: basic(...admin) },
    body: Buffer.from([0x6f, 0x6b, 0xc3, 0x28]),
  });
  assert.equal(b.status, 422);
  assert.equal(((await b.json()) as any).error.field, "data");
  const missing = await fetch(`${base}/api/pings/?data=x`, {
    method: "POST",
    headers: { authorization: basic(...admin) },
  });
  assert.equal(missing.status, 422);
  assert.equal(((await missing.json()) as any).error.field, "service");
  const signal = await fetch(`${base}/ping/${code}/explode`, { headers: { authorization: basic(...admin) } });
  assert.equal(signal.status, 404);
  const tooBig = await fetch(`${base}/ping/${code}`, {
    method: "POST",
    headers: { authorization: basic(...admin) },
    body: "x".repeat(70_000),
  });
  assert.equal(tooBig.status, 413);
  assert.deepEqual(await snapshot(), before);
});

test("odd credentials are a plain 401, never a 4xx about fields or a 500", async () => {
  for (const header of [
    basic("root", "x".repeat(5000)),
    basic("u".repeat(500), "pw"),
    "Basic " + Buffer.from([0xff, 0x3a, 0xfe]).toString("base64"),
    "Basic",
    "Digest abc",
  ]) {
    const res = await fetch(`${base}/api/v1/monitors`, { headers: { authorization: header } });
    assert.equal(res.status, 401, header.slice(0, 40));
    assert.match(res.headers.get("www-authenticate") ?? "", /^Basic/);
  }
});

test("a viewer reads but cannot write; a pinger cannot read the API", async () => {
  const viewer = api(base, ["watcher", "viewer-pass-1"]);
  assert.equal((await viewer.call("GET", "/api/v1/monitors")).status, 200);
  const before = await snapshot();
  const denied = await viewer.call("POST", "/api/v1/monitors", { name: "nope", schedule: good });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.error.code, "FORBIDDEN");
  assert.equal((await viewer.call("DELETE", `/api/v1/monitors/${monitorId}`)).status, 403);
  assert.deepEqual(await snapshot(), before);
  await run(
    process.execPath,
    ["bin/user.ts", "create", "--username", "cron-box", "--password", "pinger-pass-1", "--role", "pinger"],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: dbUrl } },
  );
  const pinger = api(base, ["cron-box", "pinger-pass-1"]);
  assert.equal((await pinger.call("GET", "/api/v1/monitors")).status, 403);
  const ping = await fetch(`${base}/ping/${code}`, { headers: { authorization: basic("cron-box", "pinger-pass-1") } });
  assert.equal(ping.status, 200);
});

test("only the newest PING_RETENTION pings of a monitor are kept", async () => {
  const m = await client.call("POST", "/api/v1/monitors", { name: "chatty", schedule: good });
  for (let i = 1; i <= 8; i++) {
    const res = await fetch(`${base}/ping/${m.body.code}/log`, {
      method: "POST",
      headers: { authorization: basic(...admin) },
      body: `note ${i}`,
    });
    assert.equal(res.status, 200);
  }
  const pings = (await client.call("GET", `/api/v1/monitors/${m.body.id}/pings`)).body;
  assert.equal(pings.total, 5);
  assert.deepEqual(
    pings.items.map((p: { data: string }) => p.data),
    ["note 8", "note 7", "note 6", "note 5", "note 4"],
  );
  assert.equal((await client.call("DELETE", `/api/v1/monitors/${m.body.id}`)).status, 200);
});

test("the service never answered 500 and never logged a password", () => {
  const out = server.proc.output.join("");
  assert.doesNotMatch(out, /INTERNAL_ERROR|failed:/);
  for (const secret of [admin[1], "viewer-pass-1", "pinger-pass-1"])
    assert.ok(!out.includes(secret), `log contains ${secret}`);
});
