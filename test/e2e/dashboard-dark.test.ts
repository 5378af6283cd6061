// Dark mode in real Chromium against the real embedded system: with prefers-color-scheme dark
// emulated the page renders dark (dark background, light text, status chips still distinct and
// readable), with light it renders light; the toolbar's menu set to "dark" under a light system
// switches at once, survives a reload and a new browser context (kept with the user, server-side),
// and "system" follows the emulated scheme again. Screenshots: test/artifacts/dashboard-dark*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const { skip, sys } = dashboardSuite("dashboard-dark", admin, { PING_AUTH: "none" });
const STATUSES = ["new", "up", "late", "down", "paused"] as const;

type Rgb = [number, number, number];

/** WCAG relative luminance of an sRGB colour. */
function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** A computed colour as sRGB numbers; Chromium may answer rgb(), rgba() or color(srgb …). */
function rgb(css: string): Rgb {
  const srgb = css.match(/color\(srgb ([\d.]+) ([\d.]+) ([\d.]+)/);
  if (srgb) return [1, 2, 3].map((i) => Math.round(Number(srgb[i]) * 255)) as Rgb;
  const m = css.match(/rgba?\((\d+), (\d+), (\d+)/);
  assert.ok(m, `a colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** What the page looks like: body background and main's text, and every status chip's colours. */
async function looks(page: Page) {
  const read = await page.evaluate(() => {
    // the page's globals (this file is typed for Node)
    const { document, getComputedStyle } = globalThis as any;
    const style = (el: unknown) =>
      getComputedStyle(el) as { color: string; backgroundColor: string; colorScheme: string };
    const chips = [...document.querySelectorAll('[data-testid="status-chip"]')].map((c: any) => {
      const inner = c.querySelector(".chip") ?? c;
      return {
        status: c.getAttribute("data-status") as string,
        color: style(inner).color,
        bg: style(inner).backgroundColor,
      };
    });
    return {
      bg: style(document.body).backgroundColor,
      text: style(document.querySelector("main")).color,
      scheme: style(document.documentElement).colorScheme,
      chips,
    };
  });
  return {
    ...read,
    bgLum: luminance(rgb(read.bg)),
    textLum: luminance(rgb(read.text)),
    chips: read.chips.map((c) => ({ ...c, contrast: contrast(rgb(c.color), rgb(c.bg)) })),
  };
}

async function assertDark(page: Page, why: string) {
  const l = await looks(page);
  assert.ok(l.bgLum < 0.05, `${why}: a dark background (${l.bg})`);
  assert.ok(l.textLum > 0.6, `${why}: light text (${l.text})`);
  assert.ok(contrast(rgb(l.bg), rgb(l.text)) >= 7, `${why}: text on the page reads`);
  return l;
}
async function assertLight(page: Page, why: string) {
  const l = await looks(page);
  assert.ok(l.bgLum > 0.8, `${why}: a light background (${l.bg})`);
  assert.ok(l.textLum < 0.1, `${why}: dark text (${l.text})`);
  return l;
}

/** One of every status in the list, and a chip for each that reads (>= 4.5:1) and differs from the others. */
function assertChips(l: Awaited<ReturnType<typeof looks>>, scheme: string) {
  const seen = new Map<string, string>();
  for (const c of l.chips) {
    assert.ok(c.contrast >= 4.5, `${scheme}: the ${c.status} chip's text reads (${c.contrast.toFixed(2)}:1)`);
    seen.set(c.status!, `${c.color}|${c.bg}`);
  }
  assert.deepEqual([...seen.keys()].sort(), [...STATUSES].sort(), `${scheme}: a chip of every status`);
  assert.equal(new Set(seen.values()).size, STATUSES.length, `${scheme}: each status has its own colours`);
}

async function newPage(browser: Browser, colorScheme: "light" | "dark", locale = "en-US"): Promise<Page> {
  const context = await browser.newContext({ colorScheme, locale, viewport: { width: 1280, height: 900 } });
  return context.newPage();
}

/** Logged in once the list's "new monitor" button shows (the cookie is set before any goto). */
async function signIn(page: Page, base: string): Promise<void> {
  await logIn(page, base, admin);
  await page.getByTestId("new-monitor").waitFor();
}

async function openList(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/monitors`);
  await page.locator('[data-testid="monitor-row"][data-status="down"]').waitFor();
  await page.locator('[data-testid="monitor-row"][data-status="late"]').waitFor();
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

let a: Api;
let detailId: number;

async function monitor(name: string, periodSeconds: number, graceSeconds: number) {
  const r = await a.call("POST", "/api/v1/monitors", {
    name,
    tags: ["demo"],
    schedule: { kind: "interval", periodSeconds, graceSeconds },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: number; code: string };
}
async function ping(code: string, suffix = "") {
  const res = await fetch(`${sys().base}/ping/${code}${suffix}`, { method: "POST", body: "rsync: 12 files" });
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

test(
  "renders dark with prefers-color-scheme: dark, light with light; the menu's choice switches at once and stays with the user",
  { skip, timeout: 180_000 },
  async () => {
    const { base, browser } = sys();
    a = api(base, admin);
    await monitor("fresh-job", 3600, 60); // new
    const up = await monitor("nightly-backup", 3600, 60);
    for (let i = 0; i < 3; i++) {
      await ping(up.code, "/start");
      await new Promise((r) => setTimeout(r, 300 + i * 200));
      await ping(up.code);
    }
    await ping(up.code, "/fail");
    await ping(up.code, "/start");
    await new Promise((r) => setTimeout(r, 400));
    await ping(up.code);
    detailId = up.id;
    const late = await monitor("hourly-report", 1, 3600);
    await ping(late.code);
    const down = await monitor("db-dump", 3600, 60);
    await ping(down.code, "/fail");
    const paused = await monitor("legacy-cron", 3600, 60);
    assert.equal((await a.call("POST", `/api/v1/monitors/${paused.id}/pause`)).status, 200);
    const host = await a.call("POST", "/api/v1/hosts", {
      name: "db1",
      address: "127.0.0.1",
      port: 9,
      username: "hb",
      keyPath: "/nonexistent/id_ed25519",
      enabled: false,
      checks: ["cpu < 90", "disk:/ < 80"],
    });
    assert.equal(host.status, 201, JSON.stringify(host.body));

    // The system's scheme, no choice made: dark.
    const dark = await newPage(browser, "dark");
    await dark.goto(`${base}/login`);
    await dark.getByTestId("login-username").waitFor();
    await assertDark(dark, "login page");
    await shot(dark, "dashboard-dark-login");
    await signIn(dark, base);
    await openList(dark, base);
    assertChips(await assertDark(dark, "system dark"), "dark");
    assert.equal(await dark.getByTestId("theme-menu").getAttribute("data-theme"), "system");
    await shot(dark, "dashboard-dark-list");

    await dark.goto(`${base}/monitors/${detailId}`);
    await dark.locator('[data-testid="duration-chart"]').waitFor();
    await dark.locator('[data-testid^="snippet-"]').first().waitFor();
    await assertDark(dark, "detail page");
    const code = await dark.evaluate(() => {
      const { document, getComputedStyle } = globalThis as any;
      const pre = getComputedStyle(document.querySelector('[data-testid^="snippet-"]'));
      return { color: pre.color as string, bg: pre.backgroundColor as string };
    });
    assert.ok(contrast(rgb(code.color), rgb(code.bg)) >= 4.5, `a code snippet reads in dark (${JSON.stringify(code)})`);
    await shot(dark, "dashboard-dark-detail");

    await dark.goto(`${base}/hosts`);
    await dark.getByText("db1").first().waitFor();
    await assertDark(dark, "hosts page");
    await shot(dark, "dashboard-dark-hosts");
    await dark.goto(`${base}/monitors/${detailId}/edit`);
    await dark.locator("form").first().waitFor();
    await assertDark(dark, "monitor form");
    await shot(dark, "dashboard-dark-form");
    await dark.context().close();

    // The system's scheme light: light, for comparison.
    const light = await newPage(browser, "light");
    await signIn(light, base);
    await openList(light, base);
    assertChips(await assertLight(light, "system light"), "light");
    await shot(light, "dashboard-dark-light-list");

    // The menu: dark under a light system, at once, without a reload.
    const patched = light.waitForResponse(
      (r) => r.url().endsWith("/api/v1/session") && r.request().method() === "PATCH",
    );
    await light.getByTestId("theme-menu").click();
    assert.equal(await light.getByTestId("theme-system").getAttribute("aria-checked"), "true");
    await light.getByTestId("theme-dark").click();
    assert.equal((await patched).status(), 200);
    await assertDark(light, "chosen dark, no reload");
    await light.reload();
    await openList(light, base);
    assertChips(await assertDark(light, "chosen dark, after a reload"), "chosen dark");

    // Another browser (no localStorage): the choice comes from the user's session.
    const other = await newPage(browser, "light");
    await signIn(other, base);
    await openList(other, base);
    await assertDark(other, "chosen dark, a new browser context");
    assert.equal(await other.getByTestId("theme-menu").getAttribute("data-theme"), "dark");

    // "light" under the light system stays light; "system" follows the emulated scheme again.
    await other.getByTestId("theme-menu").click();
    await other.getByTestId("theme-system").click();
    await assertLight(other, "system again, light system");
    await other.emulateMedia({ colorScheme: "dark" });
    await assertDark(other, "system again, the system turned dark");
    await other.context().close();
    await light.context().close();
  },
);

test("the Chinese list in dark", { skip, timeout: 60_000 }, async () => {
  const { base, browser } = sys();
  const page = await newPage(browser, "dark", "zh-CN");
  await signIn(page, base);
  await openList(page, base);
  assertChips(await assertDark(page, "Chinese, dark"), "Chinese dark");
  await page.getByTestId("theme-menu").click();
  assert.equal(await page.getByTestId("theme-dark").innerText(), "深色");
  await page.keyboard.press("Escape");
  assert.equal(await page.getByTestId("theme-menu").getAttribute("aria-label"), "配色：跟随系统");
  await shot(page, "dashboard-dark-zh-list");
  await page.context().close();
});
