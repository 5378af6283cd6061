// The dashboard's side of the API, over real HTTP on the embedded system: login sessions in an
// HttpOnly cookie with a CSRF token, users managed by admins, live updates as Server-Sent
// Events, the security headers, and the app's deep links answered with its index page.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import { eventually } from "../support/system.ts";
import type { Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let base: string;
let a: Api;

before(async () => {
  server = await startServer("session", { PING_AUTH: "none" }, { admin });
  ({ base, api: a } = server);
});

after(() => server?.stop());

async function login(username: string, password: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as any;
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { res, body, cookie, setCookie: res.headers.get("set-cookie") ?? "" };
}

test("login sets an HttpOnly SameSite cookie; the session reads, and writes only with its CSRF token; logout ends it", async () => {
  const bad = await login(admin[0], "wrong password!");
  assert.equal(bad.res.status, 401);
  assert.equal(bad.res.headers.get("set-cookie"), null);
  const missing = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  assert.equal(missing.status, 422);
  assert.equal(((await missing.json()) as any).error.field, "username");

  const { res, body, cookie, setCookie } = await login(...admin);
  assert.equal(res.status, 200);
  assert.deepEqual(body.user, { username: "root", role: "admin", locale: null, theme: "system" });
  assert.equal(body.defaultLocale, "en");
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\//);
  assert.ok(!JSON.stringify(body).includes(cookie.split("=")[1]!), "the session token is only in the cookie");

  const me = await fetch(`${base}/api/v1/session`, { headers: { cookie } });
  assert.equal(me.status, 200);
  assert.equal(((await me.json()) as any).csrfToken, body.csrfToken);
  assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie } })).status, 200);

  const create = (headers: Record<string, string>) =>
    fetch(`${base}/api/v1/monitors`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", ...headers },
      body: JSON.stringify({ name: "via-cookie", schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 0 } }),
    });
  const noToken = await create({});
  assert.equal(noToken.status, 403);
  assert.equal(((await noToken.json()) as any).error.code, "CSRF");
  assert.equal((await create({ "x-csrf-token": "x".repeat(32) })).status, 403);
  assert.equal((await create({ "x-csrf-token": body.csrfToken })).status, 201);
  assert.equal(
    (await a.call("GET", "/api/v1/monitors?q=via-cookie")).body.total,
    1,
    "exactly the one made with the token",
  );

  const out = await fetch(`${base}/api/v1/session`, { method: "DELETE", headers: { cookie } });
  assert.equal(out.status, 204);
  assert.match(out.headers.get("set-cookie") ?? "", /Max-Age=0/);
  assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie } })).status, 401);
  assert.equal((await fetch(`${base}/api/v1/session`, { headers: { cookie } })).status, 401);
});

test("a page's fetch gets no Basic challenge (the browser would pop a password dialog); curl does", async () => {
  const fromPage = await fetch(`${base}/api/v1/monitors`, {
    headers: { "sec-fetch-mode": "cors", "sec-fetch-site": "same-origin", "sec-fetch-dest": "empty" },
  });
  assert.equal(fromPage.status, 401);
  assert.equal(fromPage.headers.get("www-authenticate"), null);
  // node:http sends no Sec-Fetch-* headers, like curl.
  const challenge = await new Promise<string | undefined>((resolve, reject) =>
    http
      .get(`${base}/api/v1/monitors`, (res) => (res.resume(), resolve(res.headers["www-authenticate"])))
      .on("error", reject),
  );
  assert.match(challenge ?? "", /^Basic/);
});

test("users: admins list, create, change role, reset password (ending sessions) and delete; never the last admin", async () => {
  const made = await a.call("POST", "/api/v1/users", { username: "vera", password: "viewer password", role: "viewer" });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "vera", password: "another password", role: "viewer" })).body
      .error.field,
    "username",
  );
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "bad name!", password: "whatever123", role: "viewer" })).body
      .error.field,
    "username",
  );
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "shorty", password: "short", role: "viewer" })).body.error.field,
    "password",
  );
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "x", password: "whatever123", role: "god" })).body.error.field,
    "role",
  );
  const list = (await a.call("GET", "/api/v1/users")).body.items;
  assert.deepEqual(
    list.map((u: any) => [u.username, u.role]),
    [
      ["root", "admin"],
      ["vera", "viewer"],
    ],
  );
  assert.ok(!JSON.stringify(list).includes("scrypt"), "no hashes");

  const viewer: [string, string] = ["vera", "viewer password"];
  assert.equal((await a.call("GET", "/api/v1/users", undefined, viewer)).status, 403, "viewers cannot list users");
  assert.equal((await a.call("GET", "/api/v1/monitors", undefined, viewer)).status, 200);
  const { cookie } = await login(...viewer);
  assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie } })).status, 200);
  assert.equal((await a.call("PATCH", "/api/v1/users/vera", { password: "a new password" })).status, 200);
  assert.equal(
    (await fetch(`${base}/api/v1/monitors`, { headers: { cookie } })).status,
    401,
    "a reset password ends the sessions",
  );
  assert.equal((await a.call("GET", "/api/v1/monitors", undefined, ["vera", "a new password"])).status, 200);

  assert.equal(
    (await a.call("PATCH", "/api/v1/users/root", { role: "viewer" })).status,
    409,
    "the last admin stays admin",
  );
  assert.equal((await a.call("DELETE", "/api/v1/users/root")).status, 409);
  assert.equal((await a.call("PATCH", "/api/v1/users/vera", { role: "admin" })).body.role, "admin");
  assert.equal((await a.call("DELETE", "/api/v1/users/vera")).status, 200);
  assert.equal((await a.call("DELETE", "/api/v1/users/vera")).status, 404);
});

test("live updates: a ping and a flip arrive as Server-Sent Events within a second", async () => {
  const m = (
    await a.call("POST", "/api/v1/monitors", {
      name: "live-one",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 30 },
    })
  ).body;
  const { cookie } = await login(...admin);
  const events: { event: string; data: any }[] = [];
  const req = http.get(`${base}/api/v1/events`, { headers: { cookie, accept: "text/event-stream" } });
  const res = await new Promise<http.IncomingMessage>((resolve) => req.on("response", resolve));
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers["content-type"]), /text\/event-stream/);
  let buf = "";
  res.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    let cut: number;
    while ((cut = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data) });
    }
  });
  try {
    const pinged = Date.now();
    assert.equal((await fetch(`${base}/ping/${m.code}`)).status, 200);
    const up = await eventually(
      async () => events.find((e) => e.event === "monitor" && e.data.id === m.id && e.data.status === "up"),
      3_000,
      "the up event",
    );
    assert.ok(Date.now() - pinged < 1_000, `arrived after ${Date.now() - pinged} ms`);
    assert.equal(up.data.name, "live-one");
    await eventually(
      async () => events.find((e) => e.event === "monitor" && e.data.id === m.id && e.data.status === "late"),
      5_000,
      "the late event",
    );
    await a.call("DELETE", `/api/v1/monitors/${m.id}`);
    await eventually(
      async () => events.find((e) => e.event === "monitor-deleted" && e.data.id === m.id),
      3_000,
      "the deletion",
    );
  } finally {
    req.destroy();
  }
  assert.equal((await fetch(`${base}/api/v1/events`)).status, 401, "anonymous listeners are refused");
});

test("every answer carries the security headers; the app's paths get its page, unknown API paths a JSON 404", async () => {
  for (const p of ["/healthz", "/api/v1/monitors", "/nope.js"]) {
    const res = await fetch(base + p);
    assert.match(res.headers.get("content-security-policy") ?? "", /default-src 'self'.*frame-ancestors 'none'/, p);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", p);
    assert.equal(res.headers.get("x-frame-options"), "DENY", p);
  }
  const apiMiss = await fetch(`${base}/api/v1/nothing-here`, {
    headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
  });
  assert.equal(apiMiss.status, 404);
  assert.equal(((await apiMiss.json()) as any).error.code, "NOT_FOUND");
  const deep = await fetch(`${base}/monitors/42`, { headers: { accept: "text/html" } });
  // The dashboard suite may be building the app meanwhile: either its page, or a plain 404 before it exists.
  if (deep.status === 200) assert.match(await deep.text(), /<!doctype html>/i);
  else assert.equal(deep.status, 404);
});
