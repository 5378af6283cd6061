// The monitor form's run limits and the runs chart in real Chromium (Debian's, driven by
// playwright-core) against the real embedded system: a bad slow factor is refused under its
// field, the saved limits reach the API, the detail page states them, real runs (start →
// finish pings with real durations) are drawn as bars in the runs chart, and the edit form
// comes back filled. Screenshots go to test/artifacts/ (not committed).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { eventually } from "../support/system.ts";
import {
  ARTIFACTS,
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const skip = chromiumUnavailable();

let sys: DashboardSystem | undefined;
let base: string;
let a: Api;
let page: Page;

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-run-limits", admin, { PING_AUTH: "none" });
  ({ base, page } = sys);
  a = api(base, admin);
});

after(() => stopDashboardSystem(sys));

async function ping(code: string, suffix = ""): Promise<void> {
  const res = await fetch(`${base}/ping/${code}${suffix}`);
  assert.equal(res.status, 200);
  await res.arrayBuffer();
}

test(
  "the form saves run limits, the detail page states them and charts real run durations",
  { skip, timeout: 120_000 },
  async () => {
    await logIn(page, base, admin);
    await page.getByTestId("new-monitor").click();
    await page.getByTestId("form-name").fill("dash-limits");
    await page.getByTestId("form-kind-interval").click();
    await page.getByTestId("form-period").fill("3600");
    await page.getByTestId("form-grace").fill("60");
    await page.getByTestId("form-max-run").fill("120");
    await page.getByTestId("form-slow-factor").fill("1");
    await page.getByTestId("form-slow-window").fill("10");
    await page.getByTestId("form-failure-threshold").fill("3");
    await page.getByTestId("form-recovery-threshold").fill("2");
    await page.getByTestId("form-save").click();
    // A factor of 1 would call every run slow: refused under its field, nothing saved.
    const error = page.locator("mat-error", { hasText: "Slow factor must be a number greater than 1" });
    await error.waitFor();
    assert.equal((await a.call("GET", "/api/v1/monitors?q=dash-limits")).body.total, 0);

    await page.getByTestId("form-slow-factor").fill("2.5");
    await page.getByTestId("form-save").click();
    const created = await eventually(
      async () => (await a.call("GET", "/api/v1/monitors?q=dash-limits")).body.items[0],
      15_000,
      "the monitor saved by the form",
    );
    assert.deepEqual(
      [
        created.maxRunSeconds,
        created.slowFactor,
        created.slowWindow,
        created.failureThreshold,
        created.recoveryThreshold,
      ],
      [120, 2.5, 10, 3, 2],
    );

    // Real runs of about 0.2, 1 and 2.5 s: three bars in the runs chart, drawn live. (A run is
    // timed between the server's receipt of its two pings, so a loaded machine adds to each one
    // what a ping takes to arrive: steps of 100 ms came out in the wrong order in a full CI run.)
    await page.waitForURL(`**/monitors/${created.id}`);
    const limits = await page.getByTestId("detail-run-limits").innerText();
    assert.match(limits, /max run 2 min/);
    assert.match(limits, /slow over 2\.5× the median of 10 runs/);
    assert.match(limits, /down after 3 failures in a row/);
    assert.match(limits, /up after 2 successes in a row/);
    for (const ms of [200, 1000, 2500]) {
      await ping(created.code, "/start");
      await new Promise((r) => setTimeout(r, ms));
      await ping(created.code);
    }
    await page.reload();
    const bars = page.locator('[data-testid="duration-chart"] rect.bar.success');
    await eventually(async () => ((await bars.count()) >= 3 ? true : null), 15_000, "three run bars");
    const heights = await bars.evaluateAll((els) => els.map((e) => Number(e.getAttribute("height"))));
    assert.ok(heights.length >= 3, JSON.stringify(heights));
    const [h1, h2, h3] = heights.slice(-3);
    assert.ok(h1! < h2! && h2! < h3!, `longer runs are taller bars: ${heights}`);
    assert.match((await page.locator('[data-testid="duration-chart"]').getAttribute("aria-label")) ?? "", /run|ping/i);
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-run-limits-detail.png"), fullPage: true });

    // The edit form comes back with the saved limits.
    await page.getByTestId("edit").click();
    await page.getByTestId("form-max-run").waitFor();
    await eventually(
      async () => ((await page.getByTestId("form-max-run").inputValue()) === "120" ? true : null),
      10_000,
      "the edit form filled",
    );
    assert.equal(await page.getByTestId("form-slow-factor").inputValue(), "2.5");
    assert.equal(await page.getByTestId("form-slow-window").inputValue(), "10");
    assert.equal(await page.getByTestId("form-failure-threshold").inputValue(), "3");
    assert.equal(await page.getByTestId("form-recovery-threshold").inputValue(), "2");
    await page.getByTestId("form-max-run").fill("");
    await page.getByTestId("form-save").click();
    await eventually(
      async () => ((await a.call("GET", `/api/v1/monitors/${created.id}`)).body.maxRunSeconds === null ? true : null),
      15_000,
      "max run time cleared",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-run-limits-form.png"), fullPage: true });
  },
);
