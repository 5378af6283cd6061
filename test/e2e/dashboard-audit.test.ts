// The audit log page in Chromium: changes made through the API appear with their actor, the
// action filter narrows the list, and the page reads in both languages.
// Screenshots: test/artifacts/audit.png, audit-zh.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "audit-page-admin-pw"];
const suite = dashboardSuite("dashboard-audit", admin);
const { skip } = suite;

test("the audit log shows each change with its actor, and filters by action", { skip }, async () => {
  const { base, page } = suite.sys();
  const a = api(base, admin);
  const m = await a.call("POST", "/api/v1/monitors", {
    name: "db backup",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
  });
  assert.equal(m.status, 201);
  assert.equal((await a.call("PATCH", `/api/v1/monitors/${m.body.id}`, { name: "nightly db backup" })).status, 200);
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "ops", password: "ops password 1", role: "viewer" })).status,
    201,
  );
  assert.equal((await api(base, ["ops", "wrong"]).call("GET", "/api/v1/monitors")).status, 401);

  await logIn(page, base, admin);
  await page.waitForURL(/\/monitors/);
  await page.getByTestId("nav-audit").click();
  await page.waitForURL(/\/audit$/);
  const rows = page.getByTestId("audit-row");
  await rows.first().waitFor();
  const update = page.locator('[data-testid="audit-row"][data-action="monitor.update"]');
  assert.equal(await update.getByTestId("audit-row-actor").innerText(), "root");
  assert.match(await update.getByTestId("audit-row-target").innerText(), /monitor \d+ "nightly db backup"/);
  assert.match(await update.getByTestId("audit-row-changes").innerText(), /name: "db backup" → "nightly db backup"/);
  const failed = page.locator('[data-testid="audit-row"][data-action="signin.failed"]');
  assert.equal(await failed.getByTestId("audit-row-actor").innerText(), "ops");
  assert.ok(await page.locator('[data-testid="audit-row"][data-action="signin.ok"]').count(), "root's sign-in");
  await page.screenshot({ path: path.join(ARTIFACTS, "audit.png"), fullPage: true });

  await page.getByTestId("audit-action").selectOption("user");
  await page.waitForFunction(() =>
    [...(globalThis as any).document.querySelectorAll('[data-testid="audit-row"]')].every((r: any) =>
      r.dataset.action?.startsWith("user."),
    ),
  );
  assert.deepEqual(await rows.evaluateAll((rs) => rs.map((r) => (r as any).dataset.action)), ["user.create"]);
  assert.match(await page.getByTestId("audit-range").innerText(), /1–1 of 1/);

  await page.getByTestId("audit-action").selectOption("");
  await page.getByTestId("language-switch").click();
  await page.waitForFunction(() => (globalThis as any).document.documentElement.lang === "zh-Hans");
  await rows.first().waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "audit-zh.png"), fullPage: true });
  await page.getByTestId("language-switch").click();
});
