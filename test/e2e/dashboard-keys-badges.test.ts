// The API keys page and the badge dialog in real Chromium. An admin makes a key, reads it from
// the one-time display and from the clipboard, uses it (200), sees "last used", revokes it with a
// confirmation, and the key gets 401. A monitor's badge and a tag's badge (from the list's tag
// filter) are copied and fetched as the public does; rotating makes the old URL 404; a viewer is
// not offered rotate and the API refuses it. API level: lastUsedAt is set on use and written at
// most once a minute. Screenshots: test/artifacts/dashboard-keys*.png, dashboard-badge*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";
import { eventually } from "../support/system.ts";

const admin: [string, string] = ["root", "keys-badges-admin-pw"];
const viewer: [string, string] = ["vera", "keys-badges-viewer-pw"];
const suite = dashboardSuite("dashboard-keys-badges", admin);
const { skip } = suite;

/** A signed-in page in its own context, with the clipboard allowed, in English or Chinese. */
async function signedIn(who: [string, string], locale = "en-US"): Promise<{ context: BrowserContext; page: Page }> {
  const { browser, base } = suite.sys();
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  await logIn(page, base, who);
  await page.waitForURL(/\/monitors/);
  return { context, page };
}

const clipboard = (page: Page) => page.evaluate(() => (globalThis as any).navigator.clipboard.readText() as string);
const withKey = (key: string) =>
  fetch(`${suite.sys().base}/api/v1/monitors`, { headers: { authorization: `Bearer ${key}` } });
const svgStatus = (svg: string) => /<title>[^<]*: (\w+)<\/title>/.exec(svg)?.[1];

async function keyOf(a: Api, id: number): Promise<{ lastUsedAt: string | null; revokedAt: string | null }> {
  return (await a.call("GET", "/api/v1/keys")).body.items.find((k: { id: number }) => k.id === id);
}

/** The badge as the public fetches it: no credentials. */
async function fetchBadge(url: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

test(
  "an admin creates an API key, sees it once and copies it, uses it, sees last used, revokes it: 401",
  { skip, timeout: 120_000 },
  async () => {
    const { base } = suite.sys();
    const a = api(base, admin);
    const { context, page } = await signedIn(admin);
    try {
      await page.getByTestId("nav-keys").click();
      await page.waitForURL(/\/keys$/);
      await page.getByTestId("key-name").fill("ci deploy");
      await page.getByTestId("key-scope").selectOption("read");
      await page.getByTestId("key-create").click();
      const fresh = page.getByTestId("key-fresh");
      await fresh.waitFor();
      assert.match(await page.getByTestId("key-warning").innerText(), /will not be shown again/);
      const key = (await page.getByTestId("key-secret").innerText()).trim();
      assert.match(key, /^hbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
      assert.equal(
        await page.locator("mat-form-field.mat-form-field-invalid").count(),
        0,
        "the emptied name field is not shown as an error",
      );
      await page.getByTestId("key-copy").click();
      assert.equal(await clipboard(page), key, "the copy button puts the key on the clipboard");
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-keys-created.png") });

      const listed = (await a.call("GET", "/api/v1/keys")).body.items;
      const made = listed.find((k: { prefix: string }) => key.startsWith(k.prefix));
      assert.deepEqual([made.name, made.scope, made.lastUsedAt], ["ci deploy", "read", null]);
      const row = page.locator(`[data-testid="key-row"][data-key-id="${made.id}"]`);
      assert.equal(await row.getByTestId("key-last-used").getAttribute("data-used"), "no");

      // Shown once: after "done" or a reload the page has no way to show it again.
      await page.getByTestId("key-done").click();
      await fresh.waitFor({ state: "detached" });
      assert.equal((await withKey(key)).status, 200);
      await page.reload();
      await row.getByTestId("key-last-used").waitFor();
      assert.equal(await row.getByTestId("key-last-used").getAttribute("data-used"), "yes");
      assert.match(await row.getByTestId("key-last-used").innerText(), /just now|sec ago/);
      assert.equal(await page.getByTestId("key-fresh").count(), 0);
      assert.ok(!(await page.content()).includes(key.slice(13)), "the list never holds the key");
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-keys.png") });

      await row.getByTestId("key-revoke").click();
      await page.getByTestId("confirm").click();
      await row.getByTestId("key-revoked").waitFor();
      assert.equal(await row.getByTestId("key-revoke").count(), 0, "a revoked key offers no revoke");
      assert.ok((await keyOf(a, made.id)).revokedAt);
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-keys-revoked.png") });
      // The gateway remembers a verified key for at most 5 s.
      await eventually(async () => (await withKey(key)).status === 401, 10_000, "the revoked key to get 401");
    } finally {
      await context.close();
    }

    // In Chinese, with a fresh key on show.
    const zh = await signedIn(admin, "zh-CN");
    try {
      await zh.page.goto(`${base}/keys`);
      await zh.page.getByTestId("key-name").fill("备份脚本");
      await zh.page.getByTestId("key-scope").selectOption("ping");
      await zh.page.getByTestId("key-create").click();
      await zh.page.getByTestId("key-fresh").waitFor();
      assert.match(await zh.page.getByTestId("key-warning").innerText(), /不会再次显示/);
      assert.equal((await zh.page.getByTestId("nav-keys").innerText()).trim(), "API 密钥");
      await zh.page.screenshot({ path: path.join(ARTIFACTS, "dashboard-keys-zh.png") });
      await zh.page.setViewportSize({ width: 375, height: 800 });
      const overflow = await zh.page.evaluate(() => {
        const root = (globalThis as any).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      assert.ok(overflow <= 1, `no sideways scrolling at phone width (overflow ${overflow}px)`);
      await zh.page.screenshot({ path: path.join(ARTIFACTS, "dashboard-keys-phone-zh.png"), fullPage: true });
    } finally {
      await zh.context.close();
    }
  },
);

test("a key's lastUsedAt is set when it authenticates, and written at most once a minute", { skip }, async () => {
  const a = api(suite.sys().base, admin);
  const made = (await a.call("POST", "/api/v1/keys", { name: "last used", scope: "read" })).body;
  assert.equal((await keyOf(a, made.id)).lastUsedAt, null);
  const before = Date.now();
  assert.equal((await withKey(made.key)).status, 200);
  const first = (await keyOf(a, made.id)).lastUsedAt;
  assert.ok(first && Date.parse(first) >= before - 1000 && Date.parse(first) <= Date.now(), String(first));
  // Past the gateway's 5 s memory of the key, so the registry authenticates it again.
  await new Promise((r) => setTimeout(r, 5_500));
  assert.equal((await withKey(made.key)).status, 200);
  assert.equal((await keyOf(a, made.id)).lastUsedAt, first, "a second use within the minute writes nothing");
});

test(
  "badges: copy a monitor's and a tag's SVG URL and fetch it; rotate as admin; a viewer cannot rotate",
  { skip, timeout: 120_000 },
  async () => {
    const { base } = suite.sys();
    const a = api(base, admin);
    assert.equal(
      (await a.call("POST", "/api/v1/users", { username: viewer[0], password: viewer[1], role: "viewer" })).status,
      201,
    );
    const monitor = async (name: string) => {
      const r = await a.call("POST", "/api/v1/monitors", {
        name,
        tags: ["prod"],
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 600 },
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body as { id: number; code: string };
    };
    const ping = async (code: string, signal = "") =>
      assert.equal((await a.call("POST", `/ping/${code}${signal}`)).status, 200);
    const backup = await monitor("nightly-backup");
    const dump = await monitor("db-dump");
    await ping(backup.code);
    await ping(dump.code, "/fail");

    let rotated: string;
    const { context, page } = await signedIn(admin);
    try {
      await page.goto(`${base}/monitors/${backup.id}`);
      await page.getByTestId("badge-open").click();
      const svgUrl = page.getByTestId("badge-url-svg");
      await svgUrl.waitFor();
      await page.getByTestId("badge-copy-svg").click();
      const copied = await clipboard(page);
      assert.equal(copied, (await svgUrl.innerText()).trim());
      assert.match(copied, new RegExp(`^${base}/badge/[A-Za-z0-9_-]{22}\\.svg$`));
      const got = await fetchBadge(copied);
      assert.equal(got.status, 200);
      assert.match(got.type ?? "", /^image\/svg\+xml/);
      assert.equal(svgStatus(got.text), "up");
      assert.match(got.text, /nightly-backup/);
      await page.getByTestId("badge-copy-json").click();
      assert.deepEqual(JSON.parse((await fetchBadge(await clipboard(page))).text).message, "up");
      const shields = new URL((await page.getByTestId("badge-url-shields").innerText()).trim());
      assert.equal(shields.searchParams.get("url"), copied.replace(/\.svg$/, ".json"));
      await eventually(
        () => page.getByTestId("badge-preview").evaluate((img: any) => img.complete && img.naturalWidth > 0),
        10_000,
        "the preview image to load",
      );
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-badge.png") });

      // Rotate: confirmed, then a new URL; the old one is a bare 404.
      await page.getByTestId("badge-rotate").click();
      await page.getByTestId("confirm").click();
      await eventually(async () => (await svgUrl.innerText()).trim() !== copied, 10_000, "a new badge URL");
      rotated = (await svgUrl.innerText()).trim();
      assert.equal((await fetchBadge(copied)).status, 404);
      const now = await fetchBadge(rotated);
      assert.deepEqual([now.status, svgStatus(now.text)], [200, "up"]);
      await page.getByTestId("badge-close").click();

      // A tag's badge, from the list's tag filter: the worst of its monitors.
      await page.goto(`${base}/monitors`);
      await page.getByTestId("filter-tags").fill("prod");
      await page.locator('[data-testid="tag-badge"][data-tag="prod"]').click();
      await svgUrl.waitFor();
      await page.getByTestId("badge-copy-svg").click();
      const tagUrl = await clipboard(page);
      assert.equal(tagUrl, (await svgUrl.innerText()).trim());
      const tag = await fetchBadge(tagUrl);
      assert.deepEqual([tag.status, tag.type?.split(";")[0], svgStatus(tag.text)], [200, "image/svg+xml", "down"]);
      assert.match(tag.text, /<title>prod: down<\/title>/);
      await eventually(
        () => page.getByTestId("badge-preview").evaluate((img: any) => img.complete && img.naturalWidth > 0),
        10_000,
        "the tag's preview image to load",
      );
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-badge-tag.png") });
    } finally {
      await context.close();
    }

    // A viewer sees the badge but is not offered rotate, and the API refuses it.
    const v = await signedIn(viewer, "zh-CN");
    try {
      await v.page.goto(`${base}/monitors/${backup.id}`);
      await v.page.getByTestId("badge-open").click();
      await v.page.getByTestId("badge-url-svg").waitFor();
      assert.equal((await v.page.getByTestId("badge-url-svg").innerText()).trim(), rotated, "the same badge, rotated");
      assert.equal(await v.page.getByTestId("badge-rotate").count(), 0);
      assert.equal((await a.call("POST", `/api/v1/monitors/${backup.id}/badge`, {}, viewer)).status, 403);
      assert.equal((await a.call("POST", "/api/v1/tags/prod/badge", {}, viewer)).status, 403);
      await eventually(
        () => v.page.getByTestId("badge-preview").evaluate((img: any) => img.complete && img.naturalWidth > 0),
        10_000,
        "the viewer's preview image to load",
      );
      await v.page.screenshot({ path: path.join(ARTIFACTS, "dashboard-badge-zh.png") });
    } finally {
      await v.context.close();
    }

    // An admin in Chinese: the tag's dialog from the list, and rotate's confirmation, cancelled.
    const zh = await signedIn(admin, "zh-CN");
    try {
      await zh.page.goto(`${base}/monitors?tags=prod`);
      await zh.page.locator('[data-testid="tag-badge"][data-tag="prod"]').click();
      const before = (await zh.page.getByTestId("badge-url-svg").innerText()).trim();
      await zh.page.getByTestId("badge-rotate").click();
      await zh.page.getByTestId("cancel").waitFor();
      // The screenshot waits for the dialog's opening animation to end.
      await zh.page.waitForFunction(() => (globalThis as any).document.getAnimations().length === 0);
      await zh.page.screenshot({ path: path.join(ARTIFACTS, "dashboard-badge-rotate-zh.png") });
      await zh.page.getByTestId("cancel").click();
      assert.equal((await fetchBadge(before)).status, 200, "cancelled: the URL still works");
      assert.equal((await zh.page.getByTestId("badge-url-svg").innerText()).trim(), before);
    } finally {
      await zh.context.close();
    }
  },
);
