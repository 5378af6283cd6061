// Run rules (issue 18) end to end on the real system: real pings over HTTP with real run times and
// gaps, and every alert delivered through two real channels, a webhook to a node:http receiver and
// an email to an SMTP server (smtp-server), each counted to be exactly one. On both runs
// (test/support/both-runs.ts): embedded on SQLite, and distributed on MariaDB + NATS.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startReceiver, type Receiver, type ReceivedRequest } from "../support/receiver.ts";
import { startSmtp, bodyText, type TestSmtp, type ReceivedMail } from "../support/smtp.ts";
import { eventually } from "../support/system.ts";
import { api, monitorsOf, type Api, type MonitorBody } from "../support/api.ts";
import { onBothRuns } from "../support/both-runs.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let rx: Receiver;
let smtp: TestSmtp;

before(async () => {
  rx = await startReceiver();
  smtp = await startSmtp();
});

after(async () => {
  await rx?.close();
  await smtp?.close();
});

interface System {
  a: Api;
  /** the receiver path of this system's webhook channel, and the mailbox of its email channel */
  hook: string;
  mailbox: string;
  channels: number[];
}

async function withChannels(base: string, name: string): Promise<System> {
  const a = api(base, admin);
  const hook = `/hook-${name}`;
  const mailbox = `ops-${name}@test.local`;
  const web = await a.call("POST", "/api/v1/channels", {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}${hook}` },
  });
  assert.equal(web.status, 201, JSON.stringify(web.body));
  const mail = await a.call("POST", "/api/v1/channels", {
    name: "mail",
    type: "email",
    config: { host: "127.0.0.1", port: smtp.port, security: "none", from: "hb@test.local", to: [mailbox] },
  });
  assert.equal(mail.status, 201, JSON.stringify(mail.body));
  return { a, hook, mailbox, channels: [web.body.id, mail.body.id] };
}

await onBothRuns(
  "run rules",
  "rr",
  {
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    PING_AUTH: "none",
    NOTIFIER_POLL_MS: "200",
    CHANNEL_TIMEOUT_MS: "2000",
    ALLOW_PRIVATE_WEBHOOKS: "true",
  },
  (running, kind) => {
    let sys: System;
    before(async () => {
      sys = await withChannels(running().base, kind);
    });
    runRuleTests(() => sys);
  },
);

function runRuleTests(system: () => System): void {
  type Monitor = MonitorBody;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const monitors = () => monitorsOf(system().a, () => system().channels);
  const createMonitor = (body: Record<string, unknown>) => monitors().create(body);
  const ping = (m: Monitor, suffix = "") => monitors().ping(m, suffix);
  const get = (m: Monitor) => monitors().get(m);
  const hooksOf = (m: Monitor): ReceivedRequest[] =>
    rx.requests.filter((r) => r.path === system().hook && r.json?.monitor?.id === m.id);
  const mailsOf = (m: Monitor): ReceivedMail[] =>
    smtp.mails.filter((x) => x.to.includes(system().mailbox) && x.subject.includes(`: ${m.name} `));

  /** Waits for the alert on both channels, then checks that each got exactly one. */
  async function theAlert(m: Monitor, what: string): Promise<{ hook: ReceivedRequest; mail: ReceivedMail }> {
    const [hook] = await eventually(async () => (hooksOf(m).length ? hooksOf(m) : null), 15_000, `${what} (webhook)`);
    const [mail] = await eventually(async () => (mailsOf(m).length ? mailsOf(m) : null), 15_000, `${what} (email)`);
    await sleep(1500);
    assert.equal(hooksOf(m).length, 1, `one webhook alert for ${what}`);
    assert.equal(mailsOf(m).length, 1, `one email for ${what}`);
    return { hook: hook!, mail: mail! };
  }

  test("failureRate {3, 5}: 3 failures in 5 runs, never 3 in a row, bring the monitor down once", async () => {
    const m = await createMonitor({ name: "rate-flaky", failureThreshold: 3, failureRate: { failures: 3, runs: 5 } });
    assert.deepEqual(m.failureRate, { failures: 3, runs: 5 });
    for (const s of ["", "/fail", "", "/fail", ""]) await ping(m, s);
    const mid = await get(m);
    assert.deepEqual([mid.status, mid.rateWindow], ["up", { runs: 5, failed: 2 }]);
    await sleep(800);
    assert.equal(hooksOf(m).length + mailsOf(m).length, 0, "two of five raise nothing");
    await ping(m, "/fail");
    const { hook, mail } = await theAlert(m, "the failure-rate alert");
    assert.equal(hook.json.event, "down");
    assert.equal(hook.json.flip.reason, "failure-rate");
    assert.deepEqual(hook.json.rule.failureRate, { failures: 3, runs: 5 });
    assert.match(hook.json.subject, /DOWN: rate-flaky — 3 of the last 5 runs failed/);
    assert.match(mail.subject, /DOWN: rate-flaky — 3 of the last 5 runs failed/);
    const after = await get(m);
    assert.deepEqual([after.status, after.consecutiveFailures], ["down", 1]);
    // Failing on while down: no new alert (one alert per change).
    await ping(m, "/fail");
    await sleep(1000);
    assert.equal(hooksOf(m).length, 1);
    assert.equal(mailsOf(m).length, 1);
  });

  test("failureRate {2, 3} counts missed runs: the checker brings the monitor down once, below the threshold", async () => {
    const m = await createMonitor({
      name: "rate-missed",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
      failureThreshold: 5,
      failureRate: { failures: 2, runs: 3 },
    });
    await ping(m);
    const { hook, mail } = await theAlert(m, "the failure-rate alert of missed runs");
    assert.equal(hook.json.event, "down");
    assert.equal(hook.json.flip.reason, "failure-rate");
    assert.match(mail.subject, /DOWN: rate-missed — 2 of the last 3 runs failed/);
    const after = await get(m);
    assert.deepEqual([after.status, after.consecutiveFailures, after.rateWindow], ["down", 2, { runs: 3, failed: 2 }]);
    // Recovery as today (recoveryThreshold 1), and the rate counts afresh.
    await ping(m);
    const up = await eventually(async () => hooksOf(m).find((r) => r.json.event === "up"), 15_000, "the recovery");
    assert.equal(up.json.flip.reason, "ping");
    assert.deepEqual((await get(m)).rateWindow, { runs: 0, failed: 0 });
  });

  test("minRunSeconds 5: a 1 s run is a too-fast failure report, alerted once", async () => {
    const m = await createMonitor({ name: "too-quick", minRunSeconds: 5 });
    await ping(m, "/start");
    await sleep(1000);
    await ping(m);
    const { hook, mail } = await theAlert(m, "the too-fast alert");
    assert.equal(hook.json.event, "failure");
    assert.equal(hook.json.flip.reason, "too-fast");
    assert.equal(hook.json.rule.minRunSeconds, 5);
    assert.ok(hook.json.run.durationMs >= 1000 && hook.json.run.durationMs < 5000, JSON.stringify(hook.json.run));
    assert.match(hook.json.subject, /FAILED: too-quick — ran 1\.\ds; at least 5s expected/);
    assert.match(mail.subject, /FAILED: too-quick — ran 1\.\ds; at least 5s expected/);
    assert.match(bodyText(mail.raw), /a run finished sooner than its minimum run time/);
    assert.equal((await get(m)).status, "down");
  });

  test("minGapSeconds 10: two pings 1 s apart are a too-often failure report, alerted once", async () => {
    const m = await createMonitor({ name: "too-eager", minGapSeconds: 10 });
    await ping(m);
    await sleep(1000);
    await ping(m);
    const { hook, mail } = await theAlert(m, "the too-often alert");
    assert.equal(hook.json.event, "failure");
    assert.equal(hook.json.flip.reason, "too-often");
    assert.equal(hook.json.rule.minGapSeconds, 10);
    assert.ok(hook.json.rule.previousRunAt, "the previous run's time");
    assert.match(hook.json.subject, /FAILED: too-eager — ran again after 1\.\ds; at least 10s apart expected/);
    assert.match(mail.subject, /ran again after 1\.\ds/);
    assert.match(bodyText(mail.raw), /Previous run/);
  });

  test("reportUnexpectedRuns: a cron monitor's ping twelve hours off its schedule is alerted once", async () => {
    const hour = (new Date().getUTCHours() + 12) % 24;
    const m = await createMonitor({
      name: "off-schedule",
      schedule: { kind: "cron", expression: `0 ${hour} * * *`, timezone: "UTC", graceSeconds: 60 },
      reportUnexpectedRuns: true,
    });
    await ping(m);
    const { hook, mail } = await theAlert(m, "the unexpected-run alert");
    assert.equal(hook.json.event, "failure");
    assert.equal(hook.json.flip.reason, "unexpected-run");
    assert.match(mail.subject, /FAILED: off-schedule — a run came at no scheduled time/);
  });

  test("run rules: bad values are a 422 naming the field; PATCH sets, keeps and clears them", async () => {
    const { a } = system();
    for (const [field, bad] of [
      ["failureRate.failures", { failureRate: { failures: 6, runs: 5 } }],
      ["minGapSeconds", { minGapSeconds: 0 }],
      ["minRunSeconds", { minRunSeconds: 1.5 }],
      ["reportUnexpectedRuns", { reportUnexpectedRuns: "yes" }],
    ] as const) {
      const res = await a.call("POST", "/api/v1/monitors", {
        name: "bad",
        schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 10 },
        ...bad,
      });
      assert.equal(res.status, 422, JSON.stringify(res.body));
      assert.ok(JSON.stringify(res.body).includes(field), `${field}: ${JSON.stringify(res.body)}`);
    }
    // PATCH sets and clears them; the rate's counted runs start afresh when it changes.
    const m = await createMonitor({ name: "patched", failureRate: { failures: 2, runs: 4 } });
    await ping(m, "/fail");
    assert.deepEqual((await get(m)).rateWindow, { runs: 1, failed: 1 });
    const same = await a.call("PATCH", `/api/v1/monitors/${m.id}`, { failureRate: { failures: 2, runs: 4 } });
    assert.deepEqual(same.body.rateWindow, { runs: 1, failed: 1 }, "the same rate keeps its runs");
    const set = await a.call("PATCH", `/api/v1/monitors/${m.id}`, {
      failureRate: { failures: 3, runs: 5 },
      minRunSeconds: 30,
      minGapSeconds: 600,
      reportUnexpectedRuns: true,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.deepEqual(
      [set.body.failureRate, set.body.minRunSeconds, set.body.minGapSeconds, set.body.reportUnexpectedRuns],
      [{ failures: 3, runs: 5 }, 30, 600, true],
    );
    assert.deepEqual(set.body.rateWindow, { runs: 0, failed: 0 });
    const off = await a.call("PATCH", `/api/v1/monitors/${m.id}`, { failureRate: null, minRunSeconds: null });
    assert.deepEqual([off.body.failureRate, off.body.rateWindow, off.body.minRunSeconds], [null, null, null]);
  });
}
