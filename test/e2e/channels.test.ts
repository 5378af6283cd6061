// Channels as data, end to end on the embedded system: channels created over the API (including
// a third-party plugin loaded from NOTIFIER_PLUGINS), chosen per monitor, each receiving the real
// protocol of its type on a local receiver; per-channel events, reminders, the test endpoint,
// write-only secrets, the notifications list, and the refusals (422, SSRF at save and at send).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import dns from "node:dns/promises";
import { startSmtp, type TestSmtp } from "../support/smtp.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { freePort, startProcess, stopProcess, waitReady, eventually, type Proc } from "../support/system.ts";
import { api, type Api } from "../support/api.ts";
import { verifySignature } from "../../plugins/webhook.ts";
import { isPrivateAddress } from "../../core/security/network-address.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const HMAC_KEY = "whsec-shared-with-the-receiver";
const PD_KEY = "R0UT1NGKEY0123456789abcdef012345";
let smtp: TestSmtp;
let rx: Receiver;
const procs: Proc[] = [];
let dir: string;
let a: Api;
let strict: Api;

async function startSystem(name: string, extra: Record<string, string>): Promise<Api> {
  const port = await freePort();
  const env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, `${name}.sqlite`)}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    NOTIFIER_POLL_MS: "200",
    CHANNEL_TIMEOUT_MS: "2000",
    DELIVERY_RETRY_FIRST_DELAY: "1",
    ...extra,
  };
  const p = startProcess(name, env);
  procs.push(p);
  const base = `http://127.0.0.1:${port}`;
  await waitReady(`${base}/readyz`, [p]);
  return api(base, admin);
}

before(async () => {
  smtp = await startSmtp();
  rx = await startReceiver();
  rx.respond("/pd/v2/enqueue", { status: 202, body: { status: "success", message: "Event processed" } });
  rx.respond("/slack", { status: 200, body: "ok" });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-channels-"));
  [a, strict] = await Promise.all([
    startSystem("channels", {
      SMTP_URL: smtp.url,
      ALERT_FROM: "heartbeats@test.local",
      ALERT_TO: "ops@test.local",
      ALLOW_PRIVATE_WEBHOOKS: "true",
      NOTIFIER_PLUGINS: "heartbeats-channel-example",
      PUBLIC_URL: "https://hb.example.org",
    }),
    startSystem("channels-strict", {}),
  ]);
});

after(async () => {
  for (const p of procs) await stopProcess(p);
  await rx?.close();
  await smtp?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

async function createChannel(api: Api, body: Record<string, unknown>) {
  const res = await api.call("POST", "/api/v1/channels", body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: number; config: Record<string, unknown> };
}

test("the environment's email is a default channel; its settings are not editable and its URL is masked", async () => {
  const list = await a.call("GET", "/api/v1/channels");
  assert.equal(list.status, 200);
  const env = list.body.items.find((c: any) => c.managedBy === "environment");
  assert.ok(env, JSON.stringify(list.body));
  assert.equal(env.type, "email");
  assert.equal(env.isDefault, true);
  assert.equal(env.config.url, "********");
  assert.deepEqual(env.config.to, ["ops@test.local"]);
  const edit = await a.call("PATCH", `/api/v1/channels/${env.id}`, { config: { to: ["x@y.z"] } });
  assert.equal(edit.status, 422);
  assert.equal(edit.body.error.field, "config");
  assert.equal((await a.call("DELETE", `/api/v1/channels/${env.id}`)).status, 409);
  // Channel types are listed with their fields; secrets are marked.
  const types = await a.call("GET", "/api/v1/channel-types");
  const names = types.body.map((t: any) => t.type);
  for (const t of [
    "email",
    "webhook",
    "slack",
    "discord",
    "teams",
    "telegram",
    "ntfy",
    "gotify",
    "pagerduty",
    "opsgenie",
    "example",
  ])
    assert.ok(names.includes(t), t);
  assert.equal(types.body.find((t: any) => t.type === "telegram").fields.botToken.secret, true);
});

test("secrets are write-only: never returned, kept when an update leaves them out or sends the mask", async () => {
  const ch = await createChannel(a, {
    name: "hooks",
    type: "webhook",
    config: { url: `${rx.url}/hook-secret`, secret: HMAC_KEY, headers: { "X-Api-Key": "k-123456" } },
  });
  assert.equal(ch.config.secret, "********");
  for (const path of [`/api/v1/channels/${ch.id}`, "/api/v1/channels"]) {
    const raw = JSON.stringify((await a.call("GET", path)).body);
    assert.ok(!raw.includes(HMAC_KEY) && !raw.includes("k-123456"), raw);
  }
  const renamed = await a.call("PATCH", `/api/v1/channels/${ch.id}`, {
    name: "hooks 2",
    config: { secret: "********", url: `${rx.url}/hook-secret2` },
  });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  const sent = await a.call("POST", `/api/v1/channels/${ch.id}/test`);
  assert.equal(sent.status, 200);
  assert.equal(sent.body.ok, true, JSON.stringify(sent.body));
  const got = rx.requests.filter((r) => r.path === "/hook-secret2").at(-1)!;
  assert.ok(got, "the test alert reached the updated URL");
  assert.equal(got.headers["x-api-key"], "k-123456");
  assert.ok(
    verifySignature(
      HMAC_KEY,
      String(got.headers["x-heartbeats-timestamp"]),
      got.raw,
      String(got.headers["x-heartbeats-signature"]),
    ),
    "signed with the kept secret",
  );
  assert.equal(got.json.event, "test");
  // Viewers cannot read channels at all.
  assert.equal((await a.call("GET", "/api/v1/channels", undefined, null)).status, 401);
});

test("bad channel configs and unknown channel ids are 422s naming the field; nothing is stored", async () => {
  const before = (await a.call("GET", "/api/v1/channels")).body.total;
  const cases: [Record<string, unknown>, string][] = [
    [{ name: "x", type: "carrier-pigeon", config: {} }, "type"],
    [{ name: "x", type: "webhook", config: { url: "not a url" } }, "config.url"],
    [{ name: "x", type: "telegram", config: { chatId: "42" } }, "config.botToken"],
    [{ name: "x", type: "slack", config: { url: `${rx.url}/slack`, colour: "red" } }, "config"],
    [{ name: "x", type: "webhook", config: { url: "ftp://example.org/x" } }, "config.url"],
    [{ name: "x", type: "webhook", config: { url: "https://example.org" }, events: ["sometimes"] }, "events[0]"],
  ];
  for (const [body, field] of cases) {
    const res = await a.call("POST", "/api/v1/channels", body);
    assert.equal(res.status, 422, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.field, field, JSON.stringify(res.body));
  }
  assert.equal((await a.call("GET", "/api/v1/channels")).body.total, before);
  // A bad update changes nothing stored.
  const ch = await createChannel(a, { name: "kept", type: "webhook", config: { url: `${rx.url}/kept` } });
  for (const [body, field] of [
    [{ config: { url: "javascript:alert(1)" } }, "config.url"],
    [{ config: "not an object" }, "config"],
    [{ name: "" }, "name"],
    [{ events: "down" }, "events"],
  ] as [Record<string, unknown>, string][]) {
    const res = await a.call("PATCH", `/api/v1/channels/${ch.id}`, body);
    assert.equal(res.status, 422, `${JSON.stringify(body)} → ${res.status} ${JSON.stringify(res.body)}`);
    assert.equal(res.body.error.field, field, JSON.stringify(res.body));
  }
  const kept = (await a.call("GET", `/api/v1/channels/${ch.id}`)).body;
  assert.equal(kept.name, "kept");
  assert.deepEqual(kept.events, ["down", "up", "failure"]);
  assert.equal((await a.call("POST", `/api/v1/channels/${ch.id}/test`)).body.ok, true, "its URL still works");
  assert.equal((await a.call("GET", "/api/v1/channels/abc")).status, 422);
  assert.equal((await a.call("GET", "/api/v1/channels/999999")).status, 404);
  assert.equal((await a.call("POST", "/api/v1/channels/999999/test")).status, 404);
  const m = await a.call("POST", "/api/v1/monitors", {
    name: "bad-channel",
    schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 0 },
    channels: [999999],
  });
  assert.equal(m.status, 422);
  assert.equal(m.body.error.field, "channels[0]");
});

test("private addresses are refused at save time, and at delivery time after DNS resolution", async () => {
  const saved = await strict.call("POST", "/api/v1/channels", {
    name: "loop",
    type: "webhook",
    config: { url: `${rx.url}/ssrf` },
  });
  assert.equal(saved.status, 422);
  assert.equal(saved.body.error.field, "config.url");
  assert.match(saved.body.error.message, /ALLOW_PRIVATE_WEBHOOKS/);
  // Every spelling of a private address, on create and on update, for a URL field of each shape.
  const kept = await strict.call("POST", "/api/v1/channels", {
    name: "kept",
    type: "ntfy",
    config: { server: "https://ntfy.example.org", topic: "alerts" },
  });
  assert.equal(kept.status, 201, JSON.stringify(kept.body));
  for (const host of [
    "2130706433", // 127.0.0.1 in decimal
    "0x7f000001",
    "0177.0.0.1",
    "127.1",
    "[::ffff:127.0.0.1]",
    "[::ffff:a9fe:a9fe]",
    "100.64.0.1",
    "100.127.255.254",
    "[64:ff9b::10.0.0.1]",
    "[2002:a00:1::1]", // 6to4 around 10.0.0.1
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]", // Teredo around 127.0.0.1
    "169.254.169.254",
    "[fd00:ec2::254]",
  ]) {
    const made = await strict.call("POST", "/api/v1/channels", {
      name: "x",
      type: "webhook",
      config: { url: `http://${host}:${rx.port}/ssrf` },
    });
    assert.equal(made.status, 422, `${host}: ${made.status}`);
    assert.equal(made.body.error.field, "config.url", host);
    const changed = await strict.call("PATCH", `/api/v1/channels/${kept.body.id}`, {
      config: { server: `http://${host}`, topic: "alerts" },
    });
    assert.equal(changed.status, 422, `${host}: ${changed.status}`);
    assert.equal(changed.body.error.field, "config.server", host);
  }
  // A host name is not refused at save time (it may resolve elsewhere later), so the send must check.
  const host = os.hostname();
  const { address } = await dns.lookup(host);
  assert.ok(
    isPrivateAddress(address),
    `this test needs ${host} to resolve to a private address; it resolves to ${address}`,
  );
  const ch = await strict.call("POST", "/api/v1/channels", {
    name: "by-name",
    type: "webhook",
    config: { url: `http://${host}:${rx.port}/ssrf` },
  });
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  const sent = await strict.call("POST", `/api/v1/channels/${ch.body.id}/test`);
  assert.equal(sent.body.ok, false);
  assert.equal(sent.body.retryable, false);
  assert.match(sent.body.error, /private/);
  assert.equal(rx.requests.filter((r) => r.path === "/ssrf").length, 0, "no request left the building");
});

test("a monitor's channels each get their protocol; events per channel; reminders; recovery resolves the incident", async () => {
  const hook = await createChannel(a, {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}/hook`, secret: HMAC_KEY },
  });
  const pd = await createChannel(a, {
    name: "pd",
    type: "pagerduty",
    config: { routingKey: PD_KEY, eventsUrl: `${rx.url}/pd/v2/enqueue` },
  });
  const ex = await createChannel(a, {
    name: "ex",
    type: "example",
    config: { url: `${rx.url}/example`, token: "ex-token" },
  });
  const slackUpOnly = await createChannel(a, {
    name: "slack",
    type: "slack",
    config: { url: `${rx.url}/slack` },
    events: ["up"],
  });
  const off = await createChannel(a, {
    name: "off",
    type: "webhook",
    config: { url: `${rx.url}/off` },
    enabled: false,
  });
  const envId = (await a.call("GET", "/api/v1/channels")).body.items.find((c: any) => c.managedBy === "environment").id;
  const channels = [hook.id, pd.id, ex.id, slackUpOnly.id, off.id, envId];
  const res = await a.call("POST", "/api/v1/monitors", {
    name: "fanout",
    tags: ["prod"],
    schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
    channels,
    repeatEverySeconds: 1,
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const m = res.body;
  assert.deepEqual(
    m.channels,
    [...channels].sort((x, y) => x - y),
  );
  assert.equal(m.repeatEverySeconds, 1);

  const hookFor = (event: string) =>
    rx.requests.filter((r) => r.path === "/hook" && r.json?.monitor?.id === m.id && r.json.event === event);
  // Never pinged: down after 2 s, and every channel that wants "down" hears it; Slack does not.
  await eventually(async () => hookFor("down").length === 1, 10_000, "the down webhook");
  await eventually(async () => hookFor("reminder").length >= 2, 10_000, "two reminders");
  const down = hookFor("down")[0]!;
  assert.ok(
    verifySignature(
      HMAC_KEY,
      String(down.headers["x-heartbeats-timestamp"]),
      down.raw,
      String(down.headers["x-heartbeats-signature"]),
    ),
  );
  assert.equal(down.json.monitor.name, "fanout");
  assert.equal(down.json.monitor.url, `https://hb.example.org/monitors/${m.id}`);
  assert.equal(down.json.flip.reason, "never-pinged");
  assert.equal(down.headers["idempotency-key"], down.json.idempotencyKey);
  const reminders = hookFor("reminder");
  assert.deepEqual(
    reminders.slice(0, 2).map((r) => r.json.reminder),
    [1, 2],
  );
  assert.equal(
    new Set(reminders.map((r) => r.headers["idempotency-key"])).size,
    reminders.length,
    "each reminder has its own key",
  );
  await smtp.waitFor((ms) => ms.some((x) => x.subject.includes("DOWN: fanout")), 5_000, "the down email");
  await eventually(
    async () =>
      rx.requests.some(
        (r) =>
          r.path === "/example" &&
          r.raw.startsWith("down: DOWN: fanout") &&
          r.headers.authorization === "Bearer ex-token",
      ),
    5_000,
    "the plugin's request",
  );
  const pdTrigger = await eventually(
    async () =>
      rx.requests.find(
        (r) =>
          r.path === "/pd/v2/enqueue" &&
          r.json?.event_action === "trigger" &&
          r.json?.payload?.summary?.includes("fanout"),
      ),
    5_000,
    "the PagerDuty trigger",
  );
  assert.equal(pdTrigger.json.routing_key, PD_KEY);

  // Recovery: one ping; everyone who wants "up" hears it, PagerDuty resolves the same incident.
  const ping = await fetch(`${a.base}/ping/${m.code}`, {
    headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
  });
  assert.equal(ping.status, 200);
  await eventually(async () => hookFor("up").length === 1, 5_000, "the up webhook");
  const resolve = await eventually(
    async () => rx.requests.find((r) => r.path === "/pd/v2/enqueue" && r.json?.event_action === "resolve"),
    5_000,
    "the PagerDuty resolve",
  );
  assert.equal(resolve.json.dedup_key, pdTrigger.json.dedup_key);
  const slack = await eventually(
    async () => rx.requests.find((r) => r.path === "/slack" && JSON.stringify(r.json).includes("fanout")),
    5_000,
    "the Slack recovery",
  );
  assert.match(JSON.stringify(slack.json), /UP/);
  assert.equal(
    rx.requests.filter((r) => r.path === "/slack" && JSON.stringify(r.json).includes("fanout")).length,
    1,
    "Slack wanted only the recovery",
  );
  const remindersAtRecovery = hookFor("reminder").length;
  await new Promise((r) => setTimeout(r, 1_500));
  assert.equal(hookFor("reminder").length, remindersAtRecovery, "no reminders once up");

  // The notifications list: every delivery with its channel and state.
  const list = await a.call("GET", `/api/v1/monitors/${m.id}/notifications?limit=500`);
  assert.equal(list.status, 200);
  const items = list.body.items as any[];
  assert.ok(
    items.every((d) => d.state === "sent"),
    JSON.stringify(items.filter((d) => d.state !== "sent")),
  );
  const kinds = (ch: number, ev: string) => items.filter((d) => d.channel.id === ch && d.event === ev).length;
  for (const ch of [hook.id, pd.id, ex.id, envId]) {
    assert.equal(kinds(ch, "down"), 1, `down via ${ch}`);
    assert.equal(kinds(ch, "up"), 1, `up via ${ch}`);
    assert.ok(kinds(ch, "reminder") >= 2, `reminders via ${ch}`);
  }
  assert.equal(kinds(slackUpOnly.id, "down") + kinds(slackUpOnly.id, "reminder"), 0);
  assert.equal(kinds(slackUpOnly.id, "up"), 1);
  assert.equal(items.filter((d) => d.channel.id === off.id).length, 0, "a disabled channel queues nothing");
  assert.equal(rx.requests.filter((r) => r.path === "/off").length, 0);
  assert.equal(items.find((d) => d.channel.id === hook.id).channel.name, "hook");
  // Each channel says how many monitors it alerts, in the list and alone.
  assert.equal((await a.call("GET", "/api/v1/channels")).body.items.find((c: any) => c.id === hook.id).monitors, 1);
  assert.equal((await a.call("GET", `/api/v1/channels/${hook.id}`)).body.monitors, 1);
});

test("new monitors get the default channels; an explicit empty list means none", async () => {
  const dflt = await createChannel(a, {
    name: "default hook",
    type: "webhook",
    config: { url: `${rx.url}/default` },
    isDefault: true,
  });
  const envId = (await a.call("GET", "/api/v1/channels")).body.items.find((c: any) => c.managedBy === "environment").id;
  const withDefaults = await a.call("POST", "/api/v1/monitors", {
    name: "defaults",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 0 },
  });
  assert.deepEqual(
    withDefaults.body.channels,
    [envId, dflt.id].sort((x, y) => x - y),
  );
  const none = await a.call("POST", "/api/v1/monitors", {
    name: "quiet",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 0 },
    channels: [],
  });
  assert.deepEqual(none.body.channels, []);
  const changed = await a.call("PATCH", `/api/v1/monitors/${none.body.id}`, { channels: [dflt.id] });
  assert.deepEqual(changed.body.channels, [dflt.id]);
  // Deleting a channel detaches it.
  assert.equal((await a.call("DELETE", `/api/v1/channels/${dflt.id}`)).status, 200);
  assert.deepEqual((await a.call("GET", `/api/v1/monitors/${none.body.id}`)).body.channels, []);
});
