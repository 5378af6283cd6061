// Alerts in the channel's language, from the registry through the checker to the notifier on an
// in-process broker: one monitor, several channels on real local receivers. A zh-Hans webhook and a zh-Hans Telegram channel get
// Chinese, an "en" webhook on the same monitor gets English, and a channel that chooses nothing
// speaks DEFAULT_LOCALE (set to zh-Hans here). Times are in the monitor's zone.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startReceiver, type Receiver, type ReceivedRequest } from "../support/receiver.ts";
import { eventually } from "../support/system.ts";
import { startBroker, type TestBroker } from "../support/broker.ts";

const BOT = "123456:ABC-locale_test";
let rx: Receiver;
let hb: TestBroker | undefined;

before(async () => {
  rx = await startReceiver();
  rx.respond(`/bot${BOT}/sendMessage`, { status: 200, body: { ok: true, result: { message_id: 7 } } });
  hb = await startBroker({
    services: ["registry", "ingest", "checker", "notifier"],
    env: {
      NOTIFIER_POLL_MS: "200",
      CHANNEL_TIMEOUT_MS: "2000",
      ALLOW_PRIVATE_WEBHOOKS: "true",
      DEFAULT_LOCALE: "zh-Hans",
      // Interval monitors' alert times are in DEFAULT_TIMEZONE.
      DEFAULT_TIMEZONE: "Asia/Shanghai",
      PUBLIC_URL: "https://hb.example.org",
    },
  });
});

after(async () => {
  await hb?.stop();
  await rx?.close();
});

async function channel(
  body: Record<string, unknown>,
): Promise<{ id: number; locale: string | null; defaultLocale: string }> {
  return hb!.call("registry.channels.create", body);
}

const hook = (p: string) => (r: ReceivedRequest) => r.path === p && r.json?.event === "down";

test("a channel's language is validated, stored, shown and changeable", async () => {
  const bad = await hb!.refusal("registry.channels.create", {
    name: "fr",
    type: "webhook",
    config: { url: `${rx.url}/fr` },
    locale: "fr",
  });
  assert.equal(bad.code, 422);
  assert.equal(bad.fields[0], "locale", JSON.stringify(bad));
  const ch = await channel({
    name: "switching",
    type: "webhook",
    config: { url: `${rx.url}/switching` },
    locale: "en",
  });
  assert.equal(ch.locale, "en");
  assert.equal(ch.defaultLocale, "zh-Hans");
  const changed = await hb!.call("registry.channels.update", { id: ch.id, locale: null });
  assert.equal(changed.locale, null, "null: back to DEFAULT_LOCALE");
  assert.equal((await hb!.refusal("registry.channels.update", { id: ch.id, locale: "de" })).code, 422);
  await hb!.call("registry.channels.remove", { id: ch.id });
});

test(
  "one monitor goes down: Chinese channels get Chinese, the English channel English, the unset one DEFAULT_LOCALE",
  { timeout: 60_000 },
  async () => {
    const zh = await channel({ name: "zh hook", type: "webhook", config: { url: `${rx.url}/zh` }, locale: "zh-Hans" });
    const en = await channel({ name: "en hook", type: "webhook", config: { url: `${rx.url}/en` }, locale: "en" });
    const unset = await channel({ name: "default hook", type: "webhook", config: { url: `${rx.url}/default` } });
    assert.equal(unset.locale, null);
    const tg = await channel({
      name: "zh telegram",
      type: "telegram",
      config: { botToken: BOT, chatId: "-100123", apiUrl: rx.url },
      locale: "zh-Hans",
    });
    const m = await hb!.call("registry.create", {
      name: "夜间备份 <b>",
      tags: ["db"],
      schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
      channels: [zh.id, en.id, unset.id, tg.id],
    });
    const ping = await hb!.ping(m.code);
    assert.equal(ping.monitorId, m.id, JSON.stringify(ping));

    const [zhAlert, enAlert, defaultAlert] = await Promise.all(
      ["/zh", "/en", "/default"].map((p) =>
        eventually(async () => rx.requests.find(hook(p)), 30_000, `the down alert at ${p}`),
      ),
    );

    const chinese = zhAlert.json;
    assert.equal(chinese.locale, "zh-Hans");
    assert.equal(enAlert.json.locale, "en");
    assert.match(chinese.subject, /^\[Heartbeats\] 故障: 夜间备份 <b> — /);
    assert.match(chinese.text, /监控:\s+夜间备份 <b> \(/);
    assert.match(chinese.text, /状态:\s+(迟到|正常) → 故障/);
    assert.match(chinese.text, /原因:\s+截止时间前没有收到心跳/);
    // The times are the monitor's zone's (and UTC): the flip's own time, formatted in Asia/Shanghai.
    const at = new Date(chinese.flip.at).getTime();
    const shanghai = new Date(at + 8 * 3_600_000).toISOString().replace("T", " ").slice(0, 19);
    assert.ok(chinese.text.includes(`时间: `) && chinese.text.includes(`${shanghai} Asia/Shanghai`), chinese.text);
    for (const word of ["Monitor", "Status", "Reason", "DOWN", "deadline"])
      assert.ok(!chinese.text.includes(word) && !chinese.subject.includes(word), `"${word}" in ${chinese.text}`);

    const english = enAlert.json;
    assert.match(english.subject, /^\[Heartbeats\] DOWN: 夜间备份 <b> — no ping arrived before the deadline$/);
    assert.match(english.text, /Monitor:\s+夜间备份 <b> \(/);
    assert.ok(english.text.includes(`${shanghai} Asia/Shanghai`));
    assert.ok(!/故障|监控|原因/.test(english.text + english.subject), english.text);

    assert.match(
      defaultAlert.json.subject,
      /^\[Heartbeats\] 故障: /,
      "no locale on the channel: DEFAULT_LOCALE=zh-Hans",
    );

    // Telegram: Chinese words around the facts, and its own HTML escaping of the monitor's name.
    const telegram = await eventually(
      async () => rx.requests.find((r) => r.path === `/bot${BOT}/sendMessage` && /故障/.test(r.json?.text ?? "")),
      30_000,
      "the Telegram alert",
    );
    const text: string = telegram.json.text;
    assert.ok(text.startsWith("<b>故障: 夜间备份 &lt;b&gt;</b>"), text);
    assert.ok(text.includes("<b>监控:</b>") && text.includes("在 Heartbeats 中打开"), text);
    assert.ok(!text.includes("Open in Heartbeats") && !text.includes("<b> <"), text);

    // The notifications list records each delivery, whatever its language.
    const notes = await hb!.call("registry.notifications", { id: m.id });
    assert.ok(notes.items.length >= 4, JSON.stringify(notes));
  },
);
