import { test } from "node:test";
import assert from "node:assert/strict";
import { CATALOGS, LOCALES, chooseLocale, negotiate, translate } from "../../dashboard/src/app/i18n/translate.ts";
import { exactTime, formatMs, relativeTime } from "../../dashboard/src/app/core/time.ts";
import { statusMeta } from "../../dashboard/src/app/shared/status.ts";

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test("every dashboard catalog has exactly the English keys, none empty, with the same placeholders", () => {
  const en = CATALOGS.en;
  assert.ok(Object.keys(en).length > 150);
  for (const locale of LOCALES) {
    const catalog = CATALOGS[locale] as Record<string, string>;
    assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), locale);
    for (const [key, text] of Object.entries(catalog)) {
      assert.ok(typeof text === "string" && text.trim() !== "", `${locale} ${key} is empty`);
      assert.deepEqual(placeholders(text), placeholders(en[key as keyof typeof en]), `${locale} ${key}: placeholders`);
    }
  }
});

test("the Chinese dashboard catalog is translated: its entries carry Chinese, not the English words", () => {
  for (const [key, text] of Object.entries(CATALOGS["zh-Hans"])) {
    assert.match(text, /[\u4e00-\u9fff]/, `${key} = "${text}" has no Chinese`);
  }
});

test("the browser's languages choose the dashboard's, after the user's own choice and before the server's default", () => {
  assert.equal(negotiate(["zh-CN", "en"]), "zh-Hans");
  assert.equal(negotiate(["zh-Hans-SG"]), "zh-Hans");
  assert.equal(negotiate(["zh"]), "zh-Hans");
  assert.equal(negotiate(["zh-TW", "en-GB"]), "en", "traditional Chinese is not simplified: the next language wins");
  assert.equal(negotiate(["fr-FR", "de"]), null);
  assert.equal(chooseLocale(null, ["fr"], "zh-Hans"), "zh-Hans");
  assert.equal(chooseLocale(null, ["en-US"], "zh-Hans"), "en");
  assert.equal(chooseLocale("zh-Hans", ["en-US"], "en"), "zh-Hans");
});

test("translate fills placeholders and speaks the locale it is given", () => {
  assert.equal(translate("list.countLabel", { status: "Up", count: 3 }, "en"), "Up: 3 monitors");
  assert.equal(translate("list.countLabel", { status: "正常", count: 3 }, "zh-Hans"), "正常：3 个监控");
  assert.equal(translate("app.monitors", undefined, "zh-Hans"), "监控");
});

test("times, durations and statuses in Chinese", () => {
  const now = Date.parse("2026-11-24T08:05:00Z");
  assert.equal(relativeTime(new Date(now - 3 * 60_000).toISOString(), now, "zh-Hans"), "3分钟前");
  assert.equal(relativeTime(new Date(now + 2 * 3_600_000).toISOString(), now, "zh-Hans"), "2小时后");
  assert.equal(relativeTime(new Date(now).toISOString(), now, "zh-Hans"), "刚刚");
  assert.equal(relativeTime(new Date(now - 3 * 60_000).toISOString(), now, "en"), "3 min ago");
  assert.equal(formatMs(184_000, "zh-Hans"), "3 分 4 秒");
  assert.equal(formatMs(184_000, "en"), "3 min 4 s");
  assert.equal(exactTime("2026-11-24T08:05:00Z", "Asia/Shanghai", "zh-Hans"), "2026年11月24日 16:05:00（GMT+8）");
  assert.match(exactTime("2026-11-24T08:05:00Z", "Asia/Shanghai", "en"), /^2026-11-24 16:05:00/);
  assert.equal(statusMeta("down", "zh-Hans").label, "故障");
  assert.equal(statusMeta("down", "en").label, "Down");
});
