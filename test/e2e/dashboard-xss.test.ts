// Stored XSS in the dashboard, in real Chromium: every field a user controls (monitor name,
// description and tags, ping data and failure text, channel names, monitor names in a channel's
// delivery log, host names and checks, user names) is stored with HTML and script payloads,
// then every page that shows it is opened. The payload must be shown as text: no element it
// describes exists in the page, no script of it ran, and the Content-Security-Policy never had
// to block one (so the escaping, not only the CSP, is what stops it).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { api, basic, type Api } from "../support/api.ts";
import {
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const skip = chromiumUnavailable();
const PAYLOADS = [
  `<img src=x onerror="window.__xss=(window.__xss||0)+1" data-xss>`,
  `"><svg data-xss onload="window.__xss=1">`,
  `<script data-xss>window.__xss=1</script>`,
  `javascript:window.__xss=1`,
  `{{constructor.constructor('window.__xss=1')()}}`,
];
const P = PAYLOADS.join(" ");

let sys: DashboardSystem | undefined;
let base: string;
let a: Api;
let page: Page;
const violations: string[] = [];

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-xss", admin);
  ({ base, page } = sys);
  a = api(base, admin);
  // Report CSP violations from inside the page: with proper escaping there are none to report.
  await page.addInitScript(() => {
    const g = globalThis as any;
    g.document.addEventListener("securitypolicyviolation", (e: any) =>
      (g.__csp ??= []).push(`${e.violatedDirective} ${e.sample}`),
    );
  });
  page.on("console", (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
});

after(() => stopDashboardSystem(sys));

async function assertInert(where: string, mustShow?: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  const state = await page.evaluate(() => {
    const g = globalThis as any;
    return {
      xss: g.__xss ?? null,
      csp: g.__csp ?? [],
      injected: g.document.querySelectorAll("[data-xss]").length as number,
      text: g.document.body.innerText as string,
    };
  });
  assert.equal(state.xss, null, `${where}: a payload ran`);
  assert.equal(state.injected, 0, `${where}: a payload became an element`);
  assert.deepEqual(state.csp, [], `${where}: the CSP had to block something`);
  if (mustShow)
    assert.ok(state.text.includes(mustShow), `${where}: the payload is shown as text (${mustShow.slice(0, 40)}…)`);
}

test(
  "every user-controlled field is shown as text on every page, and nothing runs",
  { skip, timeout: 180_000 },
  async () => {
    const ch = await a.call("POST", "/api/v1/channels", {
      name: `hook ${PAYLOADS[0]}`,
      type: "webhook",
      config: { url: "https://example.org/hook" },
    });
    assert.equal(ch.status, 201, JSON.stringify(ch.body));
    const m = await a.call("POST", "/api/v1/monitors", {
      name: `backup ${PAYLOADS[0]}`,
      description: P,
      tags: ["<b>bold</b>", 'x"><svg/onload=1>'],
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      channels: [ch.body.id],
    });
    assert.equal(m.status, 201, JSON.stringify(m.body));
    // Ping data and a failure report carry the payloads too.
    await fetch(`${base}/ping/${m.body.code}`, {
      method: "POST",
      headers: { authorization: basic(...admin) },
      body: P,
    });
    await fetch(`${base}/api/pings/?service=${m.body.code}&data=${encodeURIComponent(P)}`, {
      method: "POST",
      headers: { authorization: basic(...admin) },
    });
    const host = await a.call("POST", "/api/v1/hosts", {
      name: `db ${PAYLOADS[1]}`,
      address: "127.0.0.1",
      port: 1,
      username: "monitor",
      enabled: false,
      checks: ["process:<script>x</script> >= 1"],
      privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
    });
    assert.equal(host.status, 201, JSON.stringify(host.body));
    // A maintenance window covering the monitor: its name on its page and as the monitor's badge.
    const now = Date.now();
    const win = await a.call("POST", "/api/v1/maintenance", {
      name: `deploy ${PAYLOADS[0]}`,
      rule: {
        kind: "once",
        startsAt: new Date(now - 60_000).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
      },
      monitorIds: [m.body.id],
      tags: ["<b>bold</b>"],
    });
    assert.equal(win.status, 201, JSON.stringify(win.body));
    // User names are restricted to a safe alphabet: the payload is refused at the door.
    const user = await a.call("POST", "/api/v1/users", {
      username: PAYLOADS[0],
      password: "a long password 1",
      role: "viewer",
    });
    assert.equal(user.status, 422);

    await logIn(page, base, admin);
    await page.getByTestId("monitor-row").first().waitFor();
    await assertInert("monitors list", `backup ${PAYLOADS[0]}`);
    await page.goto(`${base}/monitors/${m.body.id}`);
    await assertInert("monitor detail", "<script data-xss>");
    await page.goto(`${base}/monitors/${m.body.id}/edit`);
    await assertInert("monitor form", `hook ${PAYLOADS[0]}`);
    await page.goto(`${base}/monitors/new`);
    await page.getByTestId("form-channels").click();
    await assertInert("new monitor form, channels open", `hook ${PAYLOADS[0]}`);
    await page.keyboard.press("Escape");
    await page.goto(`${base}/hosts`);
    await assertInert("hosts list", `db ${PAYLOADS[1]}`);
    await page.goto(`${base}/hosts/${host.body.id}`);
    await assertInert("host detail");
    await page.goto(`${base}/hosts/${host.body.id}/edit`);
    await assertInert("host form");
    await page.goto(`${base}/users`);
    await assertInert("users");
    await page.goto(`${base}/maintenance`);
    await assertInert("maintenance", `deploy ${PAYLOADS[0]}`);
    await page.goto(`${base}/channels`);
    await assertInert("channels", `hook ${PAYLOADS[0]}`);
    // The failure report's delivery names the monitor in the channel's log.
    await page.goto(`${base}/channels/${ch.body.id}`);
    await page.getByTestId("delivery-row").first().waitFor();
    await assertInert("channel's delivery log", `backup ${PAYLOADS[0]}`);
    await page.goto(`${base}/channels/${ch.body.id}/edit`);
    await assertInert("channel form");
    // Search with a payload in the URL (reflected, not stored): still text.
    await page.goto(`${base}/monitors?q=${encodeURIComponent(PAYLOADS[0])}`);
    await assertInert("monitors search");
    assert.deepEqual(violations, []);
  },
);
