import { test } from "node:test";
import assert from "node:assert/strict";
import { ALERT_MESSAGES, fill } from "../../core/alerts/alert-messages.ts";
import { renderAlert, type AlertFacts } from "../../core/alerts/alert.ts";
import { at, downFacts } from "../support/alert-facts.ts";
import { LOCALES } from "../../core/alerts/locale.ts";
import { messageText } from "../../plugins/telegram.ts";
import { message as slackMessage } from "../../plugins/slack.ts";

/** Every leaf of a catalog as "path" → text. */
function leaves(o: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    if (typeof v === "string") out.set(prefix + k, v);
    else for (const [kk, vv] of leaves(v, `${prefix}${k}.`)) out.set(kk, vv);
  }
  return out;
}
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every alert catalog has the English catalog's keys, none empty, with the same placeholders", () => {
  const en = leaves(ALERT_MESSAGES.en);
  assert.ok(en.size > 30);
  for (const locale of LOCALES) {
    const other = leaves(ALERT_MESSAGES[locale]);
    assert.deepEqual([...other.keys()].sort(), [...en.keys()].sort(), locale);
    for (const [key, text] of other) {
      assert.ok(text.trim() !== "", `${locale} ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en.get(key)!), `${locale} ${key}: placeholders`);
    }
  }
});

test("the Chinese catalog is Chinese: no entry repeats its English text", () => {
  const en = leaves(ALERT_MESSAGES.en);
  for (const [key, text] of leaves(ALERT_MESSAGES["zh-Hans"])) {
    if (key === "units.s" || key === "listSeparator") continue;
    assert.notEqual(text, en.get(key), key);
    assert.match(text, /[\u4e00-\u9fff]|（|、|：/, `${key} has no Chinese`);
  }
});

test("fill replaces known placeholders and leaves unknown ones visible", () => {
  assert.equal(fill("down for {duration}: {reason}", { duration: "5m", reason: "x" }), "down for 5m: x");
  assert.equal(fill("{n}{typo}", { n: 3 }), "3{typo}");
});

const facts: AlertFacts = { ...downFacts, lastPingAt: null, dashboardUrl: "https://hb.example/monitors/7" };

test("a Chinese down alert says it in Chinese, with the times in the monitor's zone and UTC", () => {
  const a = renderAlert(facts, "zh-Hans");
  assert.equal(a.locale, "zh-Hans");
  assert.equal(a.subject, "[Heartbeats] 故障: nightly-backup — 截止时间前没有收到心跳");
  assert.match(a.text, /监控:\s+nightly-backup \(abcDEF123456\)/);
  assert.match(a.text, /状态:\s+迟到 → 故障/);
  assert.match(a.text, /时间:\s+2026-11-24 16:05:00 Asia\/Shanghai \(2026-11-24 08:05:00 UTC\)/);
  assert.match(a.text, /预期时间:\s+2026-11-24 15:55:00 Asia\/Shanghai/);
  assert.match(a.text, /最近心跳:\s+从未/);
  assert.match(a.text, /标签:\s+db、prod/);
  assert.ok(a.html.includes('<th align="left">监控</th>'));
  for (const english of ["Monitor", "Status", "Reason", "Last ping", "never", "DOWN", "deadline"]) {
    assert.ok(!a.text.includes(english) && !a.subject.includes(english), `English "${english}" in a Chinese alert`);
  }
});

test("a Chinese recovery and reminder count time in Chinese units; a failure report is labelled in Chinese", () => {
  const up = renderAlert(
    {
      ...facts,
      event: "up",
      flip: { ...facts.flip, from: "down", to: "up", reason: "ping", expectedAt: null },
      downSince: at - 3_723_000,
    },
    "zh-Hans",
  );
  assert.equal(up.subject, "[Heartbeats] 恢复: nightly-backup");
  assert.match(up.text, /故障时长:\s+1小时 2分 3秒/);
  const reminder = renderAlert(
    { ...facts, event: "reminder", reminder: 2, raisedAt: at + 7_200_000, downSince: at },
    "zh-Hans",
  );
  assert.match(reminder.summary, /^已故障 2小时：截止时间前没有收到心跳$/);
  const failed = renderAlert(
    {
      ...facts,
      event: "failure",
      flip: { ...facts.flip, from: "up", reason: "failure" },
      failure: { data: "磁盘已满 <b>", exitStatus: 2, truncated: true },
    },
    "zh-Hans",
  );
  assert.match(failed.text, /失败报告（已截断）:\n磁盘已满 <b>/);
  assert.match(failed.text, /退出码:\s+2/);
  assert.ok(failed.html.includes("磁盘已满 &lt;b&gt;"));
});

test("channels wrap a Chinese alert in Chinese and keep their own escaping", () => {
  const a = renderAlert(
    {
      ...facts,
      event: "failure",
      flip: { ...facts.flip, from: "up", reason: "failure" },
      failure: { data: "a <b> & c", exitStatus: 1, truncated: false },
    },
    "zh-Hans",
  );
  const alert = { event: "failure" as const, idempotencyKey: "k", incidentKey: "i", facts, rendered: a };
  const telegram = messageText(alert);
  assert.ok(telegram.includes("失败报告:"));
  assert.ok(telegram.includes("在 Heartbeats 中打开"));
  assert.ok(telegram.includes("a &lt;b&gt; &amp; c"));
  assert.ok(!telegram.includes("Open in Heartbeats") && !telegram.includes("Failure report"));
  const slack = JSON.stringify(slackMessage(alert));
  assert.ok(slack.includes("在 Heartbeats 中打开") && slack.includes("*失败报告:*"));
});

test("without a locale an alert is English, as before", () => {
  const a = renderAlert(facts);
  assert.equal(a.locale, "en");
  assert.equal(a.subject, "[Heartbeats] DOWN: nightly-backup — no ping arrived before the deadline");
  assert.equal(a.labels.open, "Open in Heartbeats");
});
