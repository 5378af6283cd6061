// The Channels page in real Chromium (Debian's, driven by playwright-core) against the real
// embedded system on an empty database WITHOUT SMTP_URL, and a real HTTP receiver: the first-run
// hint shows on the monitor list and form while no channel is enabled; a webhook channel made
// through the form (generated from its type's fields) sends its test to the receiver and the page
// says ok with the duration (and failed, why and how long, for a receiver answering 500); a monitor on it (2 s period, 1 s grace) goes down for real and the
// delivery shows in the channel's log as delivered; editing shows its secrets as "set" and never
// puts them in the page; deleting asks first; and a channel made inside the monitor form's picker
// ends up selected. Screenshots (English and Chinese) go to test/artifacts/dashboard-channels*.png.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { ARTIFACTS, dashboardSuite, logIn } from "../support/browser.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { api } from "../support/api.ts";
import { eventually } from "../support/system.ts";
import { verifySignature } from "../../plugins/webhook.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const URL_TOKEN = "tok-9c2e51aa70d4";
const HMAC_KEY = "whsec-dashboard-channels-key";
const HEADER_VALUE = "Bearer hdr-77ab12cd";
const SECRETS = [URL_TOKEN, HMAC_KEY, HEADER_VALUE];

const { skip, sys } = dashboardSuite("dashboard-channels", admin, {
  ALLOW_PRIVATE_WEBHOOKS: "true",
  NOTIFIER_POLL_MS: "200",
  CHANNEL_TIMEOUT_MS: "3000",
  DELIVERY_RETRY_FIRST_DELAY: "1",
});
let rx: Receiver;

before(async () => {
  rx = await startReceiver();
  rx.respond("/hook", { status: 200, body: "ok" });
  rx.respond("/broken", { status: 500, body: "receiver is down" });
});
after(() => rx?.close());

async function shot(page: Page, name: string): Promise<void> {
  await page.waitForTimeout(400); // Material's checkbox and hint animations settle
  await page.screenshot({ path: path.join(ARTIFACTS, `dashboard-channels${name}.png`), fullPage: true });
}

async function switchLanguage(page: Page): Promise<void> {
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/session") && r.request().method() === "PATCH" && r.ok()),
    page.getByTestId("language-switch").click(),
  ]);
}

/** No secret, and not even their mask, anywhere in the page's HTML (inputs' values included). */
async function noSecretsIn(page: Page, where: string): Promise<void> {
  const html = await page.content();
  const values = await page.$$eval("input, textarea", (els) =>
    els.map((e) => (e as unknown as { value: string }).value),
  );
  for (const s of [...SECRETS, "********"]) {
    assert.ok(!html.includes(s), `${where}: ${s} in the page`);
    assert.ok(!values.some((v) => v.includes(s)), `${where}: ${s} in an input`);
  }
}

test(
  "first run → a webhook channel through the form → its test → a monitor that goes down → the delivery in its log",
  { skip, timeout: 180_000 },
  async (t) => {
    const { page, base } = sys();
    const a = api(base, admin);
    await logIn(page, base, admin);

    // No channel at all (no SMTP_URL): the list and the form say alerts go nowhere.
    await page.getByTestId("first-run-hint").waitFor();
    assert.match(await page.getByTestId("first-run-hint").innerText(), /No alerts will be sent/);
    assert.equal(await page.getByTestId("first-run-add").getAttribute("href"), "/channels/new");
    await shot(page, "-first-run");
    await page.getByTestId("new-monitor").click();
    await page.getByTestId("form-name").waitFor();
    await page.getByTestId("first-run-hint").waitFor();

    // The Channels page, beside Users, is empty; its form is generated from the webhook type's fields.
    await page.getByTestId("nav-channels").click();
    await page.getByTestId("channels-empty").waitFor();
    await page.getByTestId("new-channel").click();
    await page.getByTestId("channel-field-url").waitFor();
    assert.equal(await page.getByTestId("channel-form-type").inputValue(), "webhook");
    // Secret fields are password inputs; "headers" (a record) is a textarea.
    assert.equal(await page.getByTestId("channel-field-secret").getAttribute("type"), "password");
    assert.equal(await page.getByTestId("channel-field-headers").evaluate((e) => e.tagName), "TEXTAREA");
    // The form is the type's: switching to Telegram asks for a bot token and a chat, and back.
    await page.getByTestId("channel-form-type").selectOption("telegram");
    await page.getByTestId("channel-field-botToken").waitFor();
    assert.equal(await page.getByTestId("channel-field-url").count(), 0);
    await page.getByTestId("channel-form-type").selectOption("webhook");

    // A required field left empty is refused under it, before any request.
    await page.getByTestId("channel-form-name").fill("ops hook");
    await page.getByTestId("channel-form-save").click();
    await page.getByTestId("channel-error-url").waitFor();
    // A bad value is refused by the server, under its field.
    await page.getByTestId("channel-field-url").fill("not a url");
    await page.getByTestId("channel-form-save").click();
    await page.waitForFunction(() =>
      /url/i.test((globalThis as any).document.querySelector('[data-testid="channel-error-url"]')?.textContent ?? ""),
    );
    assert.equal((await a.call("GET", "/api/v1/channels")).body.total, 0, "nothing saved");

    await page.getByTestId("channel-field-url").fill(`${rx.url}/hook?token=${URL_TOKEN}`);
    await page.getByTestId("channel-field-secret").fill(HMAC_KEY);
    await page.getByTestId("channel-field-headers").fill(`Authorization: ${HEADER_VALUE}`);
    await page.getByTestId("channel-form-locale").selectOption("zh-Hans");
    await shot(page, "-form");
    await page.getByTestId("channel-form-save").click();

    // Saved: its page, with an empty log.
    await page.getByTestId("channel-log-empty").waitFor();
    const created = (await a.call("GET", "/api/v1/channels")).body.items[0];
    assert.equal(created.name, "ops hook");
    assert.equal(created.type, "webhook");
    assert.equal(created.locale, "zh-Hans");
    assert.deepEqual(created.events, ["down", "up", "failure"]);
    assert.deepEqual(created.config, { url: "********", secret: "********", headers: "********" });
    await noSecretsIn(page, "the channel's page");

    // Send test: the receiver gets it, signed with the key; the page says ok and how long it took.
    const before = rx.requests.length;
    await page.getByTestId("channel-test").click();
    await page.locator('[data-testid="channel-test-result"][data-ok="true"]').waitFor();
    const line = await page.getByTestId("channel-test-result").innerText();
    assert.match(line, /Test delivered/);
    assert.match(await page.getByTestId("channel-test-duration").innerText(), /^\d+(\.\d)? (ms|s)$/);
    const got = rx.requests.slice(before).find((r) => r.json?.event === "test");
    assert.ok(got, "the receiver got the test");
    assert.ok(got.path.includes(URL_TOKEN));
    assert.equal(got.headers.authorization, HEADER_VALUE);
    assert.ok(
      verifySignature(
        HMAC_KEY,
        String(got.headers["x-heartbeats-timestamp"]),
        got.raw,
        String(got.headers["x-heartbeats-signature"]),
      ),
      "signed with the key typed into the form",
    );
    t.diagnostic(`test: ${line}`);

    // The list: type, events, flags, language, no delivery yet; the hint is gone from the monitors.
    await page.getByTestId("nav-channels").click();
    const row = page.locator(`[data-testid="channel-row"][data-channel-id="${created.id}"]`);
    await row.waitFor();
    assert.equal((await row.getByTestId("channel-type").innerText()).trim(), "Webhook");
    assert.equal(await row.getByTestId("channel-enabled").getAttribute("data-enabled"), "true");
    assert.match(await row.getByTestId("channel-events").innerText(), /down, up, failure/);
    assert.match(await row.getByTestId("channel-locale").innerText(), /中文/);
    await page.getByTestId("nav-channels").waitFor();
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/api/v1/channels") && r.ok()),
      page.locator("nav a", { hasText: "Monitors" }).click(),
    ]);
    await page.locator("h1", { hasText: "Monitors" }).waitFor();
    await page.waitForTimeout(200); // the answer rendered
    assert.equal(await page.getByTestId("first-run-hint").count(), 0, "an enabled channel exists now");

    // A monitor on it, through the form: never pinged, it goes down 3 s after it is made.
    await page.getByTestId("new-monitor").click();
    await page.getByTestId("form-name").fill("nightly-db");
    await page.getByTestId("form-kind-interval").click();
    await page.getByTestId("form-period").fill("2");
    await page.getByTestId("form-grace").fill("1");
    await page.getByTestId("form-channels").click();
    await page.getByRole("option", { name: /ops hook/ }).click();
    await page.keyboard.press("Escape");
    assert.equal(await page.getByTestId("first-run-hint").count(), 0, "the form has the channels: no hint");
    await page.getByTestId("form-save").click();
    const made = Date.now();
    const monitor = await eventually(
      async () => (await a.call("GET", "/api/v1/monitors")).body.items.find((m: any) => m.name === "nightly-db"),
      10_000,
      "the monitor saved",
    );
    assert.deepEqual(monitor.channels, [created.id]);

    // The down alert reaches the receiver, and the channel's log shows it delivered.
    await page.goto(`${base}/channels/${created.id}`);
    const delivered = page.locator('[data-testid="delivery-row"][data-state="sent"][data-event="down"]');
    await delivered.waitFor({ timeout: 30_000 });
    t.diagnostic(`down delivery shown in the log ${Date.now() - made} ms after the monitor was saved`);
    assert.equal((await delivered.getByTestId("delivery-monitor").innerText()).trim(), "nightly-db");
    assert.equal((await delivered.getByTestId("delivery-attempts").innerText()).trim(), "1");
    assert.match(await delivered.innerText(), /delivered/);
    const alert = rx.requests.find((r) => r.json?.event === "down");
    assert.equal(alert?.json.monitor.name, "nightly-db");
    assert.equal(alert?.json.locale, "zh-Hans", "in the channel's language");
    await shot(page, "-log");

    // The list says so too: the last delivery's state and time.
    await page.getByTestId("nav-channels").click();
    await page
      .locator(`[data-testid="channel-row"][data-channel-id="${created.id}"] [data-testid="delivery-state"]`)
      .waitFor();
    assert.match(await row.getByTestId("channel-last").innerText(), /delivered/);
    await shot(page, "");

    // Editing: each secret reads "set", with no input and no value in the page.
    await row.getByTestId("channel-edit").click();
    await page.getByTestId("channel-secret-set").first().waitFor();
    assert.deepEqual(
      await page.getByTestId("channel-secret-set").evaluateAll((els) => els.map((e) => e.getAttribute("data-field"))),
      ["url", "headers", "secret"],
    );
    for (const f of ["url", "headers", "secret"]) assert.equal(await page.getByTestId(`channel-field-${f}`).count(), 0);
    await noSecretsIn(page, "the edit form");
    // "Replace" opens an empty input; "keep" goes back to the stored one.
    await page.getByTestId("channel-secret-replace-secret").click();
    assert.equal(await page.getByTestId("channel-field-secret").inputValue(), "");
    await page.getByTestId("channel-secret-keep-secret").click();
    await page.getByTestId("channel-form-name").fill("ops hook 2");
    const patch = page.waitForRequest((r) => r.method() === "PATCH" && r.url().includes("/api/v1/channels/"));
    await page.getByTestId("channel-form-save").click();
    const sent = JSON.parse((await patch).postData() ?? "{}");
    assert.ok(
      !("url" in sent.config) && !("secret" in sent.config) && !("headers" in sent.config),
      "kept secrets not sent",
    );
    await page.locator('[data-testid="channel-detail-name"]', { hasText: "ops hook 2" }).waitFor();
    const tested = await a.call("POST", `/api/v1/channels/${created.id}/test`);
    assert.equal(tested.body.ok, true, "the kept secrets still work");
    assert.ok(rx.requests.at(-1)!.path.includes(URL_TOKEN));

    // Chinese: the same three pages.
    await switchLanguage(page);
    await page.locator("h2", { hasText: "投递记录" }).waitFor();
    await page.locator('[data-testid="delivery-row"]').first().waitFor();
    assert.match(await delivered.innerText(), /已送达/);
    await shot(page, "-log-zh");
    await page.getByTestId("nav-channels").click();
    await page.locator("h1", { hasText: "告警通知渠道" }).waitFor();
    assert.match(await row.getByTestId("channel-last").innerText(), /已送达/);
    await shot(page, "-zh");
    await row.getByTestId("channel-edit").click();
    await page.getByTestId("channel-secret-set").first().waitFor();
    assert.match(await page.getByTestId("channel-secret-set").first().innerText(), /已设置/);
    await shot(page, "-form-zh");
    await switchLanguage(page);

    // A receiver that answers 500: its test says failed, why, and how long it took.
    const spare = (
      await a.call("POST", "/api/v1/channels", { name: "spare", type: "webhook", config: { url: `${rx.url}/broken` } })
    ).body;
    await page.getByTestId("nav-channels").click();
    const spareRow = page.locator(`[data-testid="channel-row"][data-channel-id="${spare.id}"]`);
    await spareRow.getByTestId("channel-test").click();
    const failed = spareRow.locator('[data-testid="channel-test-result"][data-ok="false"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /Test failed: .*500/);
    assert.match(await failed.getByTestId("channel-test-duration").innerText(), /^\d+(\.\d)? (ms|s)$/);

    // Deleting asks first: cancel keeps it, confirm deletes it.
    await spareRow.getByTestId("channel-delete").click();
    await page.getByTestId("cancel").click();
    await page.locator("mat-dialog-container").waitFor({ state: "detached" });
    assert.equal((await a.call("GET", `/api/v1/channels/${spare.id}`)).status, 200, "cancel keeps it");
    await spareRow.getByTestId("channel-delete").click();
    await page.getByTestId("confirm").click();
    await spareRow.waitFor({ state: "detached" });
    assert.equal((await a.call("GET", `/api/v1/channels/${spare.id}`)).status, 404);
  },
);

test("a channel made inside the monitor form's picker is selected in it", { skip, timeout: 120_000 }, async () => {
  const { page, base } = sys();
  const a = api(base, admin);
  await page.goto(`${base}/monitors/new`);
  await page.getByTestId("form-name").fill("picker-made");
  await page.getByTestId("form-kind-interval").click();
  await page.getByTestId("form-period").fill("3600");
  await page.getByTestId("form-grace").fill("60");
  await page.getByTestId("form-new-channel").click();
  const dialog = page.getByTestId("channel-dialog");
  await dialog.getByTestId("channel-field-url").waitFor();
  await dialog.getByTestId("channel-form-name").fill("from the form");
  await dialog.getByTestId("channel-field-url").fill(`${rx.url}/hook?token=${URL_TOKEN}`);
  await dialog.getByTestId("channel-form-save").click();
  await dialog.waitFor({ state: "detached" });
  const made = (await a.call("GET", "/api/v1/channels")).body.items.find((c: any) => c.name === "from the form");
  assert.ok(made, "the dialog created the channel");
  assert.match(await page.getByTestId("form-channels").innerText(), /from the form/, "selected in the picker");
  await page.getByTestId("form-save").click();
  const monitor = await eventually(
    async () => (await a.call("GET", "/api/v1/monitors")).body.items.find((m: any) => m.name === "picker-made"),
    10_000,
    "the monitor saved",
  );
  assert.deepEqual(monitor.channels, [made.id]);
});
