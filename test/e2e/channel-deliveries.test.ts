// A channel's delivery log over the API, on the embedded system with a real HTTP receiver: a
// monitor that really goes down (1 s period, 1 s grace) and comes back is alerted through two
// webhook channels, one answered 200 and one 500. GET /api/v1/channels/:id/deliveries pages each
// channel's log newest first with the monitor, event, state, attempts and last error; the
// channel list carries each channel's last delivery. Only admins may read it; bad paging is a
// 422 naming the field; and no answer about channels ever holds a secret.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { startServer, type Server } from "../support/server.ts";
import { eventually } from "../support/system.ts";
import type { Api } from "../support/api.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const viewer: [string, string] = ["looks", "viewer password 1"];
const pinger: [string, string] = ["pings", "pinger password 1"];
// The secret parts of the channels: none may ever come back in an answer.
const URL_TOKEN = "tok-3f9a7c21e4b8";
const HMAC_KEY = "whsec-only-the-receiver-knows";
const HEADER_VALUE = "Bearer hdr-5e1d0b7a";
const SECRETS = [URL_TOKEN, HMAC_KEY, HEADER_VALUE];

let server: Server;
let rx: Receiver;
let a: Api;
const answers: string[] = [];
let good: { id: number };
let bad: { id: number };
let quiet: { id: number };
let monitor: { id: number; code: string };

/** An admin call whose answer is kept, so the last test can look for secrets in all of them. */
async function call(method: string, path: string, body?: unknown, auth?: [string, string]) {
  const res = await a.call(method, path, body, auth);
  answers.push(JSON.stringify(res.body));
  return res;
}

before(async () => {
  rx = await startReceiver();
  rx.respond("/ok", { status: 200, body: "ok" });
  rx.respond("/broken", { status: 500, body: "receiver is broken" });
  server = await startServer(
    "channel-deliveries",
    {
      ALLOW_PRIVATE_WEBHOOKS: "true",
      NOTIFIER_POLL_MS: "200",
      CHANNEL_TIMEOUT_MS: "2000",
      DELIVERY_RETRY_FIRST_DELAY: "1",
    },
    { admin },
  );
  a = server.api;
  for (const [username, password, role] of [[...viewer, "viewer"] as const, [...pinger, "pinger"] as const]) {
    assert.equal((await a.call("POST", "/api/v1/users", { username, password, role })).status, 201);
  }
  const channel = async (name: string, path: string) => {
    const res = await call("POST", "/api/v1/channels", {
      name,
      type: "webhook",
      config: {
        url: `${rx.url}${path}?token=${URL_TOKEN}`,
        secret: HMAC_KEY,
        headers: { Authorization: HEADER_VALUE },
      },
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  good = await channel("good hook", "/ok");
  bad = await channel("broken hook", "/broken");
  quiet = await channel("quiet hook", "/ok");
  const m = await call("POST", "/api/v1/monitors", {
    name: "nightly backup",
    schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
    channels: [good.id, bad.id],
  });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  monitor = m.body;
});

after(async () => {
  await server?.stop();
  await rx?.close();
});

test("a channel's log pages its deliveries newest first; the list carries each channel's last one", async (t) => {
  // The monitor was never pinged: it goes down by itself, and the down alert is sent to the good hook.
  const started = Date.now();
  const down = await eventually(
    async () => {
      const r = await call("GET", `/api/v1/channels/${good.id}/deliveries`);
      return r.body.items.find((d: { state: string }) => d.state === "sent") ? r : null;
    },
    20_000,
    "the down alert sent through the good hook",
    200,
  );
  t.diagnostic(`down alert delivered ${Date.now() - started} ms after the monitor was created`);
  assert.equal(down.status, 200);
  assert.equal(down.body.total, 1);
  const [d] = down.body.items;
  assert.deepEqual(Object.keys(d).sort(), [
    "attempts",
    "createdAt",
    "event",
    "id",
    "lastAttemptAt",
    "lastError",
    "monitor",
    "nextAttemptAt",
    "reminder",
    "sentAt",
    "state",
  ]);
  assert.deepEqual(d.monitor, { id: monitor.id, name: "nightly backup" });
  assert.equal(d.event, "down");
  assert.equal(d.reminder, 0);
  assert.equal(d.attempts, 1);
  assert.equal(d.lastError, null);
  assert.equal(d.nextAttemptAt, null);
  assert.ok(Date.parse(d.sentAt) >= Date.parse(d.createdAt));
  assert.ok(rx.requests.some((r) => r.path.startsWith("/ok") && r.json?.event === "down"));

  // The broken hook's attempt failed and says why; it is retried (pending) or given up (failed).
  const broken = await eventually(
    async () => {
      const r = await call("GET", `/api/v1/channels/${bad.id}/deliveries`);
      return r.body.items[0]?.attempts >= 1 ? r.body.items[0] : null;
    },
    20_000,
    "an attempt through the broken hook",
    200,
  );
  assert.match(broken.lastError, /500/);
  assert.ok(["pending", "failed"].includes(broken.state), broken.state);

  // A ping brings the monitor up: a second delivery, the newest, first in the log. A long period
  // first, so that it does not go down again while the log is read.
  const slow = { schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 } };
  assert.equal((await call("PATCH", `/api/v1/monitors/${monitor.id}`, slow)).status, 200);
  assert.equal((await a.call("GET", `/ping/${monitor.code}`, undefined, pinger)).status, 200);
  const both = await eventually(
    async () => {
      const r = await call("GET", `/api/v1/channels/${good.id}/deliveries`);
      return r.body.total === 2 && r.body.items[0].state === "sent" ? r.body : null;
    },
    20_000,
    "the up alert sent through the good hook",
    200,
  );
  assert.deepEqual(
    both.items.map((x: { event: string }) => x.event),
    ["up", "down"],
  );
  assert.ok(both.items[0].id > both.items[1].id, "newest first");
  const first = (await call("GET", `/api/v1/channels/${good.id}/deliveries?limit=1`)).body;
  const second = (await call("GET", `/api/v1/channels/${good.id}/deliveries?limit=1&offset=1`)).body;
  assert.equal(first.total, 2);
  assert.deepEqual(
    [first.items.length, first.items[0].id, second.items[0].id],
    [1, both.items[0].id, both.items[1].id],
  );
  assert.deepEqual((await call("GET", `/api/v1/channels/${good.id}/deliveries?offset=2`)).body.items, []);

  // The list: each channel's newest delivery (state, time, error); none for a channel never used.
  const list = (await call("GET", "/api/v1/channels")).body.items;
  const of = (id: number) => list.find((c: { id: number }) => c.id === id).lastDelivery;
  assert.deepEqual(
    { ...of(good.id), at: undefined },
    { id: both.items[0].id, event: "up", state: "sent", at: undefined, lastError: null },
  );
  assert.equal(of(good.id).at, both.items[0].lastAttemptAt);
  assert.equal(of(quiet.id), null);
  const badLast = of(bad.id);
  assert.match(badLast.lastError ?? "", /500/);
  assert.equal((await call("GET", `/api/v1/channels/${good.id}`)).body.lastDelivery.id, both.items[0].id);
  assert.deepEqual((await call("GET", `/api/v1/channels/${quiet.id}/deliveries`)).body, { total: 0, items: [] });
});

test("only admins read a channel's log", async () => {
  const path = `/api/v1/channels/${good.id}/deliveries`;
  assert.equal((await a.call("GET", path, undefined, viewer)).status, 403);
  assert.equal((await a.call("GET", path, undefined, pinger)).status, 403);
  assert.equal((await a.call("GET", path, undefined, null)).status, 401);
  assert.equal((await a.call("GET", path)).status, 200);
});

test("bad paging or a bad id is a 4xx naming the field", async () => {
  for (const [query, field] of [
    ["limit=0", "limit"],
    ["limit=501", "limit"],
    ["limit=abc", "limit"],
    ["offset=-1", "offset"],
    ["offset=1.5", "offset"],
  ]) {
    const r = await a.call("GET", `/api/v1/channels/${good.id}/deliveries?${query}`);
    assert.equal(r.status, 422, `${query}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field, query);
  }
  const badId = await a.call("GET", "/api/v1/channels/abc/deliveries");
  assert.equal(badId.status, 422);
  assert.equal(badId.body.error.field, "id");
  const missing = await a.call("GET", "/api/v1/channels/999999/deliveries");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.field, "id");
});

test("no answer about channels holds a secret, even after an edit that leaves them out", async () => {
  const edited = await call("PATCH", `/api/v1/channels/${good.id}`, { name: "good hook 2", config: {} });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.deepEqual(edited.body.config, { url: "********", secret: "********", headers: "********" });
  await call("GET", `/api/v1/channels/${good.id}`);
  await call("GET", `/api/v1/channels/${good.id}/deliveries`);
  await call("GET", "/api/v1/channels");
  const tested = await call("POST", `/api/v1/channels/${good.id}/test`);
  assert.equal(tested.body.ok, true, "the kept secrets still work");
  assert.ok(answers.length >= 15, `${answers.length} answers looked at`);
  for (const s of SECRETS)
    assert.deepEqual(
      answers.filter((text) => text.includes(s)),
      [],
      s,
    );
  // The receiver did get them: they were stored and used, not dropped.
  const last = rx.requests.at(-1)!;
  assert.ok(last.path.includes(URL_TOKEN));
  assert.equal(last.headers.authorization, HEADER_VALUE);
});
