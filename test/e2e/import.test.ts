// Import from the original Django tool's MariaDB database and from a healthchecks.io checks
// listing, into real Heartbeats databases (SQLite file and MariaDB), then the real server
// accepts the old ping lines for the imported monitors.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { needs, scratchDatabase } from "../support/services.ts";
import { freePort, startProcess, stopProcess, waitReady, eventually, ROOT, type Proc } from "../support/system.ts";
import { api, type Api } from "../support/api.ts";
import { runCli } from "../support/cli.ts";

const ADMIN: [string, string] = ["root", "correct horse battery"];
const SMTP = {
  SMTP_URL: "smtp://relay.example.org:587",
  ALERT_TO: "ops@example.org",
  ALERT_FROM: "heartbeats@example.org",
};

// The original tool's schema, as its Django migrations leave it (app/models.py).
const ORIGINAL_SCHEMA = [
  `CREATE TABLE tag (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL UNIQUE, created datetime(6) NOT NULL, updated datetime(6) NOT NULL)`,
  `CREATE TABLE service (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200) NOT NULL UNIQUE, status varchar(20) NOT NULL, tp varchar(20) NOT NULL,
     value varchar(200) NOT NULL, notify_to longtext NOT NULL, grace int NOT NULL, short_url varchar(200) NULL UNIQUE,
     created datetime(6) NOT NULL, updated datetime(6) NOT NULL)`,
  `CREATE TABLE service_tags (id int AUTO_INCREMENT PRIMARY KEY, service_id int NOT NULL, tag_id int NOT NULL, UNIQUE (service_id, tag_id),
     FOREIGN KEY (service_id) REFERENCES service (id), FOREIGN KEY (tag_id) REFERENCES tag (id))`,
  `CREATE TABLE ping (id int AUTO_INCREMENT PRIMARY KEY, remote_addr char(39) NULL, ua varchar(200) NOT NULL, data longtext NOT NULL,
     created datetime(6) NOT NULL, service_id int NOT NULL, FOREIGN KEY (service_id) REFERENCES service (id))`,
];

// id, name, status, tp, value, grace, notify_to, short_url
const SERVICES: [number, string, string, string, string, number, string, string | null][] = [
  [1, "backup-db", "running", "every", "60", 5, "ops@example.org;dba@example.org", "aB3xZ"],
  [2, "daily-report", "running", "at", "16:05", 30, "ops@example.org", "Q9k2m"],
  [3, "old-sync", "stoped", "every", "10", 0, "", "zz_-1"],
  [4, "late-night", "running", "at", "23:50", 30, "not-an-address;", "Lt7Nn"],
  [5, "broken", "running", "every", "soon", 5, "", "brk01"],
  [6, "no-code", "running", "every", "5", 1, "", null],
];

async function buildOriginal(url: string): Promise<void> {
  const c = await mysql.createConnection({ uri: url, timezone: "Z" });
  for (const sql of ORIGINAL_SCHEMA) await c.query(sql);
  const now = "2026-03-01 00:00:00";
  for (const s of SERVICES)
    await c.query(
      "INSERT INTO service (id, name, status, tp, value, grace, notify_to, short_url, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      [...s, now, now],
    );
  await c.query(
    "INSERT INTO tag (id, name, created, updated) VALUES (1, 'prod', ?, ?), (2, 'DB', ?, ?), (3, 'reports', ?, ?)",
    [now, now, now, now, now, now],
  );
  await c.query("INSERT INTO service_tags (service_id, tag_id) VALUES (1, 1), (1, 2), (2, 3), (2, 1)");
  await c.query(
    `INSERT INTO ping (service_id, remote_addr, ua, data, created) VALUES
      (1, '10.0.0.5', 'curl/7.58.0', '', '2026-03-01 01:00:00'),
      (1, '10.0.0.5', 'python-requests/2.18', 'disk full', '2026-03-01 02:00:00'),
      (1, '10.0.0.6', 'curl/7.58.0', '', '2026-03-01 03:00:00'),
      (2, '10.0.0.7', 'curl/7.58.0', '', '2026-03-01 08:05:00')`,
  );
  await c.end();
}

/** Runs the real server on a database, for the duration of `work`. */
async function withServer(
  databaseUrl: string,
  dir: string,
  work: (a: Api, base: string) => Promise<void>,
): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc: Proc = startProcess("server", {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: ADMIN[0],
    ADMIN_PASSWORD: ADMIN[1],
    SECRET_KEY: "import-test-secret-key-0123456789",
    ...SMTP,
  });
  try {
    await waitReady(`${base}/readyz`, [proc]);
    await work(api(base, ADMIN), base);
  } finally {
    await stopProcess(proc);
  }
  void dir;
}

const byCode = (items: { code: string }[]) => new Map(items.map((m) => [m.code, m as any]));

const skip = await needs(["mariadb"]);

describe("import from the original tool's MariaDB database", { skip, timeout: 240_000 }, () => {
  let original: Awaited<ReturnType<typeof scratchDatabase>>;
  let target: Awaited<ReturnType<typeof scratchDatabase>>;
  let dir: string;

  before(async () => {
    original = await scratchDatabase();
    target = await scratchDatabase();
    await buildOriginal(original.url);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-import-"));
  });
  after(async () => {
    await original?.drop();
    await target?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const kind of ["sqlite", "mariadb"] as const) {
    it(`maps every kind of service into ${kind}, keeps the codes, twice creates nothing new, and the old ping line works`, async () => {
      const databaseUrl = kind === "sqlite" ? `sqlite:${path.join(dir, "heartbeats.sqlite")}` : target.url;
      const env = { DATABASE_URL: databaseUrl, SECRET_KEY: "import-test-secret-key-0123456789", ...SMTP };
      const first = await runCli("bin/import.ts", ["heartbeats-mysql", "--url", original.url, "--pings"], env);
      assert.equal(first.code, 0, first.stderr + first.stdout);
      assert.match(first.stdout, /^created\tmonitor "backup-db" \(code aB3xZ\)$/m);
      assert.match(first.stdout, /^created\tchannel "Email dba@example.org"$/m);
      assert.match(
        first.stdout,
        /^skipped\tmonitor "service #5 \\"broken\\"": value "soon" is not a number of minutes$/m,
      );
      assert.match(first.stdout, /^skipped\tmonitor "service #6 \\"no-code\\"": it has no short_url/m);
      assert.match(
        first.stdout,
        /^skipped\tchannel "service #4 \\"late-night\\" notify_to \\"not-an-address\\"": not an email address$/m,
      );
      assert.match(first.stdout, /^6 created, 0 already present, 3 skipped$/m);
      assert.doesNotMatch(first.stdout + first.stderr, /relay\.example\.org/, "the SMTP URL is a secret");

      const second = await runCli("bin/import.ts", ["heartbeats-mysql", "--url", original.url, "--pings"], env);
      assert.equal(second.code, 0, second.stderr);
      assert.match(second.stdout, /^0 created, 6 already present, 3 skipped$/m);

      await withServer(databaseUrl, dir, async (a, base) => {
        const list = await a.call("GET", "/api/v1/monitors?limit=100");
        assert.equal(list.status, 200);
        assert.equal(list.body.total, 4, "one monitor per usable service, none twice");
        const m = byCode(list.body.items);
        assert.deepEqual(m.get("aB3xZ").schedule, { kind: "interval", periodSeconds: 3600, graceSeconds: 300 });
        assert.deepEqual(m.get("aB3xZ").tags, ["db", "prod"]);
        assert.deepEqual(m.get("Q9k2m").schedule, {
          kind: "cron",
          expression: "5 16 * * *",
          timezone: "Asia/Shanghai",
          dialect: "cron",
          graceSeconds: 1800,
          deadline: "grace",
        });
        assert.equal(m.get("Q9k2m").status, "new");
        assert.equal(m.get("zz_-1").status, "paused", "stoped is paused");
        assert.equal(m.get("Lt7Nn").schedule.deadline, "end-of-day", "23:50 + 30 min reaches past midnight");
        assert.deepEqual(m.get("Lt7Nn").channels, []);

        const channels = await a.call("GET", "/api/v1/channels");
        const emails = new Map<string, any>(
          channels.body.items.filter((c: any) => c.managedBy === null).map((c: any) => [c.config.to.join(), c]),
        );
        assert.deepEqual(
          [...emails.keys()].sort(),
          ["dba@example.org", "ops@example.org"],
          "one channel per address, shared",
        );
        assert.equal(emails.get("ops@example.org").config.url, "********");
        assert.deepEqual(
          m.get("aB3xZ").channels.sort(),
          [emails.get("dba@example.org").id, emails.get("ops@example.org").id].sort(),
        );
        assert.deepEqual(m.get("Q9k2m").channels, [emails.get("ops@example.org").id]);

        const pings = await a.call("GET", `/api/v1/monitors/${m.get("aB3xZ").id}/pings`);
        assert.equal(pings.body.total, 3);
        assert.deepEqual(
          pings.body.items.map((p: any) => [p.kind, p.data, p.receivedAt, p.sourceIp]),
          [
            ["success", null, "2026-03-01T03:00:00.000Z", "10.0.0.6"],
            ["fail", "disk full", "2026-03-01T02:00:00.000Z", "10.0.0.5"],
            ["success", null, "2026-03-01T01:00:00.000Z", "10.0.0.5"],
          ],
        );

        // The original tool's own ping line, unchanged but for the host.
        const res = await fetch(`${base}/api/pings/?service=Q9k2m&data=`, {
          method: "POST",
          headers: { authorization: "Basic " + Buffer.from(ADMIN.join(":")).toString("base64") },
        });
        assert.equal(res.status, 200, await res.text());
        const after = await eventually(
          async () => {
            const r = await a.call("GET", `/api/v1/monitors/${m.get("Q9k2m").id}`);
            return r.body.status === "up" ? r.body : null;
          },
          10_000,
          "the imported monitor to go up",
        );
        assert.ok(after.lastPingAt);
      });
    });
  }

  it("a healthchecks.io listing: UUIDs stay the codes, cron with its zone, OnCalendar, paused, twice nothing new; /ping/<uuid> works", async () => {
    const databaseUrl = `sqlite:${path.join(dir, "hc.sqlite")}`;
    const file = path.join(ROOT, "test/fixtures/healthchecks-checks.json");
    const first = await runCli("bin/import.ts", ["healthchecks", "--file", file], { DATABASE_URL: databaseUrl });
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^3 created, 0 already present, 0 skipped$/m);
    const second = await runCli("bin/import.ts", ["healthchecks", "--file", file], { DATABASE_URL: databaseUrl });
    assert.match(second.stdout, /^0 created, 3 already present, 0 skipped$/m);

    await withServer(databaseUrl, dir, async (a, base) => {
      const m = byCode((await a.call("GET", "/api/v1/monitors")).body.items);
      const backups = m.get("31365bce-8da9-4729-8ff3-aaa71d56b712");
      assert.deepEqual(backups.schedule, { kind: "interval", periodSeconds: 86_400, graceSeconds: 900 });
      assert.deepEqual(backups.tags, ["prod", "www"]);
      assert.equal(backups.description, "Nightly database backup");
      const report = m.get("662ebe36-ecab-48db-afe3-e20029cb71e6");
      assert.deepEqual(report.schedule, {
        kind: "cron",
        expression: "0 8 * * 1-5",
        timezone: "America/New_York",
        dialect: "cron",
        graceSeconds: 3600,
        deadline: "grace",
      });
      const weekdays = m.get("9b1cbd9f-0d5a-4a4f-8d1e-52a8f1a2f0c4");
      assert.deepEqual(weekdays.schedule, {
        kind: "oncalendar",
        expressions: ["Mon..Fri 09:00"],
        timezone: "Europe/Riga",
        graceSeconds: 300,
        deadline: "grace",
      });
      assert.equal(weekdays.status, "new");
      assert.equal(report.status, "paused");
      const res = await fetch(`${base}/ping/31365bce-8da9-4729-8ff3-aaa71d56b712`, {
        headers: { authorization: "Basic " + Buffer.from(ADMIN.join(":")).toString("base64") },
      });
      assert.equal(res.status, 200);
      await eventually(
        async () => (await a.call("GET", `/api/v1/monitors/${backups.id}`)).body.status === "up",
        10_000,
        "the check to go up",
      );
    });
  });

  it("bad input names the field, exits non-zero and writes nothing", async () => {
    const databaseUrl = `sqlite:${path.join(dir, "bad.sqlite")}`;
    const bad = path.join(dir, "bad-checks.json");
    const check = (over: object) => ({
      name: "x",
      grace: 60,
      timeout: 3600,
      ping_url: `https://hc-ping.com/${crypto.randomUUID()}`,
      ...over,
    });
    fs.writeFileSync(bad, JSON.stringify({ checks: [check({}), check({ timeout: "hourly" })] }));
    const r1 = await runCli("bin/import.ts", ["healthchecks", "--file", bad], { DATABASE_URL: databaseUrl });
    assert.equal(r1.code, 1);
    assert.match(r1.stderr, /nothing imported: checks\[1\]\.timeout: must be a number of seconds/);

    // Well-formed but refused by the registry's own rules: the valid first check is not written either.
    fs.writeFileSync(
      bad,
      JSON.stringify({
        checks: [check({}), check({ timeout: undefined, schedule: "0 8 * * *", tz: "Mars/Olympus_Mons" })],
      }),
    );
    const r2 = await runCli("bin/import.ts", ["healthchecks", "--file", bad], { DATABASE_URL: databaseUrl });
    assert.equal(r2.code, 1);
    assert.match(r2.stderr, /monitors\[1\]\.schedule\.timezone: /);
    const exported = await runCli("bin/export.ts", [], { DATABASE_URL: databaseUrl });
    assert.deepEqual(JSON.parse(exported.stdout).monitors, []);
  });
});
