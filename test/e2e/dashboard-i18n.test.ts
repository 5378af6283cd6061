// The dashboard in Simplified Chinese, in real Chromium against the real embedded system: a user
// whose stored language is zh-Hans sees the navigation, the monitor list and a monitor's page in
// Chinese even in an English browser, with no English catalog words left on those pages; the
// toolbar switch changes to English and back and the choice survives a reload; a user with no
// choice gets the browser's language; the Maintenance page, the monitor form's run limits and
// the detail page's summary of them speak Chinese too. Screenshots: test/artifacts/dashboard-zh*.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, basic, type Api } from "../support/api.ts";
import {
  ARTIFACTS,
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";
import { CATALOGS, type MessageKey } from "../../dashboard/src/app/i18n/translate.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const li: [string, string] = ["li", "viewer password 1"];
const skip = chromiumUnavailable();

let sys: DashboardSystem | undefined;
let base: string;
let a: Api;
let upId: number;

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-i18n", admin);
  base = sys.base;
  a = api(base, admin);
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: li[0], password: li[1], role: "viewer" })).status,
    201,
  );
  const make = async (name: string, tags: string[]) =>
    (
      await a.call("POST", "/api/v1/monitors", {
        name,
        tags,
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      })
    ).body as { id: number; code: string };
  const up = await make("nightly-sync", ["db"]);
  await make("weekly-report", []);
  upId = up.id;
  assert.equal(
    (
      await fetch(`${base}/ping/${up.code}`, {
        method: "POST",
        body: "synced 12 tables",
        headers: { authorization: basic(...admin) },
      })
    ).status,
    200,
  );
});

after(() => stopDashboardSystem(sys));

/** A user's own session over HTTP: the cookie and the CSRF token, as the dashboard holds them. */
async function session([username, password]: [string, string]) {
  const res = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as any;
  return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]!, csrf: body.csrfToken as string, body };
}

async function patchLocale(s: { cookie: string; csrf: string | null }, locale: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json", cookie: s.cookie };
  if (s.csrf) headers["x-csrf-token"] = s.csrf;
  const res = await fetch(`${base}/api/v1/session`, { method: "PATCH", headers, body: JSON.stringify({ locale }) });
  return { status: res.status, body: (await res.json()) as any };
}

/** English catalog words of these groups that are on the page: the visible text (code blocks aside) and the labels. */
async function englishLeftovers(page: Page, prefixes: string[]): Promise<string[]> {
  const en = CATALOGS.en as Record<MessageKey, string>;
  // Words of three letters or fewer ("Up", "log") would match inside names and code; they are covered by the Chinese checks.
  const words = [
    ...new Set(
      Object.entries(en)
        .filter(([k, v]) => prefixes.some((p) => k.startsWith(p)) && v.replace(/\{\w+\}/g, "").trim().length > 3)
        .map(([, v]) => v.split("{")[0]!.trim()),
    ),
  ];
  const seen = await page.evaluate(() => {
    const doc = (globalThis as any).document;
    const pres = [...doc.querySelectorAll("pre")];
    for (const p of pres) p.style.display = "none";
    const text = doc.body.innerText as string;
    for (const p of pres) p.style.display = "";
    const labels = [...doc.querySelectorAll("[aria-label],[title],[placeholder]")].flatMap((el: any) =>
      ["aria-label", "title", "placeholder"].map((n) => el.getAttribute(n) ?? ""),
    );
    return [text, ...labels].join("\n");
  });
  // Words the Chinese catalog itself keeps (URL paths such as /start and /fail) are meant to be there.
  const chinese = Object.values(CATALOGS["zh-Hans"]).join("\n");
  return words.filter((w) => w.length > 3 && seen.includes(w) && !chinese.includes(w));
}

const SHELL = ["app.", "role.", "common."];

/** A Chinese browser (zh-CN) of its own, signed in as `user`, for `fn`; closed afterwards. */
async function inChineseBrowser(user: [string, string], fn: (page: Page) => Promise<void>): Promise<void> {
  const context = await sys!.browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await logIn(page, base, user);
    await fn(page);
  } finally {
    await context.close();
  }
}

/**
 * Clicks the language switch and waits until the choice is saved: the page changes language at
 * once, the PATCH that stores it may still be on its way, and a reload before it lands (a loaded
 * CI machine) would rightly show the old language.
 */
async function switchLanguage(page: Page): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "PATCH" && r.ok()),
    page.getByTestId("language-switch").click(),
  ]);
}

test(
  "a user whose language is zh-Hans sees the list, the detail page and the navigation in Chinese; the switch goes to English and back",
  { skip, timeout: 120_000 },
  async () => {
    // The self-service setting: CSRF-protected, validated, stored.
    const s = await session(li);
    assert.equal(s.body.user.locale, null);
    assert.equal(s.body.defaultLocale, "en");
    assert.equal((await patchLocale({ ...s, csrf: null }, "zh-Hans")).status, 403);
    const bad = await patchLocale(s, "fr");
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, "locale");
    const ok = await patchLocale(s, "zh-Hans");
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.locale, "zh-Hans");

    const page = sys!.page; // an English browser (Chromium's en-US)
    await logIn(page, base, li);
    const row = page.locator(`[data-testid="monitor-row"][data-monitor-id="${upId}"][data-status="up"]`);
    await row.waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).document.documentElement.lang), "zh-Hans");
    assert.equal((await page.locator("h1").innerText()).trim(), "监控");
    assert.equal(await page.title(), "监控 · Heartbeats");
    const nav = await page.locator("nav").innerText();
    assert.ok(nav.includes("监控"), nav);
    assert.equal((await row.getByTestId("status-chip").innerText()).trim(), "正常");
    const header = await page.locator("thead").innerText();
    for (const word of ["状态", "名称", "最近心跳", "下次预期"])
      assert.ok(header.includes(word), `${word} in ${header}`);
    assert.equal((await page.getByTestId("current-role").innerText()).trim(), "查看者");
    assert.equal(await page.getByTestId("logout").getAttribute("aria-label"), "退出登录");
    assert.equal((await page.getByTestId("language-switch").innerText()).trim(), "English");
    assert.deepEqual(
      await englishLeftovers(page, [...SHELL, "list.", "status.", "pager."]),
      [],
      "English words on the Chinese list page",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-zh.png"), fullPage: true });

    await row.getByTestId("monitor-link").click();
    await page.getByTestId("detail-name").waitFor();
    await page.getByTestId("ping-row").first().waitFor();
    const detail = await page.locator("main").innerText();
    for (const word of [
      "计划",
      "最近心跳",
      "发送心跳",
      "运行记录",
      "最近的心跳",
      "状态历史",
      "通知",
      "每 1 小时，宽限 1 分钟",
      "成功",
    ])
      assert.ok(detail.includes(word), `${word} on the detail page`);
    assert.deepEqual(
      await englishLeftovers(page, [...SHELL, "detail.", "status.", "ping.", "chart.", "snippet.", "reason."]),
      [],
      "English words on the Chinese detail page",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-zh-detail.png"), fullPage: true });

    // To English: at once, kept for this user across a reload.
    await switchLanguage(page);
    await page.locator("h2", { hasText: "Status history" }).waitFor();
    assert.equal(await page.evaluate(() => (globalThis as any).document.documentElement.lang), "en");
    assert.ok((await page.locator("nav").innerText()).includes("Monitors"));
    assert.equal(await page.title(), "Monitor · Heartbeats", "the tab's title follows the switch");
    assert.equal((await page.getByTestId("language-switch").innerText()).trim(), "中文");
    const stored = (await page.evaluate(async () => (await fetch("/api/v1/session")).json())) as any;
    assert.equal(stored.user.locale, "en");
    await page.reload();
    await page.locator("h2", { hasText: "Status history" }).waitFor();
    assert.ok(!/[\u4e00-\u9fff]/.test(await page.locator("nav").innerText()));

    // And back to Chinese, which also survives a reload.
    await switchLanguage(page);
    await page.locator("h2", { hasText: "状态历史" }).waitFor();
    await page.reload();
    await page.locator("h2", { hasText: "状态历史" }).waitFor();
    assert.equal(
      ((await page.evaluate(async () => (await fetch("/api/v1/session")).json())) as any).user.locale,
      "zh-Hans",
    );
  },
);

test(
  "a user with no choice of their own gets the browser's language, on the monitor form too",
  { skip, timeout: 60_000 },
  async () => {
    await inChineseBrowser(admin, async (page) => {
      await page.getByTestId("new-monitor").waitFor();
      assert.equal((await page.getByTestId("new-monitor").innerText()).trim(), "新建监控");
      assert.equal(await page.evaluate(() => (globalThis as any).document.documentElement.lang), "zh-Hans");
      const s = (await page.evaluate(async () => (await fetch("/api/v1/session")).json())) as any;
      assert.equal(s.user.locale, null, "nothing was stored: the browser chose");
      // The monitor form too, with its validation messages.
      await page.getByTestId("new-monitor").click();
      await page.getByTestId("form-save").waitFor();
      assert.equal((await page.getByTestId("form-save").innerText()).trim(), "创建监控");
      await page.getByTestId("form-save").click();
      assert.equal((await page.getByTestId("error-name").innerText()).trim(), "请填写名称");
      assert.deepEqual(
        await englishLeftovers(page, [...SHELL, "form.", "unitName."]),
        [],
        "English words on the Chinese monitor form",
      );
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-zh-form.png"), fullPage: true });
    });
  },
);

test("maintenance windows, the run-limit fields and their messages in Chinese", { skip, timeout: 90_000 }, async () => {
  // One window active now over the tag db (nightly-sync), one weekly over that monitor and the tag.
  const now = Date.now();
  const once = {
    kind: "once",
    startsAt: new Date(now - 60_000).toISOString(),
    endsAt: new Date(now + 3_600_000).toISOString(),
  };
  assert.equal(
    (await a.call("POST", "/api/v1/maintenance", { name: "数据库升级", rule: once, monitorIds: [], tags: ["db"] }))
      .status,
    201,
  );
  const weekly = { kind: "recurring", expression: "0 3 * * 0", durationSeconds: 5400, timezone: "Asia/Shanghai" };
  assert.equal(
    (await a.call("POST", "/api/v1/maintenance", { name: "每周备份", rule: weekly, monitorIds: [upId], tags: ["db"] }))
      .status,
    201,
  );
  const limited = (
    await a.call("POST", "/api/v1/monitors", {
      name: "limited-job",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      maxRunSeconds: 120,
      slowFactor: 2.5,
      slowWindow: 10,
      failureThreshold: 3,
    })
  ).body as { id: number };

  await inChineseBrowser(admin, async (page) => {
    await page.getByTestId("nav-maintenance").waitFor();
    assert.equal((await page.getByTestId("nav-maintenance").innerText()).trim(), "维护窗口");

    // The badge of a monitor whose alerts are held back.
    const badge = page
      .locator(`[data-testid="monitor-row"][data-monitor-id="${upId}"]`)
      .getByTestId("maintenance-badge");
    assert.equal((await badge.innerText()).trim(), "维护中");
    assert.match((await badge.getAttribute("title")) ?? "", /^处于维护窗口 \d+(, \d+)? 中：告警暂缓发送$/);

    await page.getByTestId("nav-maintenance").click();
    await page.getByTestId("window-row-name").filter({ hasText: "每周备份" }).waitFor();
    assert.equal((await page.locator("h1").innerText()).trim(), "维护窗口");
    assert.equal(await page.title(), "维护窗口 · Heartbeats");
    const header = await page.locator("thead").innerText();
    for (const word of ["状态", "名称", "时间", "覆盖范围"]) assert.ok(header.includes(word), `${word} in ${header}`);
    const row = (name: string) =>
      page.locator("tr", { has: page.getByTestId("window-row-name").filter({ hasText: name }) });
    assert.equal((await row("数据库升级").locator(".state").innerText()).trim(), "生效中");
    assert.match(
      (await row("数据库升级").locator(".state").getAttribute("title")) ?? "",
      /^持续到 \d{4}年\d{2}月\d{2}日 /,
    );
    const weeklyText = await row("每周备份").innerText();
    assert.ok(weeklyText.includes("0 3 * * 0（Asia/Shanghai），持续 90 分钟"), weeklyText);
    assert.ok(weeklyText.includes(`监控 #${upId}；标签 db`), weeklyText);
    assert.equal(await row("每周备份").getByRole("button", { name: "编辑 每周备份" }).count(), 1);

    // The form: its words, and its own message under the name.
    const form = page.getByTestId("window-form");
    assert.equal((await page.locator("mat-card-title h2").innerText()).trim(), "新建维护窗口");
    for (const word of ["名称", "一次性", "周期性", "开始时间", "结束时间", "监控编号", "用逗号分隔", "标签", "创建"])
      assert.ok((await form.innerText()).includes(word), `${word} in the window form`);
    assert.equal(await page.getByTestId("window-tags").getAttribute("placeholder"), "db, 备份");
    await page.getByTestId("window-save").click();
    assert.equal((await form.locator("mat-error").first().innerText()).trim(), "请填写名称");
    await page.getByTestId("window-recurring").check();
    await page.getByTestId("window-expression").waitFor();
    for (const word of ["Cron 表达式", "每个窗口的开始时间", "持续时长（分钟）", "时区"])
      assert.ok((await form.innerText()).includes(word), `${word} in the recurring form`);
    assert.deepEqual(
      await englishLeftovers(page, [...SHELL, "maintenance.", "list.name", "list.tags", "form.cron", "form.timezone"]),
      [],
      "English words on the Chinese maintenance page",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-zh-maintenance.png"), fullPage: true });

    // The monitor form's run limits, and a range message.
    await page.goto(`${base}/monitors/new`);
    await page.getByTestId("form-max-run").waitFor();
    const limits = page.locator("mat-card", { has: page.getByTestId("form-max-run") });
    assert.equal((await limits.locator("h2").innerText()).trim(), "运行限制");
    const words = await limits.innerText();
    for (const word of [
      "最长运行时间（秒）",
      "从 /start 起计时；留空则不限制",
      "慢运行倍数（× 中位数）",
      "中位数取最近几次运行",
      "至少 5 次",
      "连续失败几次后判定故障",
      "失败或错过的运行",
      "连续成功几次后恢复正常",
      "处于故障时",
    ]) {
      assert.ok(words.includes(word), `${word} in the run limits`);
    }
    await page.getByTestId("form-slow-factor").fill("1");
    await page.getByTestId("form-save").click();
    assert.equal((await limits.locator("mat-error").innerText()).trim(), "慢运行倍数必须是大于 1、不超过 1000 的数字");
    assert.deepEqual(
      await englishLeftovers(page, [...SHELL, "form.", "limits.", "unitName."]),
      [],
      "English words in the Chinese run limits",
    );

    // The detail page states the limits in Chinese.
    await page.goto(`${base}/monitors/${limited.id}`);
    const summary = page.getByTestId("detail-run-limits");
    await summary.waitFor();
    assert.equal(
      (await summary.innerText()).trim(),
      "最长运行 2 分钟 · 超过最近 10 次运行中位数的 2.5 倍即为慢运行 · 连续失败 3 次后判定故障",
    );
    assert.ok((await page.locator("main").innerText()).includes("运行限制"));
  });
});
