// Alert holds in real Chromium against the real embedded system: the monitor form picks a
// monitor's parents, the detail pages link a child to its parent and back, a child's alert held
// while its parent is down says so in its notifications (English, then Chinese), and the snooze
// menu snoozes a monitor until a time the page shows, with a button that ends it. Screenshots:
// test/artifacts/dashboard-holds-*.png (not committed).

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { api } from "../support/api.ts";
import { eventually } from "../support/system.ts";
import { startReceiver } from "../support/receiver.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const { skip, sys } = dashboardSuite("dashboard-alert-holds", admin, {
  PING_AUTH: "none",
  ALLOW_PRIVATE_WEBHOOKS: "true",
  NOTIFIER_POLL_MS: "300",
});

test(
  "parents picked in the form, linked both ways, a held alert with its reason, and a snooze ended by its button",
  { skip, timeout: 120_000 },
  async () => {
    const { base, page } = sys();
    const a = api(base, admin);
    const rx = await startReceiver();
    try {
      const hook = await a.call("POST", "/api/v1/channels", {
        name: "hook",
        type: "webhook",
        config: { url: `${rx.url}/hook` },
        isDefault: true,
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const parent = (
        await a.call("POST", "/api/v1/monitors", {
          name: "db server",
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        })
      ).body;

      await logIn(page, base, admin);
      await page.getByTestId("new-monitor").click();
      await page.getByTestId("form-name").fill("web app");
      await page.getByTestId("form-kind-interval").click();
      await page.getByTestId("form-period").fill("3600");
      await page.getByTestId("form-grace").fill("60");
      await page.getByTestId("form-depends-on").click();
      await page.getByRole("option", { name: "db server" }).click();
      await page.keyboard.press("Escape");
      await page.getByTestId("form-save").click();
      const child = await eventually(
        async () => (await a.call("GET", "/api/v1/monitors?q=web%20app")).body.items[0],
        15_000,
        "the monitor saved by the form",
      );
      assert.deepEqual(child.dependsOn, [parent.id]);
      await page.waitForURL(`**/monitors/${child.id}`);

      // The parent goes down, then the child: the child's alert is held, and says why.
      for (const code of [parent.code, child.code]) {
        const res = await fetch(`${base}/ping/${code}/fail`);
        assert.equal(res.status, 200);
      }
      await eventually(
        async () => (await a.call("GET", `/api/v1/monitors/${child.id}/notifications`)).body.items[0]?.state === "held",
        15_000,
        "the child's alert held",
      );
      await page.reload();
      const held = page.getByTestId("notification-held");
      await held.waitFor();
      assert.equal((await held.innerText()).trim(), "Held: parent db server is down");
      assert.equal(await held.getAttribute("data-kind"), "parent");
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-holds-child.png"), fullPage: true });
      assert.match(await page.getByTestId("detail-parents").innerText(), /db server \(down\)/i);
      assert.equal(rx.requests.filter((r) => r.json?.monitor?.id === child.id).length, 0, "nothing sent");

      // The parent's page lists its child; the link leads back.
      await page.getByTestId("parent-link").click();
      await page.waitForURL(`**/monitors/${parent.id}`);
      assert.match(await page.getByTestId("detail-children").innerText(), /web app \(down\)/i);
      await page.getByTestId("child-link").click();
      await page.waitForURL(`**/monitors/${child.id}`);

      // Snooze for an hour from the menu; the page says until when; the button ends it.
      await page.getByTestId("snooze").click();
      await page.getByTestId("snooze-3600").click();
      const until = page.getByTestId("detail-snoozed-until");
      await until.waitFor();
      const snoozed = (await a.call("GET", `/api/v1/monitors/${child.id}`)).body.snoozedUntil;
      assert.ok(Date.parse(snoozed) > Date.now() + 3_500_000, snoozed);
      assert.equal(await until.locator("time").getAttribute("datetime"), snoozed);
      assert.match(await page.getByTestId("snoozed-badge").innerText(), /snoozed/);
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-holds-snoozed.png"), fullPage: true });
      // The list marks it too.
      await page.goto(`${base}/monitors`);
      await page.locator("tr", { hasText: "web app" }).getByTestId("snoozed-badge").waitFor();
      assert.equal(await page.locator("tr", { hasText: "db server" }).getByTestId("snoozed-badge").count(), 0);
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-holds-list.png"), fullPage: true });
      await page.goto(`${base}/monitors/${child.id}`);
      await page.getByTestId("end-snooze").click();
      await until.waitFor({ state: "detached" });
      assert.equal(await page.getByTestId("snoozed-badge").count(), 0);
      assert.equal((await a.call("GET", `/api/v1/monitors/${child.id}`)).body.snoozedUntil, null);
      await page.getByTestId("snooze").waitFor();

      // In Chinese: the held notification and the parent row.
      await page.getByTestId("language-switch").click();
      await page.locator("[data-testid=notification-held]", { hasText: "暂缓：上级监控 db server 故障" }).waitFor();
      await page.screenshot({ path: path.join(ARTIFACTS, "dashboard-holds-zh.png"), fullPage: true });
      await page.getByTestId("language-switch").click();
    } finally {
      await rx.close();
    }
  },
);
