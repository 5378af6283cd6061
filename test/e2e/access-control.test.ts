// Access control, as a table: every route × every kind of caller — anonymous, a wrong
// password, a pinger, a viewer, an admin, and API keys scoped read, write and ping — with the
// exact status each must get. Also: API keys are shown once, stored only as a hash, listed
// without the key, and stop working when revoked.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { eventually } from "../support/system.ts";
import { basic, type Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";

const NO_LOCKOUT = { SIGNIN_MAX_FAILURES_PER_USER: "1000000", SIGNIN_MAX_FAILURES_PER_IP: "1000000" };
const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let dir: string;
let base: string;
let a: Api;
const keys: Record<string, string> = {};

type Caller = "anonymous" | "wrong" | "pinger" | "viewer" | "admin" | "keyRead" | "keyWrite" | "keyPing";
const CALLERS: Caller[] = ["anonymous", "wrong", "pinger", "viewer", "admin", "keyRead", "keyWrite", "keyPing"];

function headersOf(c: Caller): Record<string, string> {
  switch (c) {
    case "anonymous":
      return {};
    case "wrong":
      return { authorization: basic("root", "not the password") };
    case "pinger":
      return { authorization: basic("pings", "pinger password 1") };
    case "viewer":
      return { authorization: basic("looks", "viewer password 1") };
    case "admin":
      return { authorization: basic(...admin) };
    case "keyRead":
      return { authorization: `Bearer ${keys.read}` };
    case "keyWrite":
      return { "x-api-key": keys.write! };
    case "keyPing":
      return { authorization: basic("anything", keys.ping!) };
  }
}

before(async () => {
  // This suite sends wrong passwords for root on purpose, more than a lockout allows; the
  // limits themselves are tested in signin-limits.test.ts.
  server = await startServer("acl", { ALLOW_PRIVATE_WEBHOOKS: "true", ...NO_LOCKOUT }, { admin });
  ({ dir, base, api: a } = server);
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "pings", password: "pinger password 1", role: "pinger" }))
      .status,
    201,
  );
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "looks", password: "viewer password 1", role: "viewer" }))
      .status,
    201,
  );
  for (const scope of ["read", "write", "ping"]) {
    const k = await a.call("POST", "/api/v1/keys", { name: `ci ${scope}`, scope });
    assert.equal(k.status, 201, JSON.stringify(k.body));
    keys[scope] = k.body.key;
  }
});

after(() => server?.stop());

const UNAUTH = { anonymous: 401, wrong: 401 } as const;
/** Routes everyone from viewer up may read. */
const READ = { ...UNAUTH, pinger: 403, viewer: 200, admin: 200, keyRead: 200, keyWrite: 200, keyPing: 403 };
/** Admin-only reads (channels hold tokens; hosts hold keys; people and keys). */
const ADMIN_READ = { ...UNAUTH, pinger: 403, viewer: 403, admin: 200, keyRead: 403, keyWrite: 200, keyPing: 403 };
const PEOPLE_READ = { ...ADMIN_READ, keyWrite: 403 };
const CHANGE = (ok: number) => ({
  ...UNAUTH,
  pinger: 403,
  viewer: 403,
  admin: ok,
  keyRead: 403,
  keyWrite: ok,
  keyPing: 403,
});
const PEOPLE_CHANGE = (ok: number) => ({ ...CHANGE(ok), keyWrite: 403 });
const PING = { ...UNAUTH, pinger: 200, viewer: 200, admin: 200, keyRead: 200, keyWrite: 200, keyPing: 200 };
/** Public routes: badges and the API's description answer anyone, even a wrong password. */
const PUBLIC = {
  anonymous: 200,
  wrong: 200,
  pinger: 200,
  viewer: 200,
  admin: 200,
  keyRead: 200,
  keyWrite: 200,
  keyPing: 200,
};

interface Row {
  method: string;
  /** a path, or a function making a fresh target for each caller (so a DELETE has something to delete) */
  path: string | ((c: Caller) => Promise<string>);
  body?: (c: Caller) => unknown;
  expect: Record<Caller, number>;
}

async function freshMonitor(): Promise<{ id: number; code: string }> {
  const r = await a.call("POST", "/api/v1/monitors", {
    name: `m-${Math.random()}`,
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    tags: ["acl"],
  });
  return r.body;
}
async function freshChannel(): Promise<number> {
  return (
    await a.call("POST", "/api/v1/channels", {
      name: `c-${Math.random()}`,
      type: "webhook",
      config: { url: "http://127.0.0.1:9/x" },
    })
  ).body.id;
}
async function freshBadge(): Promise<string> {
  return (await a.call("GET", `/api/v1/monitors/${(await freshMonitor()).id}/badge`)).body.svg;
}
async function freshHost(): Promise<number> {
  return (
    await a.call("POST", "/api/v1/hosts", {
      name: `h-${Math.random()}`,
      address: "127.0.0.1",
      port: 9,
      username: "u",
      keyPath: "/nonexistent",
      enabled: false,
      checks: ["cpu > 90"],
    })
  ).body.id;
}

const WINDOW_RULE = { kind: "recurring", expression: "0 3 * * 0", durationSeconds: 3600, timezone: "Europe/Berlin" };
async function freshWindow(): Promise<number> {
  return (await a.call("POST", "/api/v1/maintenance", { name: `w-${Math.random()}`, rule: WINDOW_RULE, tags: ["db"] }))
    .body.id;
}

const ROWS: Row[] = [
  { method: "GET", path: "/api/v1/monitors", expect: READ },
  { method: "GET", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}`, expect: READ },
  { method: "GET", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/pings`, expect: READ },
  { method: "GET", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/flips`, expect: READ },
  { method: "GET", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/notifications`, expect: READ },
  { method: "GET", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/badge`, expect: READ },
  {
    method: "POST",
    path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/badge`,
    body: () => ({}),
    expect: CHANGE(200),
  },
  { method: "GET", path: "/api/v1/tags/acl/badge", expect: READ },
  { method: "POST", path: "/api/v1/tags/acl/badge", body: () => ({}), expect: CHANGE(200) },
  { method: "GET", path: freshBadge, expect: PUBLIC },
  { method: "GET", path: async () => (await freshBadge()).replace(/\.svg$/, ".json"), expect: PUBLIC },
  { method: "GET", path: "/api/openapi.json", expect: PUBLIC },
  { method: "GET", path: "/api/docs", expect: PUBLIC },
  { method: "GET", path: "/api/docs/swagger-init.js", expect: PUBLIC },
  { method: "GET", path: "/api/v1/channel-types", expect: ADMIN_READ },
  { method: "GET", path: "/api/v1/schedule/preview?kind=interval&periodSeconds=60&graceSeconds=0", expect: READ },
  {
    method: "POST",
    path: "/api/v1/monitors",
    body: (c) => ({ name: `new-${c}`, schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 0 } }),
    expect: CHANGE(201),
  },
  {
    method: "PATCH",
    path: async () => `/api/v1/monitors/${(await freshMonitor()).id}`,
    body: () => ({ description: "changed" }),
    expect: CHANGE(200),
  },
  { method: "DELETE", path: async () => `/api/v1/monitors/${(await freshMonitor()).id}`, expect: CHANGE(200) },
  {
    method: "POST",
    path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/pause`,
    body: () => ({}),
    expect: CHANGE(200),
  },
  {
    method: "POST",
    path: async () => `/api/v1/monitors/${(await freshMonitor()).id}/resume`,
    body: () => ({}),
    expect: CHANGE(200),
  },
  { method: "GET", path: "/api/v1/channels", expect: ADMIN_READ },
  { method: "GET", path: async () => `/api/v1/channels/${await freshChannel()}`, expect: ADMIN_READ },
  { method: "GET", path: async () => `/api/v1/channels/${await freshChannel()}/deliveries`, expect: ADMIN_READ },
  {
    method: "POST",
    path: "/api/v1/channels",
    body: (c) => ({ name: `ch-${c}`, type: "webhook", config: { url: "http://127.0.0.1:9/x" } }),
    expect: CHANGE(201),
  },
  {
    method: "PATCH",
    path: async () => `/api/v1/channels/${await freshChannel()}`,
    body: () => ({ enabled: false }),
    expect: CHANGE(200),
  },
  { method: "DELETE", path: async () => `/api/v1/channels/${await freshChannel()}`, expect: CHANGE(200) },
  {
    method: "POST",
    path: async () => `/api/v1/channels/${await freshChannel()}/test`,
    body: () => ({}),
    expect: CHANGE(200),
  },
  { method: "GET", path: "/api/v1/hosts", expect: ADMIN_READ },
  { method: "GET", path: async () => `/api/v1/hosts/${await freshHost()}`, expect: ADMIN_READ },
  { method: "GET", path: async () => `/api/v1/hosts/${await freshHost()}/metrics`, expect: READ },
  {
    method: "POST",
    path: "/api/v1/hosts",
    body: (c) => ({
      name: `host-${c}`,
      address: "127.0.0.1",
      port: 9,
      username: "u",
      keyPath: "/nonexistent",
      enabled: false,
      checks: ["cpu > 90"],
    }),
    expect: CHANGE(201),
  },
  {
    method: "PATCH",
    path: async () => `/api/v1/hosts/${await freshHost()}`,
    body: () => ({ port: 2222 }),
    expect: CHANGE(200),
  },
  { method: "DELETE", path: async () => `/api/v1/hosts/${await freshHost()}`, expect: CHANGE(200) },
  { method: "GET", path: "/api/v1/users", expect: PEOPLE_READ },
  {
    method: "POST",
    path: "/api/v1/users",
    body: (c) => ({ username: `u-${c}`, password: "a long password 1", role: "viewer" }),
    expect: PEOPLE_CHANGE(201),
  },
  { method: "PATCH", path: "/api/v1/users/looks", body: () => ({ role: "viewer" }), expect: PEOPLE_CHANGE(200) },
  {
    method: "DELETE",
    path: async (c) => {
      await a.call("POST", "/api/v1/users", { username: `gone-${c}`, password: "a long password 1", role: "viewer" });
      return `/api/v1/users/gone-${c}`;
    },
    expect: PEOPLE_CHANGE(200),
  },
  { method: "GET", path: "/api/v1/keys", expect: PEOPLE_READ },
  {
    method: "POST",
    path: "/api/v1/keys",
    body: (c) => ({ name: `k-${c}`, scope: "read" }),
    expect: PEOPLE_CHANGE(201),
  },
  {
    method: "DELETE",
    path: async () =>
      `/api/v1/keys/${(await a.call("POST", "/api/v1/keys", { name: "doomed", scope: "read" })).body.id}`,
    expect: PEOPLE_CHANGE(200),
  },
  { method: "GET", path: "/api/v1/settings", expect: PEOPLE_READ },
  {
    method: "PATCH",
    path: "/api/v1/settings",
    body: () => ({ requireAdminSecondFactor: false }),
    expect: PEOPLE_CHANGE(200),
  },
  { method: "GET", path: "/api/v1/audit", expect: PEOPLE_READ },
  { method: "GET", path: "/api/v1/maintenance", expect: READ },
  { method: "GET", path: async () => `/api/v1/maintenance/${await freshWindow()}`, expect: READ },
  {
    method: "POST",
    path: "/api/v1/maintenance",
    body: (c) => ({ name: `w-${c}`, rule: WINDOW_RULE, tags: ["db"] }),
    expect: CHANGE(201),
  },
  {
    method: "PATCH",
    path: async () => `/api/v1/maintenance/${await freshWindow()}`,
    body: () => ({ name: "renamed" }),
    expect: CHANGE(200),
  },
  { method: "DELETE", path: async () => `/api/v1/maintenance/${await freshWindow()}`, expect: CHANGE(200) },
  { method: "POST", path: async () => `/ping/${(await freshMonitor()).code}`, expect: PING },
  { method: "GET", path: async () => `/ping/${(await freshMonitor()).code}/fail`, expect: PING },
  { method: "POST", path: async () => `/api/pings/?service=${(await freshMonitor()).code}&data=x`, expect: PING },
];

test("every route × every caller gets exactly its status", async () => {
  const wrong: string[] = [];
  for (const row of ROWS) {
    for (const caller of CALLERS) {
      const target = typeof row.path === "string" ? row.path : await row.path(caller);
      const headers: Record<string, string> = { ...headersOf(caller) };
      let body: string | undefined;
      if (row.body) {
        headers["content-type"] = "application/json";
        body = JSON.stringify(row.body(caller));
      }
      const res = await fetch(base + target, { method: row.method, headers, body });
      await res.arrayBuffer();
      if (res.status !== row.expect[caller])
        wrong.push(`${row.method} ${target} as ${caller}: ${res.status}, expected ${row.expect[caller]}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("an API key is shown once, stored as a hash, listed without it, and dead once revoked", async () => {
  const made = await a.call("POST", "/api/v1/keys", { name: "deploy bot", scope: "write" });
  assert.equal(made.status, 201);
  assert.match(made.body.key, /^hbk_[A-Za-z0-9]{8}_/);
  assert.ok(made.body.key.startsWith(made.body.prefix));
  const list = await a.call("GET", "/api/v1/keys");
  assert.ok(!JSON.stringify(list.body).includes(made.body.key.slice(13)), "the list never shows a key");
  const item = list.body.items.find((k: { id: number }) => k.id === made.body.id);
  assert.deepEqual([item.name, item.scope, item.createdBy, item.revokedAt], ["deploy bot", "write", "root", null]);
  const db = new DatabaseSync(path.join(dir, "hb.sqlite"), { readOnly: true });
  const stored = JSON.stringify(db.prepare("SELECT * FROM api_keys").all());
  db.close();
  assert.ok(!stored.includes(made.body.key.slice(13)), "only the hash is stored");

  const withKey = (k: string) => fetch(`${base}/api/v1/monitors`, { headers: { authorization: `Bearer ${k}` } });
  assert.equal((await withKey(made.body.key)).status, 200);
  assert.equal(
    (await withKey(made.body.key.slice(0, -1) + (made.body.key.endsWith("A") ? "B" : "A"))).status,
    401,
    "a near miss is no key",
  );
  const revoked = await a.call("DELETE", `/api/v1/keys/${made.body.id}`);
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.revoked, "now");
  // The gateway remembers a key for at most 5 s.
  await eventually(
    async () => (await withKey(made.body.key)).status === 401,
    10_000,
    "the revoked key to stop working",
  );
  assert.ok(
    (await a.call("GET", "/api/v1/keys")).body.items.find((k: { id: number }) => k.id === made.body.id).revokedAt,
  );
  assert.equal((await a.call("POST", "/api/v1/keys", { name: "x", scope: "root" })).body.error.field, "scope");
});
