// The dashboard in real Chromium (Debian's, driven by playwright-core) against the real
// embedded system: log in, create a monitor, watch it go new → up → down live while the
// original curl line pings it, filter by tags, read a ping's data on the detail page, and
// prove that a monitor named like an XSS payload is shown as text. Screenshots go to
// test/artifacts/ (not committed).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import {
  ARTIFACTS,
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";

const run = promisify(execFile);
const admin: [string, string] = ["root", "correct horse battery"];
const skip = chromiumUnavailable();

let sys: DashboardSystem | undefined;
let base: string;
let a: Api;
let page: Page;
const dialogs: string[] = [];

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard", admin);
  ({ base, page } = sys);
  a = api(base, admin);
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});

after(() => stopDashboardSystem(sys));

const row = (id: number) => page.locator(`[data-testid="monitor-row"][data-monitor-id="${id}"]`);

test(
  "log in, create a 2-second monitor, watch it go new → up → down live, read its ping data",
  { skip, timeout: 120_000 },
  async (t) => {
    await logIn(page, base, admin);
    await page.getByTestId("new-monitor").waitFor();

    await page.getByTestId("new-monitor").click();
    await page.getByTestId("form-name").fill("dash-backup");
    const tags = page.getByTestId("form-tags");
    await tags.fill("dash, e2e");
    await tags.press("Enter");
    await page.getByTestId("form-kind-interval").click();
    await page.getByTestId("form-period").fill("2");
    await page.getByTestId("form-grace").fill("2");
    await page.getByTestId("preview-run").first().waitFor();
    await page.getByTestId("form-save").click();

    const created = await (async () => {
      for (let i = 0; i < 50; i++) {
        const list = (await a.call("GET", "/api/v1/monitors?q=dash-backup")).body;
        if (list.total === 1) return list.items[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the form did not create the monitor");
    })();
    assert.deepEqual(created.schedule, { kind: "interval", periodSeconds: 2, graceSeconds: 2 });
    assert.deepEqual([...created.tags].sort(), ["dash", "e2e"]);

    await page.goto(`${base}/monitors`);
    await row(created.id).waitFor();
    assert.equal(await row(created.id).getAttribute("data-status"), "new");

    // The original tool's line, with the real curl; the page must change without a reload.
    const { stdout } = await run("curl", [
      "-s",
      "-u",
      admin.join(":"),
      "-X",
      "POST",
      `${base}/api/pings/?service=${created.code}`,
    ]);
    assert.match(stdout, /"service"/);
    const pinged = Date.now();
    await page.waitForSelector(`[data-testid="monitor-row"][data-monitor-id="${created.id}"][data-status="up"]`, {
      timeout: 5_000,
    });
    t.diagnostic(`up shown ${Date.now() - pinged} ms after the ping`);
    const data = "backup ok: 42 files <b>not bold</b>";
    assert.equal(
      (
        await fetch(`${base}/ping/${created.code}`, {
          method: "POST",
          body: data,
          headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
        })
      ).status,
      200,
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "list.png"), fullPage: true });

    // No more pings: down after 2 s + 2 s of grace, shown live.
    await page.waitForSelector(`[data-testid="monitor-row"][data-monitor-id="${created.id}"][data-status="down"]`, {
      timeout: 10_000,
    });

    await row(created.id).getByRole("link").first().click();
    await page.getByTestId("detail-name").waitFor();
    assert.match(await page.getByTestId("detail-name").innerText(), /dash-backup/);
    const pingData = page.getByTestId("ping-data").filter({ hasText: "backup ok: 42 files" });
    await pingData.first().waitFor();
    assert.equal(await pingData.first().innerText(), data, "ping data shown as text");
    assert.ok((await page.getByTestId("flip-row").count()) >= 2, "new → up and up → down on the timeline");
    assert.match(
      await page.getByTestId("snippet-curl").innerText(),
      new RegExp(`api/pings/\\?service=${created.code}`),
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "detail.png"), fullPage: true });
  },
);

test(
  "filter by two comma-separated tags; an XSS-shaped name is text; phone width works",
  { skip, timeout: 60_000 },
  async () => {
    const make = async (name: string, tags: string[]) =>
      (
        await a.call("POST", "/api/v1/monitors", {
          name,
          tags,
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        })
      ).body.id as number;
    const both = await make("tag-both", ["alpha", "beta"]);
    const onlyA = await make("tag-alpha", ["alpha"]);
    const onlyB = await make("tag-beta", ["beta"]);
    const evil = "<img src=x onerror=alert(1)>";
    const xss = await make(evil, ["alpha", "beta"]);

    await page.goto(`${base}/monitors`);
    await row(onlyA).waitFor();
    await page.getByTestId("filter-tags").fill("alpha, beta");
    await page.getByTestId("filter-tags").press("Enter");
    await page.waitForFunction(
      (id) => !(globalThis as any).document.querySelector(`[data-testid="monitor-row"][data-monitor-id="${id}"]`),
      onlyA,
      { timeout: 5_000 },
    );
    assert.equal(await row(both).count(), 1);
    assert.equal(await row(onlyB).count(), 0);
    assert.equal(await row(xss).count(), 1);
    assert.ok((await row(xss).innerText()).includes(evil), "the name is shown literally");
    assert.equal(await page.locator('img[src="x"]').count(), 0, "no element was made from it");
    assert.deepEqual(dialogs, [], "no script ran");

    // The search box and the status picker narrow the list too, and land in the URL.
    await page.getByTestId("filter-tags").fill("");
    await page.getByTestId("filter-text").fill("tag-be");
    await page.waitForURL(/[?&]q=tag-be/, { timeout: 5_000 });
    await row(both).waitFor({ state: "detached", timeout: 5_000 });
    assert.equal(await row(onlyB).count(), 1);
    await page.getByTestId("filter-text").fill("");
    await page.getByTestId("filter-status").selectOption("paused");
    await page.waitForURL(/[?&]status=paused/, { timeout: 5_000 });
    await page.getByTestId("empty-state").waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('[data-testid="monitor-row"]').count(), 0, "none of them is paused");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-list-filters.png") });
    await page.getByTestId("clear-filters").click();
    await row(onlyA).waitFor({ timeout: 5_000 });

    await page.setViewportSize({ width: 375, height: 800 });
    await page.goto(`${base}/monitors/${xss}`);
    await page.getByTestId("detail-name").waitFor();
    assert.ok((await page.getByTestId("detail-name").innerText()).includes(evil));
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    assert.ok(overflow <= 1, `no sideways scrolling at phone width (overflow ${overflow}px)`);
    await page.screenshot({ path: path.join(ARTIFACTS, "detail-phone.png"), fullPage: true });
    assert.deepEqual(dialogs, []);
  },
);

test(
  "a load of the list asks for the session and its page once each, sent before Angular starts; signed out, none is replayed",
  { skip, timeout: 60_000 },
  async () => {
    const make = async (name: string) =>
      (
        await a.call("POST", "/api/v1/monitors", {
          name,
          tags: ["early"],
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        })
      ).body.id as number;
    const first = await make("early-a");
    const second = await make("early-b");
    await page.setViewportSize({ width: 1280, height: 900 });
    const seen: { url: string; accept: string }[] = [];
    const record = (r: { url(): string; headers(): Record<string, string> }) => {
      const u = new URL(r.url());
      if (u.pathname === "/api/v1/session" || u.pathname === "/api/v1/monitors")
        seen.push({ url: u.pathname + u.search, accept: r.headers()["accept"] ?? "" });
    };
    page.on("request", record);
    try {
      await page.goto(`${base}/monitors?tags=early&sort=name&order=desc`);
      await row(first).waitFor();
      const names = await page.locator('[data-testid="monitor-link"]').allInnerTexts();
      assert.deepEqual(names, ["early-b", "early-a"], "the filter and order of the URL");
      assert.ok(second > first);
      // main.ts's fetch says Accept: application/json; HttpClient's would add text/plain, */*.
      assert.deepEqual(seen, [
        { url: "/api/v1/session", accept: "application/json" },
        { url: "/api/v1/monitors?limit=50&offset=0&tags=early&sort=name&order=desc", accept: "application/json" },
      ]);
    } finally {
      page.off("request", record);
    }

    // Signed out, the early reads get 401; they are asked again after signing in, not replayed.
    const context = await sys!.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const fresh = await context.newPage();
      await fresh.goto(`${base}/monitors?tags=early`);
      await fresh.getByTestId("login-username").waitFor();
      await fresh.getByTestId("login-username").fill(admin[0]);
      await fresh.getByTestId("login-password").fill(admin[1]);
      await fresh.getByTestId("login-submit").click();
      await fresh.locator(`[data-testid="monitor-row"][data-monitor-id="${second}"]`).waitFor();
      assert.equal(await fresh.locator('[data-testid="monitor-row"]').count(), 2);
    } finally {
      await context.close();
    }
  },
);
