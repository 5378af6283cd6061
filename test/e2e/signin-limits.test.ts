// Failed sign-ins are limited per user and per client address, on every way in: basic auth
// on the API and the ping URLs, the dashboard's login, and API keys. A lockout is said once in
// the log, without the password tried. Jobs whose password was verified lately keep pinging.
// TRUST_PROXY lets the test speak from several addresses through X-Forwarded-For. The counts are
// in the database: two gateway processes on one MariaDB share them.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { basic, type Api } from "../support/api.ts";
import { twoGateways } from "../support/gateways.ts";
import { startServer, type Server } from "../support/server.ts";

const admin: [string, string] = ["root", "correct horse battery"];
// Long enough for 6 failed sign-ins at scrypt N=2^17 (about 0.6 s each here, more on a busy
// machine) to fall within one window.
const LOCK_S = 15;

describe("sign-in rate limits and lockouts", () => {
  let server: Server;
  let base: string;
  let a: Api;
  let jobCode: string;

  before(async () => {
    server = await startServer(
      "signin",
      {
        TRUST_PROXY: "true",
        SIGNIN_MAX_FAILURES_PER_USER: "3",
        SIGNIN_MAX_FAILURES_PER_IP: "6",
        SIGNIN_LOCKOUT_SECONDS: String(LOCK_S),
      },
      { admin },
    );
    ({ base, api: a } = server);
    for (const [username, role] of [
      ["job", "pinger"],
      ["alice", "viewer"],
      ["bob", "viewer"],
      ["carol", "viewer"],
      ["dave", "viewer"],
      ["erin", "viewer"],
    ]) {
      assert.equal(
        (await a.call("POST", "/api/v1/users", { username, password: `${username} password 1`, role })).status,
        201,
      );
    }
    const m = await a.call("POST", "/api/v1/monitors", {
      name: "nightly",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    jobCode = m.body.code;
  });

  after(() => server?.stop());

  async function send(p: string, from: string, authorization?: string, init: RequestInit = {}) {
    const headers: Record<string, string> = { "x-forwarded-for": from, ...(init.headers as Record<string, string>) };
    if (authorization) headers.authorization = authorization;
    const res = await fetch(base + p, { ...init, headers });
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: (await res.json().catch(() => null)) as any,
    };
  }
  const login = (username: string, password: string, from: string) =>
    send("/api/v1/session", from, undefined, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });

  test("a user past the limit is refused with 429 and Retry-After even with the right password, then let in after the lockout", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await send("/api/v1/monitors", `198.51.100.${i + 1}`, basic("alice", `guess ${i}`))).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const locked = await send("/api/v1/monitors", "198.51.100.9", basic("alice", "alice password 1"));
    assert.equal(locked.status, 429, JSON.stringify(locked.body));
    assert.equal(locked.body.error.code, "TOO_MANY_ATTEMPTS");
    assert.ok(
      Number(locked.retryAfter) >= 1 && Number(locked.retryAfter) <= LOCK_S,
      `Retry-After: ${locked.retryAfter}`,
    );
    // Another user from the same addresses is not affected.
    assert.equal((await send("/api/v1/monitors", "198.51.100.1", basic("bob", "bob password 1"))).status, 200);
    await new Promise((r) => setTimeout(r, LOCK_S * 1000 + 300));
    assert.equal((await send("/api/v1/monitors", "198.51.100.9", basic("alice", "alice password 1"))).status, 200);
  });

  test("the notice is in the log once per lockout, quoted, and never carries a password", async () => {
    const out = server.proc.output.join("");
    const notices = out.split("\n").filter((l) => /sign-in lockout: user "alice"/.test(l));
    assert.equal(notices.length, 1, notices.join("\n"));
    assert.match(notices[0]!, new RegExp(`refused for ${LOCK_S} s after 3 failed attempts`));
    assert.ok(!/guess \d|alice password/.test(out), "no password tried is in the log");
  });

  // (Credentials verified in the last minute are let in before any count is looked at — that is
  // what keeps jobs pinging — so these use users whose passwords were not sent yet.)
  test("an address past the limit is refused whatever user it names; other addresses are not", async () => {
    const from = "203.0.113.7";
    for (let i = 0; i < 6; i++)
      assert.equal((await send("/api/v1/monitors", from, basic(`nobody-${i}`, "x"))).status, 401);
    const locked = await send("/api/v1/monitors", from, basic("dave", "dave password 1"));
    assert.equal(locked.status, 429);
    assert.equal((await send("/api/v1/monitors", "203.0.113.8", basic("dave", "dave password 1"))).status, 200);
    assert.ok(server.proc.output.join("").includes('sign-in lockout: address "203.0.113.7"'));
  });

  test("the dashboard's login counts and is refused the same way", async () => {
    for (let i = 0; i < 3; i++) assert.equal((await login("carol", `guess ${i}`, "192.0.2.10")).status, 401);
    const locked = await login("carol", "carol password 1", "192.0.2.11");
    assert.equal(locked.status, 429);
    assert.ok(locked.retryAfter);
  });

  test("guessing API keys locks the address out", async () => {
    const from = "192.0.2.50";
    for (let i = 0; i < 6; i++) {
      const r = await send("/api/v1/monitors", from, `Bearer hbk_${"x".repeat(8)}_${String(i).repeat(43)}`);
      assert.equal(r.status, 401);
    }
    assert.equal((await send("/api/v1/monitors", from, basic("erin", "erin password 1"))).status, 429);
  });

  test("a job whose password was verified lately keeps pinging while its user is locked out", async () => {
    const job = basic("job", "job password 1");
    assert.equal((await send(`/ping/${jobCode}`, "10.1.1.1", job)).status, 200);
    for (let i = 0; i < 3; i++)
      assert.equal((await send(`/ping/${jobCode}`, "192.0.2.99", basic("job", `guess ${i}`))).status, 401);
    assert.equal(
      (await send(`/ping/${jobCode}`, "192.0.2.99", basic("job", "job password 1"))).status,
      200,
      "the verified password is remembered for a minute",
    );
    const pings = await a.call(
      "GET",
      `/api/v1/monitors/${(await a.call("GET", `/api/v1/monitors?q=nightly`)).body.items[0].id}/pings`,
    );
    assert.equal(pings.body.items.length, 2);
  });
});

describe("two gateway processes, each with its own registry, on one MariaDB + NATS", () => {
  // With the counts in each gateway's memory, two failures through each would lock nobody out.
  const two = twoGateways("signin", admin, {
    TRUST_PROXY: "true",
    SIGNIN_MAX_FAILURES_PER_USER: "4",
    SIGNIN_LOCKOUT_SECONDS: "60",
  });

  const get = (base: string, from: string, password: string) =>
    fetch(`${base}/api/v1/monitors`, {
      headers: { authorization: basic("frank", password), "x-forwarded-for": from },
    }).then((r) => r.status);

  test("failures spread over both add up to one lockout, and both refuse the right password", async (t) => {
    if (two.skip()) return t.skip(two.skip());
    const [one, other] = two.gateways();
    const statuses = [
      await get(one.base, "198.51.100.21", "guess 1"),
      await get(other.base, "198.51.100.22", "guess 2"),
      await get(one.base, "198.51.100.23", "guess 3"),
      await get(other.base, "198.51.100.24", "guess 4"),
    ];
    assert.deepEqual(statuses, [401, 401, 401, 401]);
    assert.equal(await get(one.base, "198.51.100.30", "frank password 1"), 429, "gateway 1");
    assert.equal(await get(other.base, "198.51.100.31", "frank password 1"), 429, "gateway 2");
    const notices = [one, other]
      .map((g) => g.proc.output.join(""))
      .join("")
      .match(/sign-in lockout: user "frank"/g);
    assert.equal(notices?.length, 1, "the lockout is said once, by the gateway whose failure started it");
  });
});
