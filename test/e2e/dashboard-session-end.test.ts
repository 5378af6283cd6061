// A password change in one browser ends the user's session in another at once: the other
// browser's live-event stream is closed by the server within a second, and it lands on the
// sign-in page without a click. Screenshot: test/artifacts/dashboard-session-ended.png.

import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api } from "../support/api.ts";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";

const admin: [string, string] = ["root", "session-end-admin-pw"];
const ada: [string, string] = ["ada", "ada password 1"];
const suite = dashboardSuite("dashboard-session-end", admin);
const { skip } = suite;

async function signedIn(who: [string, string]): Promise<Page> {
  const { browser, base } = suite.sys();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await logIn(page, base, who);
  await page.waitForURL(/\/monitors/);
  return page;
}

test(
  "a password change in one browser logs the other out and closes its event stream within a second",
  { skip },
  async (t) => {
    const { base } = suite.sys();
    assert.equal(
      (await api(base, admin).call("POST", "/api/v1/users", { username: ada[0], password: ada[1], role: "admin" }))
        .status,
      201,
    );
    const other = await signedIn(ada);
    // The other browser's stream, watched in Chromium's own network log: when the server ends it.
    const cdp = await other.context().newCDPSession(other);
    await cdp.send("Network.enable");
    const streams = new Set<string>();
    let streamEndedAt = 0;
    let streamOpened!: () => void;
    const opened = new Promise<void>((r) => (streamOpened = r));
    cdp.on("Network.requestWillBeSent", (e) => {
      if (e.request.url.endsWith("/api/v1/events")) streams.add(e.requestId);
    });
    cdp.on("Network.responseReceived", (e) => {
      if (streams.has(e.requestId) && e.response.status === 200) streamOpened();
    });
    const streamEnded = new Promise<void>((resolve) => {
      const ended = (e: { requestId: string }) => {
        if (!streams.has(e.requestId) || streamEndedAt) return;
        streamEndedAt = Date.now();
        resolve();
      };
      cdp.on("Network.loadingFinished", ended);
      cdp.on("Network.loadingFailed", ended);
    });
    await other.reload();
    await opened;

    const here = await signedIn(ada);
    await here.goto(`${base}/users`);
    await here.locator('[data-testid="user-row"][data-username="ada"] [data-testid="user-reset"]').click();
    await here.getByTestId("reset-password").fill("ada password 2");
    const changed = here.waitForResponse(
      (r) => /\/api\/v1\/users\/ada$/.test(r.url()) && r.request().method() === "PATCH",
    );
    await here.getByTestId("confirm").click();
    const answer = await changed;
    const changedAt = Date.now();
    assert.equal(answer.status(), 200);

    await streamEnded;
    const ms = streamEndedAt - changedAt;
    t.diagnostic(`the other browser's stream ended ${ms} ms after the change was answered`);
    assert.ok(ms < 1000, `the stream ended ${ms} ms after the change`);
    await other.waitForURL(/\/login\?ended=1/, { timeout: 5_000 });
    assert.match(await other.getByTestId("login-ended").innerText(), /Your session has ended/);
    t.diagnostic(`the other browser was on the sign-in page ${Date.now() - changedAt} ms after the change`);
    await other.screenshot({ path: path.join(ARTIFACTS, "dashboard-session-ended.png") });
    // The old password no longer opens it; the new one does.
    await logIn(other, base, ada);
    assert.ok(await other.getByTestId("login-submit").isVisible(), "the old password is refused");
    await logIn(other, base, ["ada", "ada password 2"]);
    await other.waitForURL(/\/monitors/);
  },
);
