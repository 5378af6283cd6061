// The status count chips above the monitor list move with the same live events as the rows, in
// the same change detection turn: a MutationObserver in the page reads the chips whenever a row
// changes and records every disagreement over new → up, up → down by a missed deadline, down → up,
// a monitor created and one deleted. A down monitor says since when it is down instead of a next
// due in the past, in the list and on its page, in English and Chinese. Screenshots:
// test/artifacts/dashboard-live-counts.png and dashboard-live-counts-zh.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const suite = dashboardSuite("dashboard-live-counts", admin);
let base: string;
let a: Api;
let page: Page;

const rowWith = (id: number, status: string) =>
  `[data-testid="monitor-row"][data-monitor-id="${id}"][data-status="${status}"]`;

async function create(
  name: string,
  periodSeconds: number,
  graceSeconds: number,
): Promise<{ id: number; code: string }> {
  const res = await a.call("POST", "/api/v1/monitors", {
    name,
    tags: ["live"],
    schedule: { kind: "interval", periodSeconds, graceSeconds },
  });
  assert.ok(res.status < 300, JSON.stringify(res.body));
  return res.body;
}

async function ping(code: string): Promise<void> {
  const res = await fetch(`${base}/ping/${code}`, {
    method: "POST",
    headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
  });
  assert.equal(res.status, 200);
}

/** Records, after every change of the rows, whether each chip's count equals its rows. */
async function watchChips(p: Page): Promise<void> {
  await p.evaluate(() => {
    const doc = (globalThis as any).document;
    const w = globalThis as any;
    w.__mismatches = [];
    w.__changes = 0;
    const check = () => {
      const rows = [...doc.querySelectorAll('[data-testid="monitor-row"]')].map((r: any) => r.dataset.status);
      w.__changes++;
      for (const s of ["new", "up", "late", "down", "paused"]) {
        const chip = doc.querySelector(`[data-testid="count-${s}"] [data-testid="count-value"]`)?.textContent?.trim();
        const n = rows.filter((x: string) => x === s).length;
        if (chip !== String(n)) w.__mismatches.push(`${s}: chip ${chip}, rows ${n} (${rows.join(" ")})`);
      }
    };
    new w.MutationObserver(check).observe(doc.querySelector("table"), {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ["data-status"],
    });
  });
}

const recorded = (p: Page) =>
  p.evaluate(() => ({
    mismatches: (globalThis as any).__mismatches as string[],
    changes: (globalThis as any).__changes as number,
  }));

test(
  "the count chips agree with the rows after every live change; a down monitor says since when",
  { skip: suite.skip, timeout: 120_000 },
  async (t) => {
    const sys = suite.sys();
    ({ base, page } = sys);
    a = api(base, admin);
    // An hour's period until the page shows it: a loaded machine's login must not outlast a
    // 2 s deadline before the "new" rows are seen. Then the 2 s schedule, by PATCH.
    const quick = await create("live-quick", 3600, 60);
    const slow = await create("live-slow", 3600, 60);
    await logIn(page, base, admin);
    await page.getByTestId("new-monitor").waitFor();
    await page.goto(`${base}/monitors`);
    await page.waitForSelector(rowWith(quick.id, "new"));
    await page.waitForSelector(rowWith(slow.id, "new"));
    await page.waitForFunction(
      () =>
        (globalThis as any).document.querySelector('[data-testid="count-new"] [data-testid="count-value"]')
          ?.textContent === "2",
    );
    await watchChips(page);

    const patched = await a.call("PATCH", `/api/v1/monitors/${quick.id}`, {
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 2 },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    await ping(quick.code); // new → up
    await page.waitForSelector(rowWith(quick.id, "up"), { timeout: 5_000 });
    await page.waitForSelector(rowWith(quick.id, "down"), { timeout: 15_000 }); // up → (late →) down, no ping
    const since = page.locator(`[data-monitor-id="${quick.id}"] [data-testid="overdue-since"]`);
    await since.waitFor();
    assert.match(await since.innerText(), /^down since \d\d:\d\d · \d+ s$/);
    const dueCell = await page.locator(`[data-monitor-id="${quick.id}"] .col-nextDueAt`).innerText();
    assert.doesNotMatch(dueCell, /ago/, "no next due in the past");
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-live-counts.png"), fullPage: true });

    const extra = await create("live-extra", 3600, 60); // created
    await page.waitForSelector(rowWith(extra.id, "new"), { timeout: 5_000 });
    assert.equal((await a.call("DELETE", `/api/v1/monitors/${extra.id}`)).status, 200); // deleted
    await page.locator(rowWith(extra.id, "new")).waitFor({ state: "detached", timeout: 5_000 });
    await ping(quick.code); // down → up
    await page.waitForSelector(rowWith(quick.id, "up"), { timeout: 5_000 });

    const r = await recorded(page);
    t.diagnostic(`${r.changes} row changes checked`);
    assert.ok(r.changes >= 4, `row changes seen: ${r.changes}`);
    assert.deepEqual(r.mismatches, [], "chips disagreed with rows right after a live change");

    // Down again, then its page says since when, and a Chinese browser says it in Chinese.
    await page.waitForSelector(rowWith(quick.id, "down"), { timeout: 15_000 });
    assert.deepEqual((await recorded(page)).mismatches, []);
    await page.goto(`${base}/monitors/${quick.id}`);
    await page.getByTestId("detail-name").waitFor();
    assert.match(await page.getByTestId("overdue-since").innerText(), /^down since \d\d:\d\d · \d+ s$/);

    const context = await sys.browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    try {
      const zh = await context.newPage();
      await logIn(zh, base, admin);
      await zh.getByTestId("new-monitor").waitFor();
      await zh.goto(`${base}/monitors`);
      const zhSince = zh.locator(`[data-monitor-id="${quick.id}"] [data-testid="overdue-since"]`);
      await zhSince.waitFor();
      assert.match(await zhSince.innerText(), /^自 \d\d:\d\d 起故障 · \d+ (秒|分钟)$/);
      await zh.screenshot({ path: path.join(ARTIFACTS, "dashboard-live-counts-zh.png"), fullPage: true });
    } finally {
      await context.close();
    }
  },
);
