// Weekly reports end to end: the real server (bin/start.ts, SQLite) with a report schedule of
// every few seconds, a real SMTP server receiving the reports, and the monitors' real pings and
// flips as the report's source. One report per user and report time, across the notifier's many
// polls and a restart.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startSmtp, bodyText, type ReceivedMail, type TestSmtp } from "../support/smtp.ts";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import { computeReport, renderReport, type ReportFlip, type ReportPing } from "../../core/alerts/weekly-report.ts";

const ADMIN: [string, string] = ["root", "report-admin-pw"];
const ZONE = "Asia/Shanghai";
const skipMaria = await needs(["mariadb"]);
let smtp: TestSmtp;
let server: Server;
let env: Record<string, string>;
let base: string;
let client: Api;

before(async () => {
  smtp = await startSmtp();
  server = await startServer(
    "weekly-report",
    {
      SMTP_URL: smtp.url,
      ALERT_FROM: "heartbeats@test.local",
      ALERT_TO: "ops@test.local",
      WEEKLY_REPORT_CRON: "*/4 * * * * *",
      WEEKLY_REPORT_TIMEZONE: ZONE,
      NOTIFIER_POLL_MS: "300",
    },
    { admin: ADMIN },
  );
  ({ env, base, api: client } = server);
});

after(async () => {
  await server?.stop();
  await smtp?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function ping(code: string, signal = ""): Promise<void> {
  const res = await fetch(`${base}/ping/${code}${signal ? `/${signal}` : ""}`, {
    method: "POST",
    headers: { authorization: basic(...ADMIN) },
  });
  assert.equal(res.status, 200, await res.text());
}

const reportsTo = (address: string) => (mails: ReceivedMail[]) =>
  mails.filter((m) => m.to.includes(address) && m.subject.includes("Weekly report"));
const periodOf = (m: ReceivedMail) => Number(/^hb-report-\d+-(\d+)$/.exec(m.idempotencyKey ?? "")?.[1]);

test("the users API: a weekly report needs an e-mail address; bad input is a 422 naming the field", async () => {
  assert.equal(
    (await client.call("POST", "/api/v1/users", { username: "carol", password: "carol-password", role: "viewer" }))
      .status,
    201,
  );
  const noMail = await client.call("PATCH", "/api/v1/users/carol", { weeklyReport: true });
  assert.equal(noMail.status, 422);
  assert.match(JSON.stringify(noMail.body), /weeklyReport/);
  const badMail = await client.call("PATCH", "/api/v1/users/carol", { email: "not an address" });
  assert.equal(badMail.status, 422);
  assert.match(JSON.stringify(badMail.body), /email/);
  const ok = await client.call("PATCH", "/api/v1/users/carol", { email: "carol@test.local" });
  assert.equal(ok.status, 200);
  assert.deepEqual(
    [ok.body.email, ok.body.weeklyReport, ok.body.weeklyReportSentAt],
    ["carol@test.local", false, null],
  );
});

test("an opted-in user receives one report per report time, matching the monitors' pings and flips; others receive none", async () => {
  assert.equal(
    (await client.call("POST", "/api/v1/users", { username: "alice", password: "alice-password", role: "viewer" }))
      .status,
    201,
  );
  const mk = async (name: string) =>
    (
      await client.call("POST", "/api/v1/monitors", {
        name,
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 600 },
      })
    ).body as { id: number; code: string };
  const db = await mk("nightly-db");
  const sync = await mk("hourly-sync");
  // nightly-db: a timed run of over a second, a failure report (down), then a recovery 1.5 s later.
  await ping(db.code, "start");
  await sleep(1200);
  await ping(db.code);
  await ping(db.code, "start");
  await sleep(300);
  await ping(db.code, "fail");
  await sleep(1500);
  await ping(db.code);
  // hourly-sync: one short timed run, never down.
  await ping(sync.code, "start");
  await ping(sync.code);

  const optIn = await client.call("PATCH", "/api/v1/users/alice", { email: "alice@test.local", weeklyReport: true });
  assert.equal(optIn.status, 200, JSON.stringify(optIn.body));
  await smtp.waitFor((m) => reportsTo("alice@test.local")(m).length >= 1, 30_000, "alice's weekly report");
  const mail = reportsTo("alice@test.local")(smtp.mails)[0]!;
  const text = bodyText(mail.raw).replace(/\r\n/g, "\n");
  const period = periodOf(mail);
  assert.ok(period > Date.now() - 60_000, `the report time is in the idempotency key: ${mail.idempotencyKey}`);

  // What the API says happened, run through the report's rules for that report time.
  const monitors = [db, sync].map(async (m) => {
    const view = (await client.call("GET", `/api/v1/monitors/${m.id}`)).body;
    const flips: ReportFlip[] = (await client.call("GET", `/api/v1/monitors/${m.id}/flips`)).body.items.map(
      (f: any) => ({ monitorId: m.id, to: f.to, reason: f.reason, at: Date.parse(f.at) }),
    );
    const pings: ReportPing[] = (await client.call("GET", `/api/v1/monitors/${m.id}/pings`)).body.items.map(
      (p: any) => ({ monitorId: m.id, kind: p.kind, durationMs: p.durationMs, receivedAt: Date.parse(p.receivedAt) }),
    );
    return {
      monitor: { id: m.id, name: view.name, code: view.code, createdAt: Date.parse(view.createdAt) },
      flips,
      pings,
    };
  });
  const facts = await Promise.all(monitors);
  const expected = renderReport(
    computeReport(
      period,
      facts.map((f) => f.monitor),
      facts.flatMap((f) => f.flips),
      facts.flatMap((f) => f.pings),
    ),
    ZONE,
    "alice",
  );
  const lines = expected.text.split("\n");
  const block = (name: string) => {
    const i = lines.findIndex((l) => l.startsWith(`${name} (`));
    return lines.slice(i, i + 4).join("\n");
  };
  for (const name of ["nightly-db", "hourly-sync"])
    assert.ok(text.includes(block(name)), `report for ${name}:\n${block(name)}\n--- in ---\n${text}`);
  assert.equal(mail.subject, expected.subject);

  // The facts themselves, not only the rules: nightly-db failed once and was down, its slowest run is the 1.2 s one.
  const dbPings = facts[0]!.pings.filter((p) => p.durationMs !== null).sort((a, b) => b.durationMs! - a.durationMs!);
  assert.ok(dbPings[0]!.durationMs! >= 1200);
  const dbLine = new RegExp(
    `nightly-db \\(${db.code}\\)\\n  uptime (\\d+\\.\\d\\d) %, down [12]s\\n  failures: 1 failure reports, 1 times down\\n  slowest runs: ${dbPings[0]!.durationMs} ms`,
  ).exec(text);
  assert.ok(dbLine && Number(dbLine[1]) < 100, text);
  assert.match(
    text,
    new RegExp(
      `hourly-sync \\(${sync.code}\\)\\n  uptime 100\\.00 %, down 0s\\n  failures: 0 failure reports, 0 times down`,
    ),
  );

  // Many notifier polls (every 300 ms) later, and after a restart: never two reports for one report time.
  await sleep(5000);
  await server.restart();
  await smtp.waitFor(
    (m) => reportsTo("alice@test.local")(m).length >= 3,
    30_000,
    "more weekly reports after the restart",
  );
  await sleep(2000);
  const periods = reportsTo("alice@test.local")(smtp.mails).map(periodOf);
  assert.equal(new Set(periods).size, periods.length, `a report time was sent twice: ${periods.join(", ")}`);
  assert.ok(
    periods.every((p) => p % 4000 === 0),
    "report times follow the schedule",
  );
  // Only opted-in users: carol has an address but no opt-in, the admin has neither.
  assert.equal(
    smtp.mails.filter((m) => m.subject.includes("Weekly report") && !m.to.includes("alice@test.local")).length,
    0,
  );
  const users = (await client.call("GET", "/api/v1/users")).body.items;
  assert.ok(users.find((u: any) => u.username === "alice").weeklyReportSentAt, "last sent is recorded");
  console.log(
    `weekly reports to alice: ${periods.length}, report times ${periods.map((p) => new Date(p).toISOString().slice(11, 19)).join(", ")}`,
  );
});

test(
  "two notifiers on one MariaDB database: each report time still reaches the user once",
  { skip: skipMaria },
  async () => {
    const db = await scratchDatabase();
    const replicas: Proc[] = [];
    try {
      const ports = [await freePort(), await freePort()];
      const common = { ...env, DATABASE_URL: db.url, WEEKLY_REPORT_CRON: "*/3 * * * * *", NOTIFIER_POLL_MS: "200" };
      // The first migrates; the second joins.
      for (const [i, port] of ports.entries()) {
        const p = startProcess(`weekly-report-maria-${i}`, { ...common, PORT: String(port) });
        replicas.push(p);
        await waitReady(`http://127.0.0.1:${port}/readyz`, [p]);
      }
      const maria = api(`http://127.0.0.1:${ports[0]}`, ADMIN);
      assert.equal(
        (await maria.call("POST", "/api/v1/users", { username: "dave", password: "dave-password", role: "viewer" }))
          .status,
        201,
      );
      assert.equal(
        (await maria.call("PATCH", "/api/v1/users/dave", { email: "dave@test.local", weeklyReport: true })).status,
        200,
      );
      await smtp.waitFor((m) => reportsTo("dave@test.local")(m).length >= 4, 40_000, "four of dave's reports");
      await sleep(1500);
      const mails = reportsTo("dave@test.local")(smtp.mails);
      const periods = mails.map(periodOf);
      assert.equal(new Set(periods).size, periods.length, `a report time was sent twice: ${periods.join(", ")}`);
      console.log(`two notifiers: ${periods.length} reports to dave, no report time twice`);
    } finally {
      await Promise.all(replicas.map((p) => stopProcess(p)));
      await db.drop();
    }
  },
);
