// Every HTTP channel against a real local receiver: what went over the wire must be the target's
// real protocol, and the shared client must keep its rules (no redirects, time limit, 64 KiB
// answers, private addresses refused, secrets out of error messages).

import { test } from "node:test";
import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import type dns from "node:dns";
import ValidatorModule from "fastest-validator";
import { renderAlert } from "../../core/alerts/alert.ts";
import type { AlertFacts } from "../../core/alerts/alert.ts";
import type { Alert, ChannelIO, SendResult } from "../../plugins/channel.ts";
import { createHttpIO, MAX_RESPONSE_BYTES } from "../../plugins/http.ts";
import * as webhook from "../../plugins/webhook.ts";
import * as slack from "../../plugins/slack.ts";
import * as discord from "../../plugins/discord.ts";
import * as teams from "../../plugins/teams.ts";
import * as telegram from "../../plugins/telegram.ts";
import * as ntfy from "../../plugins/ntfy.ts";
import * as gotify from "../../plugins/gotify.ts";
import * as pagerduty from "../../plugins/pagerduty.ts";
import * as opsgenie from "../../plugins/opsgenie.ts";
import { startReceiver } from "../support/receiver.ts";
import { at, downFacts as sharedDownFacts } from "../support/alert-facts.ts";
import type { Receiver } from "../support/receiver.ts";

const DASHBOARD = "https://hb.example.com/monitors/7?tab=flips&x=1";
const NASTY = 'disk <b>full</b> & "quoted" \'single\'\n```\nrm -rf `pwd` *bold* _it_ <@everyone>\n```\nlast line';

// The alert tests' down flip, as flip 11 and with a dashboard link.
const downFacts: AlertFacts = { ...sharedDownFacts, flip: { ...sharedDownFacts.flip, id: 11 }, dashboardUrl: DASHBOARD };

function alertOf(facts: AlertFacts, channel = 3): Alert {
  return {
    event: facts.event,
    idempotencyKey: `flip-${facts.flip.id}:ch-${channel}${facts.reminder ? `:r${facts.reminder}` : ""}`,
    incidentKey: `hb-7-11/ch ${channel}`,
    facts,
    rendered: renderAlert(facts),
  };
}

const down = () => alertOf(downFacts);
const up = () => alertOf({ ...downFacts, event: "up", raisedAt: at + 3_723_000, flip: { id: 12, from: "down", to: "up", reason: "ping", at: at + 3_723_000, expectedAt: null }, downSince: at, lastPingAt: at + 3_723_000 });
const failure = (data = NASTY) => alertOf({ ...downFacts, event: "failure", flip: { ...downFacts.flip, from: "up", reason: "failure", expectedAt: null }, failure: { data, exitStatus: 2, truncated: false } });
const testAlert = () => alertOf({ ...downFacts, event: "test", monitor: { ...downFacts.monitor, name: "ops channel" }, dashboardUrl: null });
const longName = (a: Alert, name: string) => alertOf({ ...a.facts, monitor: { ...a.facts.monitor, name } });

const io = createHttpIO({ timeoutMs: 2000, allowPrivate: true });

async function receiver(t: TestContext): Promise<Receiver> {
  const rx = await startReceiver();
  t.after(() => rx.close());
  return rx;
}

function assertOk(r: SendResult): void {
  assert.equal(r.ok, true, r.ok ? "" : r.error);
}

function assertFailed(r: SendResult, retryable: boolean, pattern?: RegExp): string {
  assert.equal(r.ok, false, "expected a failure");
  if (r.ok) return "";
  assert.equal(r.retryable, retryable, `retryable: ${r.error}`);
  if (pattern) assert.match(r.error, pattern);
  return r.error;
}

// ---------------------------------------------------------------- schemas

test("every plugin's schema compiles as a fastest-validator object and accepts a real config", () => {
  const Validator = ValidatorModule as unknown as typeof ValidatorModule.default;
  const v = new Validator();
  const cases: [{ type: string; title: string; schema: Record<string, unknown> }, Record<string, unknown>][] = [
    [webhook, { url: "https://example.com/hook", headers: { Authorization: "Bearer x" }, secret: "0123456789abcdef" }],
    [slack, { url: "https://hooks.slack.com/services/T000/B000/XXXX" }],
    [discord, { url: "https://discord.com/api/webhooks/1/abc", username: "Heartbeats" }],
    [teams, { url: "https://prod-00.westus.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?sig=abc" }],
    [telegram, { botToken: "123456:ABC-def_GHI", chatId: "-1001234567890", messageThreadId: 5 }],
    [ntfy, { topic: "hb-alerts", token: "tk_abc" }],
    [gotify, { server: "https://gotify.example.com", appToken: "AbCdEfGhIjKlMnO" }],
    [pagerduty, { routingKey: "R0123456789abcdef0123456789ABCDE", severity: "warning" }],
    [opsgenie, { apiKey: "00000000-0000-0000-0000-000000000000", priority: "P2", apiUrl: "https://api.eu.opsgenie.com" }],
  ];
  for (const [plugin, config] of cases) {
    const check = v.compile({ $$root: true, type: "object", strict: true, props: plugin.schema });
    assert.equal(check(config), true, `${plugin.type}: ${JSON.stringify(check(config))}`);
    assert.ok(plugin.title);
    for (const [name, rule] of Object.entries(plugin.schema)) assert.ok((rule as { description?: string }).description, `${plugin.type}.${name} has a description`);
  }
  assert.notEqual(v.validate({ botToken: "not a token", chatId: "1" }, telegram.schema as never), true);
  assert.notEqual(v.validate({ routingKey: "short" }, pagerduty.schema as never), true);
  assert.deepEqual(ntfy.validate({ topic: "t", username: "u" }).map((p) => p.field), ["password"]);
});

// ---------------------------------------------------------------- webhook

test("webhook: one signed JSON POST with the documented payload and headers", async (t) => {
  const rx = await receiver(t);
  const secret = "whsec-0123456789abcdef";
  const config = {
    url: `${rx.url}/hooks/heartbeats?source=hb`,
    secret,
    headers: { "X-Custom": "yes", "content-type": "text/plain", "X-Heartbeats-Signature": "forged", "Idempotency-Key": "forged", Host: "evil" },
  };
  const a = down();
  assertOk(await webhook.send(a, config, io));
  assert.equal(rx.requests.length, 1);
  const r = rx.requests[0];
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/hooks/heartbeats?source=hb");
  assert.equal(r.headers["content-type"], "application/json");
  assert.equal(r.headers["content-length"], String(Buffer.byteLength(r.raw)));
  assert.equal(r.headers["idempotency-key"], a.idempotencyKey);
  assert.equal(r.headers["x-heartbeats-event"], "down");
  assert.equal(r.headers["x-custom"], "yes");
  assert.equal(r.headers.host, `127.0.0.1:${rx.port}`);
  assert.match(String(r.headers["user-agent"]), /^Heartbeats\/0\.1 /);
  const ts = String(r.headers["x-heartbeats-timestamp"]);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);

  const sig = String(r.headers["x-heartbeats-signature"]);
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.equal(webhook.verifySignature(secret, ts, r.raw, sig), true);
  assert.equal(webhook.verifySignature("another-key-0123456789", ts, r.raw, sig), false);
  assert.equal(webhook.verifySignature(secret, ts, r.raw.replace("nightly", "nightlY"), sig), false);
  assert.equal(webhook.verifySignature(secret, String(Number(ts) + 1), r.raw, sig), false);
  assert.equal(webhook.verifySignature(secret, ts, r.raw, `sha256=${"0".repeat(64)}, ${sig}`), true, "key rotation: any listed signature");
  assert.equal(webhook.verifySignature(secret, String(Number(ts) - 3600), r.raw, webhook.sign(secret, Number(ts) - 3600, r.raw)), false, "too old");

  assert.deepEqual(r.json, {
    version: 1,
    event: "down",
    idempotencyKey: a.idempotencyKey,
    incidentKey: a.incidentKey,
    monitor: { id: 7, name: "nightly-backup", code: "abcDEF123456", tags: ["db", "prod"], timezone: "Asia/Shanghai", url: DASHBOARD },
    flip: { id: 11, from: "late", to: "down", reason: "no-ping", at: "2026-11-24T08:05:00.000Z", expectedAt: "2026-11-24T07:55:00.000Z" },
    reminder: 0,
    lastPingAt: "2026-11-23T08:05:00.000Z",
    downSince: null,
    failure: null,
    run: null,
    subject: a.rendered.subject,
    text: a.rendered.text,
    locale: "en",
  });
});

test("webhook: a failure report arrives byte for byte, and no secret means no signature", async (t) => {
  const rx = await receiver(t);
  assertOk(await webhook.send(failure(), { url: `${rx.url}/h` }, io));
  const r = rx.requests[0];
  assert.deepEqual(r.json.failure, { data: NASTY, exitStatus: 2, truncated: false });
  assert.equal(r.json.event, "failure");
  assert.equal(r.headers["x-heartbeats-signature"], undefined);
  assert.equal(rx.byKey().get(failure().idempotencyKey), 1);
});

// ---------------------------------------------------------------- Slack

test("slack: Block Kit with header, fields, escaped code block and link; 'ok' is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("/services/T000/B000/XXXXSECRET", { status: 200, body: "ok" });
  const a = failure();
  assertOk(await slack.send(a, { url: `${rx.url}/services/T000/B000/XXXXSECRET` }, io));
  const m = rx.requests[0].json;
  assert.equal(rx.requests[0].headers["content-type"], "application/json");
  assert.equal(m.text, "[Heartbeats] FAILED: nightly-backup — disk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\" 'single'");
  assert.deepEqual(m.blocks[0], { type: "header", text: { type: "plain_text", text: "FAILED: nightly-backup", emoji: false } });
  const fields = m.blocks.filter((b: any) => b.fields).flatMap((b: any) => b.fields.map((f: any) => f.text));
  assert.ok(fields.includes("*Monitor*\nnightly-backup (abcDEF123456)"));
  assert.ok(fields.includes("*Exit status*\n2"));
  for (const b of m.blocks) if (b.fields) assert.ok(b.fields.length <= 10);
  const code = m.blocks.find((b: any) => b.text?.text?.includes("```")).text.text as string;
  assert.ok(code.includes("disk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\""), code);
  assert.ok(!code.includes("<b>") && !code.includes("<@everyone>"));
  assert.equal(code.match(/```/g)!.length, 2, "the report's own fences cannot close the block");
  assert.equal(m.blocks.at(-1).elements[0].text, "<https://hb.example.com/monitors/7?tab=flips&amp;x=1|Open in Heartbeats>");
});

test("slack: limits are Block Kit's (header 150, section 3000), and a Slack error is reported", async (t) => {
  const rx = await receiver(t);
  const a = longName(failure("x".repeat(10_000)), "n".repeat(400));
  assertOk(await slack.send(a, { url: `${rx.url}/s` }, io));
  const m = rx.requests[0].json;
  assert.ok(m.blocks[0].text.text.length <= 150);
  for (const b of m.blocks) {
    if (b.text) assert.ok(b.text.text.length <= 3000, `section ${b.text.text.length}`);
    for (const f of b.fields ?? []) assert.ok(f.text.length <= 2000);
  }
  assert.match(m.blocks.find((b: any) => b.text?.text?.includes("```")).text.text, /…```$/);
  rx.respond("*", { status: 404, body: "no_service" });
  assertFailed(await slack.send(down(), { url: `${rx.url}/s` }, io), false, /^Slack answered 404: no_service$/);
  rx.respond("*", { status: 429, body: "rate_limited" });
  assertFailed(await slack.send(down(), { url: `${rx.url}/s` }, io), true);
});

// ---------------------------------------------------------------- Discord

test("discord: one embed with colour, fields, timestamp, link and no mentions; 204 is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 204 });
  const a = failure();
  assertOk(await discord.send(a, { url: `${rx.url}/api/webhooks/123/TOKEN`, username: "Heartbeats" }, io));
  const m = rx.requests[0].json;
  assert.equal(rx.requests[0].path, "/api/webhooks/123/TOKEN");
  assert.equal(m.username, "Heartbeats");
  assert.deepEqual(m.allowed_mentions, { parse: [] });
  const e = m.embeds[0];
  assert.equal(e.title, "FAILED: nightly-backup");
  assert.equal(e.color, 0xd93025);
  assert.equal(e.url, DASHBOARD);
  assert.equal(e.timestamp, "2026-11-24T08:05:00.000Z");
  assert.deepEqual(e.fields[0], { name: "Monitor", value: "nightly\\-backup \\(abcDEF123456\\)", inline: true });
  assert.ok(e.description.includes("```\ndisk <b>full</b> & \"quoted\""), e.description);
  assert.ok(e.description.includes("`\u200b`\u200b`"), "backtick runs broken up");
  assert.equal(e.description.match(/```/g).length, 2);
});

test("discord: embed limits (title 256, description 4096, 25 fields of 256/1024, 6000 in all)", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 204 });
  const a = longName(failure("y".repeat(20_000)), "n".repeat(2000));
  a.rendered.rows.push(...Array.from({ length: 40 }, (_, i): [string, string] => [`k${i}`.repeat(200), "v".repeat(5000)]));
  assertOk(await discord.send(a, { url: `${rx.url}/w` }, io));
  const e = rx.requests[0].json.embeds[0];
  assert.ok(e.title.length <= 256);
  assert.ok(e.description.length <= 4096);
  assert.ok(e.fields.length <= 25 && e.fields.length >= 3);
  assert.equal(e.fields[0].name, "Monitor");
  for (const f of e.fields) assert.ok(f.name.length <= 256 && f.value.length <= 1024);
  const total = e.title.length + e.description.length + e.fields.reduce((n: number, f: any) => n + f.name.length + f.value.length, 0);
  assert.ok(total <= 6000, `total ${total}`);
  rx.requests.length = 0;
  const many = down();
  many.rendered.rows.push(...Array.from({ length: 40 }, (_, i): [string, string] => [`k${i}`, "v"]));
  assertOk(await discord.send(many, { url: `${rx.url}/w` }, io));
  assert.equal(rx.requests[0].json.embeds[0].fields.length, 25);
  const small = longName(failure("z".repeat(20_000)), "short");
  rx.requests.length = 0;
  assertOk(await discord.send(small, { url: `${rx.url}/w` }, io));
  const d = rx.requests[0].json.embeds[0].description as string;
  assert.ok(d.length <= 4096 && d.length > 3500 && d.endsWith("…\n```"), `${d.length}`);
});

// ---------------------------------------------------------------- Teams

test("teams: an Adaptive Card message with title colour, facts, monospace report and link; 202 is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 202 });
  const url = `${rx.url}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET`;
  assertOk(await teams.send(failure(), { url }, io));
  const r = rx.requests[0];
  assert.equal(r.path, "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET");
  assert.equal(r.json.type, "message");
  const att = r.json.attachments[0];
  assert.equal(att.contentType, "application/vnd.microsoft.card.adaptive");
  assert.equal(att.contentUrl, null);
  const card = att.content;
  assert.equal(card.$schema, "http://adaptivecards.io/schemas/adaptive-card.json");
  assert.equal(card.type, "AdaptiveCard");
  assert.equal(card.version, "1.4");
  assert.deepEqual({ type: card.body[0].type, text: card.body[0].text, weight: card.body[0].weight, color: card.body[0].color }, { type: "TextBlock", text: "FAILED: nightly-backup", weight: "bolder", color: "attention" });
  const facts = card.body.find((b: any) => b.type === "FactSet").facts;
  assert.deepEqual(facts[0], { title: "Monitor", value: "nightly-backup (abcDEF123456)" });
  const mono = card.body.find((b: any) => b.fontType === "monospace");
  assert.equal(mono.text, NASTY);
  assert.equal(mono.wrap, true);
  assert.deepEqual(card.actions, [{ type: "Action.OpenUrl", title: "Open in Heartbeats", url: DASHBOARD }]);

  rx.requests.length = 0;
  rx.respond("*", { status: 200 });
  assertOk(await teams.send(up(), { url }, io));
  assert.equal(rx.requests[0].json.attachments[0].content.body[0].color, "good");
  assertOk(await teams.send(testAlert(), { url }, io));
  assert.equal(rx.requests[1].json.attachments[0].content.actions, undefined);
});

// ---------------------------------------------------------------- Telegram

const BOT = "123456789:AAHsecret-TOKEN_value0123456789abcdefg";

test("telegram: sendMessage on the bot-token path with HTML limited to b, a and pre", async (t) => {
  const rx = await receiver(t);
  rx.respond(`/bot${BOT}/sendMessage`, { status: 200, body: { ok: true, result: { message_id: 42 } } });
  const r0 = await telegram.send(failure(), { botToken: BOT, chatId: "-1001234567890", messageThreadId: 7, apiUrl: `${rx.url}/` }, io);
  assertOk(r0);
  const r = rx.requests[0];
  assert.equal(r.path, `/bot${BOT}/sendMessage`);
  assert.equal(r.json.chat_id, "-1001234567890");
  assert.equal(r.json.parse_mode, "HTML");
  assert.deepEqual(r.json.link_preview_options, { is_disabled: true });
  assert.equal(r.json.message_thread_id, 7);
  const text: string = r.json.text;
  assert.ok(text.startsWith("<b>FAILED: nightly-backup</b>\ndisk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\""), text);
  assert.ok(text.includes("<b>Monitor:</b> nightly-backup (abcDEF123456)"));
  assert.ok(text.includes("<pre>disk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\" 'single'\n```\nrm -rf `pwd`"));
  assert.ok(text.endsWith(`<a href="https://hb.example.com/monitors/7?tab=flips&amp;x=1">Open in Heartbeats</a>`));
  const stripped = text.replace(/<\/?(b|pre)>|<a href="[^"<>]*">|<\/a>/g, "");
  assert.ok(!/[<>]/.test(stripped), "no other tags, every < and > escaped");
  assert.ok(!/&(?!(amp|lt|gt|quot);)/.test(stripped), "every & escaped");
});

test("telegram: 4096 characters after entity parsing, with the markup kept whole", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 200, body: { ok: true, result: { message_id: 1 } } });
  assertOk(await telegram.send(failure("<&>".repeat(5000)), { botToken: BOT, chatId: "@heartbeats_ops", apiUrl: rx.url }, io));
  const text: string = rx.requests[0].json.text;
  const visible = text.replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&amp;/g, "&");
  assert.ok(visible.length <= 4096 && visible.length > 4000, `visible ${visible.length}`);
  assert.equal(text.match(/<pre>/g)!.length, 1);
  assert.equal(text.match(/<\/pre>/g)!.length, 1);
  assert.ok(text.endsWith("Open in Heartbeats</a>"));
});

test("telegram: Telegram's own errors are reported, 429 retried, and the token is never in a message", async (t) => {
  const rx = await receiver(t);
  const config = { botToken: BOT, chatId: "1", apiUrl: rx.url };
  rx.respond("*", { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } });
  const e1 = assertFailed(await telegram.send(down(), config, io), false, /^Telegram answered 400: Bad Request: chat not found$/);
  rx.respond("*", { status: 429, body: { ok: false, error_code: 429, description: "Too Many Requests: retry after 5", parameters: { retry_after: 5 } } });
  const e2 = assertFailed(await telegram.send(down(), config, io), true, /Too Many Requests/);
  rx.respond("*", (req) => ({ status: 401, body: `Unauthorized for ${req.path}` }));
  const e3 = assertFailed(await telegram.send(down(), config, io), false);
  rx.respond("*", { status: 200, body: "<html>proxy says hi</html>" });
  const e4 = assertFailed(await telegram.send(down(), config, io), false);
  const closed = await startReceiver();
  await closed.close();
  const e5 = assertFailed(await telegram.send(down(), { ...config, apiUrl: closed.url }, io), true, /ECONNREFUSED/);
  for (const e of [e1, e2, e3, e4, e5]) {
    assert.ok(!e.includes(BOT) && !e.includes(BOT.split(":")[1]), e);
  }
});

// ---------------------------------------------------------------- ntfy

test("ntfy: JSON publishing to the server root with priority, tags, click and Bearer auth", async (t) => {
  const rx = await receiver(t);
  rx.respond("/", { status: 200, body: { id: "abc", event: "message" } });
  assertOk(await ntfy.send(failure(), { server: rx.url, topic: "hb-alerts", token: "tk_secretsecret123" }, io));
  const r = rx.requests[0];
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/");
  assert.equal(r.headers.authorization, "Bearer tk_secretsecret123");
  assert.equal(r.json.topic, "hb-alerts");
  assert.equal(r.json.title, "FAILED: nightly-backup");
  assert.equal(r.json.markdown, true);
  assert.equal(r.json.priority, 5);
  assert.deepEqual(r.json.tags, ["rotating_light"]);
  assert.equal(r.json.click, DASHBOARD);
  assert.ok(r.json.message.includes("**Monitor:** nightly\\-backup \\(abcDEF123456\\)"));
  assert.ok(r.json.message.includes("```\ndisk <b>full</b>"));

  assertOk(await ntfy.send(up(), { server: `${rx.url}/`, topic: "hb-alerts", username: "ops", password: "pa:ss" }, io));
  assert.equal(rx.requests[1].headers.authorization, "Basic " + Buffer.from("ops:pa:ss").toString("base64"));
  assert.equal(rx.requests[1].json.priority, 3);
  assert.deepEqual(rx.requests[1].json.tags, ["white_check_mark"]);
  assertOk(await ntfy.send(testAlert(), { server: rx.url, topic: "hb-alerts" }, io));
  assert.equal(rx.requests[2].headers.authorization, undefined);
  assert.deepEqual([rx.requests[2].json.priority, rx.requests[2].json.tags, rx.requests[2].json.click], [3, ["test_tube"], undefined]);
});

test("ntfy: the message stays within 4096 bytes of UTF-8", async (t) => {
  const rx = await receiver(t);
  assertOk(await ntfy.send(failure("é€😀".repeat(3000)), { server: rx.url, topic: "t" }, io));
  const message: string = rx.requests[0].json.message;
  const bytes = Buffer.byteLength(message);
  assert.ok(bytes <= 4096 && bytes > 3800, `${bytes} bytes`);
  assert.ok(message.endsWith("…\n```"));
  assert.ok(!message.includes("\ufffd"));
});

// ---------------------------------------------------------------- Gotify

test("gotify: POST /message with X-Gotify-Key, priority and the markdown/click extras", async (t) => {
  const rx = await receiver(t);
  const config = { server: `${rx.url}/gotify/`, appToken: "AbCdEfGhIjKlMnO" };
  assertOk(await gotify.send(down(), config, io));
  const r = rx.requests[0];
  assert.equal(r.path, "/gotify/message");
  assert.equal(r.headers["x-gotify-key"], "AbCdEfGhIjKlMnO");
  assert.equal(r.json.title, "DOWN: nightly-backup");
  assert.equal(r.json.priority, 8);
  assert.deepEqual(r.json.extras, { "client::display": { contentType: "text/markdown" }, "client::notification": { click: { url: DASHBOARD } } });
  assert.ok(r.json.message.startsWith("no ping arrived before the deadline\n\n**Monitor:**"));

  assertOk(await gotify.send(up(), config, io));
  assert.equal(rx.requests[1].json.priority, 4);
  assertOk(await gotify.send(testAlert(), config, io));
  assert.deepEqual(rx.requests[2].json.extras, { "client::display": { contentType: "text/markdown" } });

  rx.respond("*", { status: 401, body: { error: "Unauthorized", errorCode: 401, errorDescription: "you need to provide a valid access token or user credentials to access this api" } });
  const e = assertFailed(await gotify.send(down(), config, io), false, /^Gotify answered 401: /);
  assert.ok(!e.includes(config.appToken));
});

// ---------------------------------------------------------------- PagerDuty

const ROUTING = "R0123456789abcdef0123456789ABCDE";

test("pagerduty: trigger then resolve with one dedup_key; payload per Events API v2", async (t) => {
  const rx = await receiver(t);
  rx.respond("/v2/enqueue", (req) => ({ status: 202, body: { status: "success", message: "Event processed", dedup_key: req.json.dedup_key } }));
  const config = { routingKey: ROUTING, eventsUrl: `${rx.url}/v2/enqueue`, component: "backups", group: "prod", class: "cron" };
  const d = down();
  assertOk(await pagerduty.send(d, config, io));
  assertOk(await pagerduty.send(up(), config, io));
  const [trigger, resolve] = rx.requests.map((r) => r.json);
  assert.equal(rx.requests[0].path, "/v2/enqueue");
  assert.equal(trigger.routing_key, ROUTING);
  assert.equal(trigger.event_action, "trigger");
  assert.equal(trigger.dedup_key, d.incidentKey);
  assert.equal(trigger.client, "Heartbeats");
  assert.equal(trigger.client_url, DASHBOARD);
  assert.deepEqual(trigger.links, [{ href: DASHBOARD, text: "Open in Heartbeats" }]);
  assert.deepEqual(
    { ...trigger.payload, custom_details: undefined },
    { summary: "DOWN: nightly-backup — no ping arrived before the deadline", source: "nightly-backup", severity: "critical", timestamp: "2026-11-24T08:05:00.000Z", component: "backups", group: "prod", class: "cron", custom_details: undefined },
  );
  assert.equal(trigger.payload.custom_details.Monitor, "nightly-backup (abcDEF123456)");
  assert.deepEqual(resolve, { routing_key: ROUTING, dedup_key: d.incidentKey, event_action: "resolve" });
  assert.equal(rx.byKey((r) => r.json.dedup_key).get(d.incidentKey), 2);
});

test("pagerduty: failure is severity error with the report, summary ≤ 1024; 400 permanent, 429/5xx retried", async (t) => {
  const rx = await receiver(t);
  const config = { routingKey: ROUTING, eventsUrl: `${rx.url}/v2/enqueue` };
  rx.respond("*", { status: 202, body: { status: "success" } });
  assertOk(await pagerduty.send(longName(failure(), "m".repeat(3000)), config, io));
  const p = rx.requests[0].json.payload;
  assert.equal(p.severity, "error");
  assert.ok(p.summary.length <= 1024 && p.source.length <= 255);
  assert.equal(p.custom_details.failure, NASTY);
  assertOk(await pagerduty.send(testAlert(), config, io));
  assert.deepEqual([rx.requests[1].json.event_action, rx.requests[1].json.payload.severity], ["trigger", "info"]);
  assertOk(await pagerduty.send(down(), { ...config, severity: "warning" as const }, io));
  assert.equal(rx.requests[2].json.payload.severity, "warning");

  rx.respond("*", { status: 400, body: { status: "invalid event", message: "Event object is invalid", errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"] } });
  assertFailed(await pagerduty.send(down(), config, io), false, /^PagerDuty answered 400: Event object is invalid; Length of 'routing_key' is incorrect/);
  rx.respond("*", { status: 429, body: { status: "throttle event", message: "Requests for this service are arriving too quickly." } });
  assertFailed(await pagerduty.send(down(), config, io), true);
  rx.respond("*", { status: 503, body: "" });
  assertFailed(await pagerduty.send(down(), config, io), true, /^PagerDuty answered 503$/);
});

// ---------------------------------------------------------------- Opsgenie

const GENIE = "eb243592-faa2-4ba2-a551-1afdf565c889";

test("opsgenie: create with GenieKey, alias and limits; up closes by alias", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 202, body: { result: "Request will be processed", took: 0.302, requestId: "43a29c5c" } });
  const config = { apiKey: GENIE, apiUrl: rx.url };
  const tags = Array.from({ length: 30 }, (_, i) => `tag-${i}-`.padEnd(80, "x"));
  const d = alertOf({ ...downFacts, monitor: { ...downFacts.monitor, name: "a".repeat(300), tags } });
  assertOk(await opsgenie.send(d, config, io));
  const c = rx.requests[0];
  assert.equal(c.method, "POST");
  assert.equal(c.path, "/v2/alerts");
  assert.equal(c.headers.authorization, `GenieKey ${GENIE}`);
  assert.ok(c.json.message.length <= 130 && c.json.message.startsWith("DOWN: aaa"));
  assert.equal(c.json.alias, d.incidentKey);
  assert.equal(c.json.source, "Heartbeats");
  assert.equal(c.json.priority, "P1");
  assert.equal(c.json.entity, "a".repeat(300));
  assert.equal(c.json.tags.length, 20);
  for (const tag of c.json.tags) assert.ok(tag.length <= 50);
  assert.equal(c.json.description, d.rendered.text);
  assert.equal(c.json.details.Status, "late → down");
  for (const v of Object.values(c.json.details)) assert.equal(typeof v, "string");

  const u = up();
  assertOk(await opsgenie.send(u, config, io));
  const close = rx.requests[1];
  assert.equal(close.path, `/v2/alerts/${encodeURIComponent(u.incidentKey)}/close?identifierType=alias`);
  assert.equal(close.path, "/v2/alerts/hb-7-11%2Fch%203/close?identifierType=alias");
  assert.equal(close.headers.authorization, `GenieKey ${GENIE}`);
  assert.deepEqual(Object.keys(close.json).sort(), ["note", "source"]);
  assert.equal(close.json.source, "Heartbeats");

  assertOk(await opsgenie.send(testAlert(), { ...config, priority: "P2" as const }, io));
  assert.equal(rx.requests[2].json.priority, "P3");
  assertOk(await opsgenie.send(failure(), { ...config, priority: "P2" as const }, io));
  assert.equal(rx.requests[3].json.priority, "P2");
  assert.ok(rx.requests[3].json.description.includes(NASTY));

  rx.respond("*", { status: 422, body: { message: "Request body is not processable. Please check the errors.", errors: { message: "Message can not be empty." }, took: 0.1, requestId: "x" } });
  assertFailed(await opsgenie.send(down(), config, io), false, /^Opsgenie answered 422: Request body is not processable/);
  rx.respond("*", (req) => ({ status: 401, body: { message: `Key ${req.headers.authorization} is invalid` } }));
  const e = assertFailed(await opsgenie.send(down(), config, io), false);
  assert.ok(!e.includes(GENIE), e);
});

// ---------------------------------------------------------------- the client's rules

test("client: 429/503/408 are retried, 400/404 are final, the answer is quoted on one line", async (t) => {
  const rx = await receiver(t);
  const send = () => webhook.send(down(), { url: `${rx.url}/h` }, io);
  for (const status of [429, 503, 408, 500]) {
    rx.respond("*", { status, body: "busy" });
    assertFailed(await send(), true, new RegExp(`^the webhook answered ${status}: busy$`));
  }
  for (const status of [400, 404, 401, 410]) {
    rx.respond("*", { status, body: `line one\n\n  line two ${"z".repeat(400)}` });
    const e = assertFailed(await send(), false, new RegExp(`^the webhook answered ${status}: line one line two z+…$`));
    assert.ok(e.length < 260);
  }
});

test("client: a redirect is not followed and is a permanent failure", async (t) => {
  const rx = await receiver(t);
  rx.respond("/old", { status: 301, headers: { location: `${rx.url}/new?token=SEKRIT` } });
  const e = assertFailed(await webhook.send(down(), { url: `${rx.url}/old` }, io), false, /answered 301: redirect to http:\/\/127\.0\.0\.1:\d+\/new not followed/);
  assert.ok(!e.includes("SEKRIT"));
  assert.deepEqual(rx.requests.map((r) => r.path), ["/old"]);
});

test("client: a receiver that never answers is a retryable timeout within the time limit", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { hang: true });
  const fast = createHttpIO({ timeoutMs: 300, allowPrivate: true });
  const started = Date.now();
  const e = assertFailed(await webhook.send(down(), { url: `${rx.url}/h/PATHSECRET` }, fast), true, /timed out after 300 ms/);
  const took = Date.now() - started;
  assert.ok(took >= 290 && took < 1000, `${took} ms`);
  assert.ok(!e.includes("PATHSECRET") && e.includes(`http://127.0.0.1:${rx.port}`), e);
});

test("client: a receiver streaming 50 MB is cut off at 64 KiB, quickly and without the memory", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { streamBytes: 50 * 1024 * 1024 });
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();
  const res = await io.request({ method: "POST", url: `${rx.url}/big`, body: { a: 1 } });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, MAX_RESPONSE_BYTES);
  assertOk(await webhook.send(down(), { url: `${rx.url}/big` }, io));
  const took = Date.now() - started;
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(took < 1500, `${took} ms`);
  assert.ok(grown < 20 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(1)} MB`);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(rx.streamed < 10 * 1024 * 1024, `receiver got to write ${rx.streamed} bytes`);
});

test("client: private addresses are refused before any request unless allowed", async (t) => {
  const rx = await receiver(t);
  const strict = createHttpIO({ timeoutMs: 2000, allowPrivate: false });
  const e = assertFailed(await webhook.send(down(), { url: `${rx.url}/h` }, strict), false, /127\.0\.0\.1 resolves to a private address.*ALLOW_PRIVATE_WEBHOOKS/);
  assert.ok(!e.includes("/h"));
  assertFailed(await webhook.send(down(), { url: `http://[::1]:${rx.port}/h` }, strict), false, /private address/);
  assertFailed(await webhook.send(down(), { url: `http://0x7f000001:${rx.port}/h` }, strict), false, /private address/);
  assertFailed(await webhook.send(down(), { url: `http://localhost:${rx.port}/h` }, strict), false, /localhost resolves to a private address/);
  await assert.rejects(strict.request({ url: "file:///etc/passwd" }), (err: Error & { retryable?: boolean }) => err.retryable === false && /only http: and https:/.test(err.message));
  await assert.rejects(strict.request({ url: "not a url with TOKEN" }), (err: Error) => !err.message.includes("TOKEN"));
  assert.equal(rx.requests.length, 0);
});

test("client: the address is vetted inside the lookup, every resolved address counts, and the socket uses it", async (t) => {
  const rx = await receiver(t);
  const calls: string[] = [];
  const fakeLookup = (answers: string[]) =>
    ((host: string, options: dns.LookupAllOptions, cb: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => {
      calls.push(`${host} all=${options.all}`);
      cb(null, answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
    }) as unknown as typeof dns.lookup;

  const rebind = createHttpIO({ timeoutMs: 2000, allowPrivate: false, lookup: fakeLookup(["127.0.0.1"]) });
  assertFailed(await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, rebind), false, /^the webhook: hooks\.example\.test resolves to a private address \(127\.0\.0\.1\).*ALLOW_PRIVATE_WEBHOOKS/);
  const mixed = createHttpIO({ timeoutMs: 2000, allowPrivate: false, lookup: fakeLookup(["93.184.215.14", "169.254.169.254"]) });
  assertFailed(await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, mixed), false, /169\.254\.169\.254/);
  assert.equal(rx.requests.length, 0);

  // Allowed: the connection goes to the address the lookup vetted, not to a second resolution.
  const allowed = createHttpIO({ timeoutMs: 2000, allowPrivate: true, lookup: fakeLookup(["127.0.0.1"]) });
  assertOk(await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, allowed));
  assert.equal(rx.requests.length, 1);
  assert.equal(rx.requests[0].headers.host, `hooks.example.test:${rx.port}`);
  assert.ok(calls.every((c) => c.startsWith("hooks.example.test all=")));
  assert.equal(calls.length, 3, "one lookup per connection");
});

test("client: no channel puts a secret in an error message, whatever the receiver echoes", async (t) => {
  const rx = await receiver(t);
  // A hostile (or merely chatty) receiver: the error body repeats everything it was sent.
  rx.respond("*", (req) => ({ status: 500, body: `${req.path} ${req.headers.authorization ?? ""} ${req.headers["x-gotify-key"] ?? ""} ${req.raw.slice(0, 120)}` }));
  const closed = await startReceiver();
  await closed.close();
  const cases: [string, (base: string) => Promise<SendResult>][] = [
    ["WEBHOOKPATHTOKEN123", (b) => webhook.send(down(), { url: `${b}/in/WEBHOOKPATHTOKEN123`, headers: { Authorization: "Bearer HDRSECRET0123456" }, secret: "signing-secret-0123" }, io)],
    ["HDRSECRET0123456", (b) => webhook.send(down(), { url: `${b}/in`, headers: { Authorization: "Bearer HDRSECRET0123456" } }, io)],
    ["SLACKTOKEN0123456789abcd", (b) => slack.send(down(), { url: `${b}/services/T0/B0/SLACKTOKEN0123456789abcd` }, io)],
    ["DISCORDTOKEN-abcdefghijklmnopqrstuvwxyz", (b) => discord.send(down(), { url: `${b}/api/webhooks/1/DISCORDTOKEN-abcdefghijklmnopqrstuvwxyz` }, io)],
    ["TEAMSSIG0123456789abcdef", (b) => teams.send(down(), { url: `${b}/workflows/x/invoke?api-version=1&sig=TEAMSSIG0123456789abcdef` }, io)],
    [BOT, (b) => telegram.send(down(), { botToken: BOT, chatId: "1", apiUrl: b }, io)],
    ["tk_NTFYTOKEN123", (b) => ntfy.send(down(), { server: b, topic: "t", token: "tk_NTFYTOKEN123" }, io)],
    ["ntfy-pass-word", (b) => ntfy.send(down(), { server: b, topic: "t", username: "u", password: "ntfy-pass-word" }, io)],
    ["AbCdEfGhIjKlMnO", (b) => gotify.send(down(), { server: b, appToken: "AbCdEfGhIjKlMnO" }, io)],
    [ROUTING, (b) => pagerduty.send(down(), { routingKey: ROUTING, eventsUrl: `${b}/v2/enqueue` }, io)],
    [GENIE, (b) => opsgenie.send(down(), { apiKey: GENIE, apiUrl: b }, io)],
  ];
  for (const [secret, run] of cases) {
    for (const base of [rx.url, closed.url]) {
      const e = assertFailed(await run(base), true);
      assert.ok(!e.includes(secret), `${secret} leaked: ${e}`);
    }
  }
  assert.ok(rx.requests.length >= cases.length);
});

test("client: a header value that would split the request is refused without quoting it", async (t) => {
  const rx = await receiver(t);
  const e = assertFailed(await webhook.send(down(), { url: `${rx.url}/h`, headers: { "X-Token": "HDRVALUE\r\nX-Evil: 1" } }, io), false, /could not be built/);
  assert.ok(!e.includes("HDRVALUE"));
  assert.equal(rx.requests.length, 0);
});
