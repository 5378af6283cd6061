// Uptime at a glance in real Chromium: a monitor with a 2-second period goes up, misses its
// deadline and goes down for real, then recovers; the list's uptime cell (computed by the server
// from the stored flips) falls below 100 % and its strip gains a tick per run, coloured by kind,
// and the monitor page shows the three figures and the strip. English and Chinese. Screenshots:
// test/artifacts/dashboard-uptime.png, dashboard-uptime-detail.png and dashboard-uptime-zh.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const suite = dashboardSuite("dashboard-uptime", admin);
let base: string;
let a: Api;

const row = (id: number) => `[data-testid="monitor-row"][data-monitor-id="${id}"]`;

async function ping(code: string, suffix = ""): Promise<void> {
  const res = await fetch(`${base}/ping/${code}${suffix}`, {
    method: "POST",
    headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
  });
  assert.equal(res.status, 200);
}

/** The list reloaded: what its uptime cell and strip say for the monitor. */
async function listCell(page: Page, id: number) {
  await page.goto(`${base}/monitors`);
  const cell = page.locator(`${row(id)} [data-testid="uptime"]`);
  await cell.waitFor();
  return {
    day: (await page.locator(`${row(id)} [data-testid="uptime-day"]`).innerText()).trim(),
    ticks: ((await page.locator(`${row(id)} [data-testid="uptime-strip"]`).getAttribute("data-kinds")) ?? "")
      .split(" ")
      .filter(Boolean),
    label: await page.locator(`${row(id)} [data-testid="uptime-strip"]`).getAttribute("aria-label"),
  };
}

const percent = (s: string) => Number(s.replace(/[^\d.]/g, ""));

test(
  "the list's uptime and strip change as a monitor goes down and up for real; the page shows all three figures",
  { skip: suite.skip, timeout: 120_000 },
  async () => {
    const sys = suite.sys();
    base = sys.base;
    const page = sys.page;
    a = api(base, admin);
    // An hour's period until it has shown its first figures: a loaded machine's login must not
    // outlast a 2 s deadline before the "never pinged" and "up" checks have run.
    const res = await a.call("POST", "/api/v1/monitors", {
      name: "uptime-quick",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    assert.ok(res.status < 300, JSON.stringify(res.body));
    const m: { id: number; code: string } = res.body;
    const steady = (
      await a.call("POST", "/api/v1/monitors", {
        name: "uptime-steady",
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      })
    ).body;
    await logIn(page, base, admin);
    await page.getByTestId("new-monitor").waitFor();

    // Never pinged: new, observed and not down, no runs yet.
    const fresh = await listCell(page, m.id);
    assert.equal(fresh.day, "100.00 %");
    assert.deepEqual(fresh.ticks, []);
    assert.equal(fresh.label, "No runs yet");

    await ping(m.code); // new → up
    const up = await listCell(page, m.id);
    assert.equal(up.day, "100.00 %");
    assert.deepEqual(up.ticks, ["success"]);

    // Now a 2 s period and no ping: late, then down by the checker; time down counts against the day.
    const quick = await a.call("PATCH", `/api/v1/monitors/${m.id}`, {
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
    });
    assert.equal(quick.status, 200, JSON.stringify(quick.body));
    const deadline = Date.now() + 20_000;
    while ((await a.call("GET", `/api/v1/monitors/${m.id}`)).body.status !== "down") {
      assert.ok(Date.now() < deadline, "the monitor did not go down");
      await new Promise((r) => setTimeout(r, 250));
    }
    await new Promise((r) => setTimeout(r, 1500));
    await ping(m.code, "/fail");
    await ping(m.code); // down → up
    // Back to an hour's period, so it stays up while the pages are read: on a loaded machine a
    // 2 s deadline could pass between the list and the detail page and lower the figure.
    await a.call("PATCH", `/api/v1/monitors/${m.id}`, {
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    // The server's figure, not one made in the browser: up again, it only rises, so the page's
    // lies between the answers fetched just before and just after it.
    const before = (await a.call("GET", `/api/v1/monitors/${m.id}`)).body.uptime;
    const after = await listCell(page, m.id);
    const served = (await a.call("GET", `/api/v1/monitors/${m.id}`)).body.uptime;
    assert.ok(percent(after.day) < 100 && percent(after.day) > 0, `uptime after a real down: ${after.day}`);
    assert.ok(
      before.day - 0.01 <= percent(after.day) && percent(after.day) <= served.day,
      `${before.day} ≤ ${after.day} ≤ ${served.day}`,
    );
    assert.deepEqual(after.ticks, ["success", "fail", "success"], "oldest left, newest right");
    // The strip is one element; the run under the pointer (a 4 px bar every 6 px, oldest left)
    // is named in its title as the pointer moves, and a gap between bars names none.
    const strip = page.locator(`${row(m.id)} [data-testid="uptime-strip"]`);
    const title = async (x: number) => {
      await strip.hover({ position: { x, y: 7 } });
      return (await strip.getAttribute("title")) ?? "";
    };
    assert.match(await title(6 + 2), /^Failure · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
    assert.match(await title(12 + 2), /^Success · \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+/);
    assert.match(await title(1), /^Success · /);
    assert.equal(await title(5), "", "a gap between bars names no run");
    // …and the list's times carry their exact time the same way.
    const lastPing = page.locator(`${row(m.id)} time`).first();
    await lastPing.hover();
    assert.match((await lastPing.getAttribute("title")) ?? "", /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \S+$/);
    assert.equal(after.label, "Last 3 runs, 1 failed");
    assert.ok(served.week === served.day && served.month === served.day, "all windows hold the whole life");

    // Sorting by uptime from the column header: the monitor that was down comes first ascending.
    await page.locator("th.col-uptime .mat-sort-header-container").click();
    await page.waitForURL(/sort=uptime/);
    await page.waitForFunction(
      ([first]) =>
        (globalThis as any).document.querySelector('[data-testid="monitor-row"]')?.dataset.monitorId === first,
      [String(m.id)],
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-uptime.png"), fullPage: true });
    const sorted = await a.call("GET", "/api/v1/monitors?sort=uptime&order=desc");
    assert.deepEqual(
      sorted.body.items.map((x: { id: number }) => x.id),
      [steady.id, m.id],
    );

    await page.goto(`${base}/monitors/${m.id}`);
    const detail = page.getByTestId("detail-uptime");
    await detail.waitFor();
    assert.ok(percent(await detail.getByTestId("uptime-day").innerText()) >= percent(after.day));
    assert.match(await detail.getByTestId("uptime-windows").innerText(), /^7 d \d+\.\d\d % · 30 d \d+\.\d\d %$/);
    assert.equal((await detail.getByTestId("uptime-strip").getAttribute("data-kinds"))?.split(" ").length, 3);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-uptime-detail.png"), fullPage: true });

    const context = await sys.browser.newContext({ locale: "zh-CN", viewport: { width: 1280, height: 900 } });
    try {
      const zh = await context.newPage();
      await logIn(zh, base, admin);
      await zh.getByTestId("new-monitor").waitFor();
      await zh.goto(`${base}/monitors`);
      await zh.locator(`${row(m.id)} [data-testid="uptime"]`).waitFor();
      assert.equal(
        await zh.locator(`${row(m.id)} [data-testid="uptime-strip"]`).getAttribute("aria-label"),
        "最近 3 次运行，1 次失败",
      );
      assert.match(await zh.locator("th.col-uptime").innerText(), /24 小时可用率/);
      await zh.screenshot({ path: path.join(ARTIFACTS, "dashboard-uptime-zh.png"), fullPage: true });
      await zh.goto(`${base}/monitors/${m.id}`);
      await zh.getByTestId("detail-uptime").waitFor();
      assert.match(await zh.getByTestId("uptime-windows").innerText(), /^7 天 \d+\.\d\d % · 30 天 \d+\.\d\d %$/);
      await zh.screenshot({ path: path.join(ARTIFACTS, "dashboard-uptime-zh-detail.png"), fullPage: true });
    } finally {
      await context.close();
    }
  },
);
