// The users page's weekly report settings in real Chromium: an admin sets a user's address and
// opt-in through the dialog, sees the row say so, and a report without an address is refused
// with the API's message.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import {
  ARTIFACTS,
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";
import { api, type Api } from "../support/api.ts";
import { eventually } from "../support/system.ts";

const skip = chromiumUnavailable();
const admin: [string, string] = ["root", "reports-admin-pw"];
let sys: DashboardSystem | undefined;
let a: Api;

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-reports", admin);
  a = api(sys.base, admin);
  for (const username of ["erin", "frank"])
    assert.equal(
      (await a.call("POST", "/api/v1/users", { username, password: `${username}-password`, role: "viewer" })).status,
      201,
    );
});

after(async () => {
  await stopDashboardSystem(sys);
});

async function userOf(username: string): Promise<any> {
  return (await a.call("GET", "/api/v1/users")).body.items.find((u: any) => u.username === username);
}

test(
  "an admin opts a user in to the weekly report from the users page; no address, no report",
  { skip, timeout: 90_000 },
  async () => {
    const { page, base } = sys!;
    await logIn(page, base, admin);
    await page.waitForURL(/\/monitors/);
    await page.goto(`${base}/users`);
    const erin = page.locator('[data-testid="user-row"][data-username="erin"]');
    await erin.waitFor();
    assert.equal((await erin.getByTestId("user-report").innerText()).trim(), "off");

    await erin.getByTestId("user-report-edit").click();
    await page.getByTestId("report-email").fill("erin@example.com");
    await page.getByTestId("report-weekly").check();
    await page.getByTestId("confirm").click();
    await eventually(
      async () => (await erin.getByTestId("user-report").innerText()).trim() === "to erin@example.com",
      10_000,
      "the row shows the opt-in",
    );
    const saved = await userOf("erin");
    assert.deepEqual([saved.email, saved.weeklyReport], ["erin@example.com", true]);
    await page.screenshot({ path: path.join(ARTIFACTS, "users-weekly-report.png") });

    // frank has no address: the API's refusal is shown and nothing changes.
    const frank = page.locator('[data-testid="user-row"][data-username="frank"]');
    await frank.getByTestId("user-report-edit").click();
    await page.getByTestId("report-weekly").check();
    await page.getByTestId("confirm").click();
    await page.getByTestId("report-error").waitFor();
    assert.match(await page.getByTestId("report-error").innerText(), /needs an e-mail address/);
    assert.equal((await userOf("frank")).weeklyReport, false);
  },
);
