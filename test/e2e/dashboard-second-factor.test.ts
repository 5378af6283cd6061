// Two-factor sign-in in real Chromium: enrol an authenticator app (the code computed from the
// secret the page shows) and a passkey (Chromium's virtual authenticator, through CDP), sign in
// with each, see a reused code refused, and see an admin without a factor held on the account
// page once admins must have one. The page is served as http://localhost: WebAuthn needs a
// secure context and a host name (an IP address cannot be a relying party).
// Screenshots: test/artifacts/account*.png, login-second-factor*.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";
import { base32Decode, hotp, totpStep } from "../../core/security/totp.ts";

const admin: [string, string] = ["root", "second-factor-admin-pw"];
const suite = dashboardSuite("dashboard-second-factor", admin);
const { skip } = suite;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The app as a browser reaches it by name. */
const site = () => suite.sys().base.replace("127.0.0.1", "localhost");

let secret: Buffer;
let lastStep = 0;
/** A code of a step not used yet (the current one, or the next, which a phone a little ahead shows). */
async function nextCode(): Promise<string> {
  for (;;) {
    const now = totpStep(Date.now());
    const step = Math.max(now, lastStep + 1);
    if (step <= now + 1) {
      lastStep = step;
      return hotp(secret, step);
    }
    await sleep(1000);
  }
}

async function withAuthenticator(context: BrowserContext, page: Page): Promise<void> {
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

async function signOut(page: Page): Promise<void> {
  await page.getByTestId("logout").click();
  await page.waitForURL(/\/login/);
}

test("enrol an authenticator app and a passkey, sign in with each; a reused code is refused", { skip }, async (t) => {
  const { browser } = suite.sys();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await withAuthenticator(context, page);
  await logIn(page, site(), admin);
  await page.waitForURL(/\/monitors/);

  await page.getByTestId("current-user").click();
  await page.waitForURL(/\/account$/);
  await page.getByTestId("no-factors").waitFor();
  // A wrong password is refused under its field.
  await page.getByTestId("factor-password").fill("not my password");
  await page.getByTestId("add-totp").click();
  await page.getByTestId("factor-password-error").waitFor();

  await page.getByTestId("factor-name").fill("work phone");
  await page.getByTestId("factor-password").fill(admin[1]);
  await page.getByTestId("add-totp").click();
  await page.getByTestId("totp-qr").waitFor();
  assert.ok(
    await page.getByTestId("totp-qr").evaluate((img: any) => img.complete && img.naturalWidth > 0),
    "the QR code is drawn",
  );
  await page.screenshot({ path: path.join(ARTIFACTS, "account-totp-enrol.png") });
  secret = base32Decode(await page.getByTestId("totp-secret").innerText())!;
  await page.getByTestId("totp-code").fill(await nextCode());
  await page.getByTestId("totp-confirm").click();
  const codes = page.getByTestId("recovery-code");
  await page.getByTestId("recovery-codes").waitFor();
  assert.equal(await codes.count(), 10);
  await page.screenshot({ path: path.join(ARTIFACTS, "account-recovery-codes.png") });
  await page.getByTestId("codes-done").click();

  await page.getByTestId("factor-name").fill("laptop");
  await page.getByTestId("factor-password").fill(admin[1]);
  await page.getByTestId("add-passkey").click();
  await page.locator('[data-testid="factor"][data-kind="passkey"]').waitFor();
  assert.deepEqual(await page.getByTestId("factor").locator(".name").allInnerTexts(), ["work phone", "laptop"]);
  assert.match(await page.getByTestId("codes-left").innerText(), /10 unused recovery codes/);
  await page.screenshot({ path: path.join(ARTIFACTS, "account.png") });

  // Password, then the app's code.
  await signOut(page);
  await logIn(page, site(), admin);
  await page.getByTestId("login-second").waitFor();
  await page.screenshot({ path: path.join(ARTIFACTS, "login-second-factor.png") });
  const code = await nextCode();
  await page.getByTestId("login-code").fill(code);
  await page.getByTestId("login-verify").click();
  await page.waitForURL(/\/monitors/);
  t.diagnostic("signed in with the authenticator app's code");

  // The same code again is refused.
  await signOut(page);
  await logIn(page, site(), admin);
  await page.getByTestId("login-code").fill(code);
  await page.getByTestId("login-verify").click();
  assert.match(await page.getByTestId("login-code-error").innerText(), /already used code \(4 tries left\)/);
  await sleep(400); // the error's entry animation, for the screenshot
  await page.screenshot({ path: path.join(ARTIFACTS, "login-second-factor-reused.png") });

  // The passkey instead.
  await page.getByTestId("login-passkey").click();
  await page.waitForURL(/\/monitors/);
  t.diagnostic("signed in with the passkey");
  const factors = (await page.evaluate(() => fetch("/api/v1/account/factors").then((r) => r.json()))) as {
    factors: { kind: string; lastUsedAt: string | null }[];
  };
  assert.ok(factors.factors.find((f) => f.kind === "passkey")?.lastUsedAt, "the passkey's use is recorded");

  // The Chinese account page.
  await page.goto(`${site()}/account`);
  await page.getByTestId("language-switch").click();
  await page.getByTestId("factor").first().waitFor();
  await page.waitForFunction(() => (globalThis as any).document.documentElement.lang === "zh-Hans");
  await page.screenshot({ path: path.join(ARTIFACTS, "account-zh.png") });
  await page.getByTestId("language-switch").click();
  await context.close();
});

test(
  "while admins must have a second factor, an admin without one is held on the account page until they add one",
  { skip },
  async () => {
    const { browser, base } = suite.sys();
    // root has a factor (above): the setting is changed in root's browser session.
    const rootContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const rootPage = await rootContext.newPage();
    await logIn(rootPage, site(), admin);
    await rootPage.getByTestId("login-code").fill(await nextCode());
    await rootPage.getByTestId("login-verify").click();
    await rootPage.waitForURL(/\/monitors/);
    await rootPage.goto(`${site()}/users`);
    const created = await rootPage.evaluate(async () => {
      const s = (await fetch("/api/v1/session").then((r) => r.json())) as { csrfToken: string };
      return fetch("/api/v1/users", {
        method: "POST",
        headers: { "content-type": "application/json", "x-csrf-token": s.csrfToken },
        body: JSON.stringify({ username: "ada", password: "ada password 1", role: "admin" }),
      }).then((r) => r.status);
    });
    assert.equal(created, 201);
    const toggle = rootPage.getByTestId("require-admin-factor");
    await toggle.locator("button").click();
    await rootPage.waitForFunction(
      () =>
        (globalThis as any).document
          .querySelector('[data-testid="require-admin-factor"] button')
          ?.getAttribute("aria-checked") === "true",
    );
    await rootPage.screenshot({ path: path.join(ARTIFACTS, "users-require-second-factor.png") });

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await withAuthenticator(context, page);
    await logIn(page, site(), ["ada", "ada password 1"]);
    await page.waitForURL(/\/account$/);
    await page.getByTestId("enrol-required").waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, "account-enrol-required.png") });
    await page.goto(`${site()}/monitors`);
    await page.waitForURL(/\/account$/);
    assert.equal(
      (await api(base, ["ada", "ada password 1"]).call("GET", "/api/v1/monitors")).status,
      403,
      "basic auth of an admin without a factor is held too",
    );
    await page.getByTestId("factor-password").fill("ada password 1");
    await page.getByTestId("add-passkey").click();
    await page.getByTestId("recovery-codes").waitFor();
    await page.getByTestId("codes-done").click();
    await page.getByTestId("enrol-required").waitFor({ state: "detached" });
    await page.goto(`${site()}/monitors`);
    await page.waitForURL(/\/monitors/);
    await page.getByTestId("current-user").waitFor();
    assert.ok(!page.url().includes("/account"));
    await context.close();
    await rootContext.close();
  },
);
