// The Maintenance page in real Chromium against the real embedded system: a bad cron is refused
// with the API's message on its field; a one-off window created through the form shows as
// active; the monitors it covers (by tag) carry a "maintenance" badge in the list and on their
// page, the others do not; deleting a window or a monitor asks first (cancel keeps it).
// Screenshot in test/artifacts/ (not committed).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
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

const admin: [string, string] = ["root", "correct horse battery"];
const skip = chromiumUnavailable();
let sys: DashboardSystem | undefined;
let base: string;
let page: Page;
let a: Api;

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-maintenance", admin);
  ({ base, page } = sys);
  a = api(base, admin);
});

after(async () => {
  await stopDashboardSystem(sys);
});

test(
  "create a window through the form; covered monitors show the maintenance badge; deleting asks first",
  { skip, timeout: 120_000 },
  async () => {
    const schedule = { kind: "interval", periodSeconds: 3600, graceSeconds: 600 };
    const db = (await a.call("POST", "/api/v1/monitors", { name: "db-backup", schedule, tags: ["db"] })).body;
    const web = (await a.call("POST", "/api/v1/monitors", { name: "web-report", schedule, tags: ["web"] })).body;

    await logIn(page, base, admin);
    await page.getByTestId("nav-maintenance").click();
    await page.getByTestId("window-form").waitFor();

    // A recurring window with a bad cron: the API's message, on the cron field.
    await page.getByTestId("window-name").fill("db upgrade");
    await page.getByTestId("window-recurring").check();
    await page.getByTestId("window-expression").fill("99 * * * *");
    await page.getByTestId("window-tags").fill("db");
    await page.getByTestId("window-save").click();
    await page
      .locator("mat-error")
      .filter({ hasText: /minute|range|invalid|constraint/i })
      .first()
      .waitFor({ timeout: 10_000 });
    assert.equal((await a.call("GET", "/api/v1/maintenance")).body.total, 0, "nothing stored");

    // The one-off default (now for an hour) scoped to the tag.
    await page.getByTestId("window-once").check();
    await page.getByTestId("window-save").click();
    await page.getByTestId("window-row-name").filter({ hasText: "db upgrade" }).waitFor();
    await page.locator("td .state.active").first().waitFor();
    const stored = (await a.call("GET", "/api/v1/maintenance")).body.items;
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0].tags, ["db"]);
    assert.equal(stored[0].active, true);
    assert.equal(
      await page.locator("mat-form-field.mat-form-field-invalid").count(),
      0,
      "the emptied form shows no errors",
    );
    await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-maintenance.png"), fullPage: true });

    // Edit: the form takes the window's values; saving renames it.
    await page.getByRole("button", { name: "Edit db upgrade" }).click();
    assert.equal(await page.getByTestId("window-tags").inputValue(), "db");
    await page.getByTestId("window-name").fill("db upgrade (extended)");
    await page.getByTestId("window-save").click();
    await page.getByTestId("window-row-name").filter({ hasText: "db upgrade (extended)" }).waitFor();

    // The list: the badge on db-backup's row only.
    await page.goto(`${base}/monitors`);
    const row = (name: string) =>
      page.locator("tr", { has: page.getByTestId("monitor-link").filter({ hasText: name }) });
    await row("db-backup").getByTestId("maintenance-badge").waitFor();
    await row("web-report").waitFor();
    assert.equal(await row("web-report").getByTestId("maintenance-badge").count(), 0);

    // The monitor's own page.
    await page.goto(`${base}/monitors/${db.id}`);
    await page.getByTestId("detail-name").waitFor();
    await page.getByTestId("maintenance-badge").waitFor();
    await page.goto(`${base}/monitors/${web.id}`);
    await page.getByTestId("detail-name").filter({ hasText: "web-report" }).waitFor();
    assert.equal(await page.getByTestId("maintenance-badge").count(), 0);

    // Deleting asks first: cancel keeps the window, confirm deletes it.
    await page.goto(`${base}/maintenance`);
    const del = page.getByRole("button", { name: "Delete db upgrade (extended)" });
    await del.click();
    await page.getByTestId("cancel").click();
    assert.equal((await a.call("GET", "/api/v1/maintenance")).body.total, 1, "cancel deletes nothing");
    await del.click();
    await page.getByTestId("confirm").click();
    await page
      .getByTestId("window-row-name")
      .filter({ hasText: "db upgrade (extended)" })
      .waitFor({ state: "detached" });
    assert.equal((await a.call("GET", "/api/v1/maintenance")).body.total, 0);

    // The same confirmation on a monitor's page: it goes, and the app goes back to the list.
    await page.goto(`${base}/monitors/${web.id}`);
    await page.getByTestId("delete").click();
    await page.getByTestId("confirm").click();
    await page.waitForURL(`${base}/monitors`);
    assert.equal((await a.call("GET", `/api/v1/monitors/${web.id}`)).status, 404);
  },
);
