// Dashboard sessions end when they should, everywhere at once: after the idle time unused, at
// their absolute end however busy, and for every device of a user at logout, a password change,
// a role change or the user's removal — open /api/v1/events streams included, within a second,
// on whichever gateway they are open (two gateway processes on MariaDB + NATS). Over HTTPS
// (PUBLIC_URL) the cookie is `__Host-` prefixed and Secure.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type Server } from "../support/server.ts";
import { api } from "../support/api.ts";
import { twoGateways } from "../support/gateways.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function login(base: string, username: string, password: string) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, `login ${username}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const body = (await res.json()) as { csrfToken: string };
  return { cookie: setCookie.split(";")[0]!, setCookie, csrf: body.csrfToken };
}

const status = (base: string, cookie: string) =>
  fetch(`${base}/api/v1/monitors`, { headers: { cookie } }).then((r) => r.status);

/** ms until the cookie is refused, polled every 50 ms (at most `within` ms). */
async function refusedWithin(base: string, cookie: string, within = 3000): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < within) {
    if ((await status(base, cookie)) === 401) return Date.now() - t0;
    await sleep(50);
  }
  throw new Error(`still accepted after ${within} ms`);
}

/** An open event stream: resolves with its text and how long after `since()` it ended. */
async function openStream(base: string, cookie: string) {
  const res = await fetch(`${base}/api/v1/events`, { headers: { cookie } });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  let text = "";
  let mark = 0;
  const ended = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, ms: Date.now() - mark };
      text += Buffer.from(value).toString();
    }
  })();
  await sleep(100); // the stream is registered before anything is changed
  return {
    since: () => (mark = Date.now()),
    ended,
  };
}

describe("one server", () => {
  let server: Server;
  let base: string;

  before(async () => {
    server = await startServer("session-end", { SESSION_IDLE_SECONDS: "10", SESSION_MAX_SECONDS: "20" }, { admin });
    base = server.base;
    for (const username of ["alice", "bob", "carol", "dave", "erin"])
      assert.equal(
        (
          await server.api.call("POST", "/api/v1/users", {
            username,
            password: `${username} password 1`,
            role: "viewer",
          })
        ).status,
        201,
      );
  });
  after(() => server?.stop());

  test("a session used every 3 s outlives its 10 s idle time, then ends at its 20 s absolute end", async () => {
    const { cookie } = await login(base, "alice", "alice password 1");
    const t0 = Date.now(); // the session began as the login answered (its hash took a moment)
    while (Date.now() - t0 < 17_000) {
      assert.equal(await status(base, cookie), 200, `in use at ${Date.now() - t0} ms`);
      await sleep(3000);
    }
    await sleep(Math.max(0, 20_500 - (Date.now() - t0)));
    assert.equal(await status(base, cookie), 401, "past the absolute end");
  });

  test("a session unused for its 10 s idle time ends", async () => {
    const { cookie } = await login(base, "bob", "bob password 1");
    assert.equal(await status(base, cookie), 200);
    await sleep(10_500);
    assert.equal(await status(base, cookie), 401);
  });

  test("logout ends every session of that user (and no one else's), its streams within a second", async () => {
    const a = await login(base, "carol", "carol password 1");
    const b = await login(base, "carol", "carol password 1");
    const other = await login(base, "dave", "dave password 1");
    const stream = await openStream(base, b.cookie);
    stream.since();
    const out = await fetch(`${base}/api/v1/session`, {
      method: "DELETE",
      headers: { cookie: a.cookie, "x-csrf-token": a.csrf },
    });
    assert.equal(out.status, 204);
    const closed = await stream.ended;
    assert.ok(closed.ms < 1000, `the stream closed ${closed.ms} ms after the logout`);
    assert.match(closed.text, /event: session-ended/);
    assert.ok((await refusedWithin(base, b.cookie)) < 1500);
    assert.equal(await status(base, other.cookie), 200);
  });

  test("a password change, a role change and removing the user each end every session of that user", async () => {
    const cases: [string, () => Promise<unknown>][] = [
      ["password", () => server.api.call("PATCH", "/api/v1/users/erin", { password: "erin password 2" })],
      ["role", () => server.api.call("PATCH", "/api/v1/users/dave", { role: "admin" })],
      ["removal", () => server.api.call("DELETE", "/api/v1/users/carol")],
    ];
    const who: Record<string, [string, string]> = {
      password: ["erin", "erin password 1"],
      role: ["dave", "dave password 1"],
      removal: ["carol", "carol password 1"],
    };
    for (const [what, change] of cases) {
      const [u, p] = who[what]!;
      const s = await login(base, u, p);
      const stream = await openStream(base, s.cookie);
      await change(); // a password change hashes first: the clock starts at its answer
      stream.since();
      const closed = await stream.ended;
      assert.ok(closed.ms < 1000, `${what}: the stream closed ${closed.ms} ms after the change`);
      assert.ok((await refusedWithin(base, s.cookie)) < 1500, what);
    }
  });
});

test("over HTTPS the cookie is __Host- prefixed, Secure, host-only and for the whole site", async () => {
  const server = await startServer("session-host", { PUBLIC_URL: "https://hb.example.org" }, { admin });
  try {
    const { cookie, setCookie } = await login(server.base, ...admin);
    assert.match(setCookie, /^__Host-hb_session=[A-Za-z0-9_-]+; /);
    assert.match(setCookie, /; Secure/);
    assert.match(setCookie, /; Path=\//);
    assert.doesNotMatch(setCookie, /Domain=/i);
    assert.equal(await status(server.base, cookie), 200, "the prefixed cookie signs in");
    assert.equal(await status(server.base, cookie.replace("__Host-", "")), 401, "the plain name does not");
  } finally {
    await server.stop();
  }
});

describe("two gateway processes on one MariaDB + NATS", () => {
  const two = twoGateways("session", admin);

  test("a password change through one gateway closes the user's stream on the other within a second", async (t) => {
    if (two.skip()) return t.skip(two.skip());
    const [one, other] = two.gateways();
    const s = await login(other.base, "frank", "frank password 1");
    const stream = await openStream(other.base, s.cookie);
    assert.equal(
      (await api(one.base, admin).call("PATCH", "/api/v1/users/frank", { password: "frank password 2" })).status,
      200,
    );
    stream.since();
    const closed = await stream.ended;
    t.diagnostic(`closed ${closed.ms} ms after the change`);
    assert.ok(closed.ms < 1000, `the stream on the other gateway closed ${closed.ms} ms after the change`);
    assert.ok((await refusedWithin(other.base, s.cookie)) < 1500);
  });
});
