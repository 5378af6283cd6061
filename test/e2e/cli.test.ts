// The `heartbeats` command line as an operator meets it, in real processes: every command's
// --help and its refusal of a typo (exit 2, usage, no stack trace), --version, npm run's
// scripts, API keys made from the command line against a running server, import --dry-run
// against a real database (SQLite; MariaDB for the original tool's ping history), and both bins
// installed from the packed package.

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import mysql from "mysql2/promise";
import { eventually, ROOT } from "../support/system.ts";
import { startServer } from "../support/server.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import { runCli, type CliResult } from "../support/cli.ts";

const BIN = "bin/heartbeats.mjs";
const COMMANDS = ["start", "migrate", "user", "key", "import", "export", "run", "agent"];
const VERSION = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).version as string;
const STACK = /\n\s+at |TypeError|ERR_PARSE_ARGS/;

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-cli-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const hb = (args: string[], env: Record<string, string> = {}) => runCli(BIN, args, env);

function refused(r: CliResult, what: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, what);
  assert.match(r.stderr, /usage/);
  assert.doesNotMatch(r.stderr, STACK);
  assert.equal(r.stdout, "");
}

/** Every row of every table of a SQLite database, to see that nothing was written. */
function dump(file: string): string {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    return JSON.stringify(tables.map((t) => [t.name, db.prepare(`SELECT * FROM "${String(t.name)}"`).all()]));
  } finally {
    db.close();
  }
}

describe("heartbeats <command>", () => {
  it("--help prints the usage on stdout and exits 0, for the CLI and each command", async () => {
    const top = await hb(["--help"]);
    assert.equal(top.code, 0);
    for (const c of COMMANDS) assert.match(top.stdout, new RegExp(`^  ${c} `, "m"));
    for (const c of COMMANDS) {
      // No DATABASE_URL or anything: help needs no configuration.
      const r = await hb([c, "--help"]);
      assert.equal(r.code, 0, `${c}: ${r.stderr}`);
      assert.match(r.stdout, /usage:/, c);
      assert.equal(r.stderr, "", c);
    }
  });

  it("an unknown option, a missing value, an unknown command: usage on stderr, exit 2, no stack trace", async () => {
    for (const c of COMMANDS) refused(await hb([c, "--frobnicate"]), /unknown option/i);
    refused(await hb(["export", "--file"]), /argument missing/);
    refused(await hb(["user", "create", "--username", "x"]), /--password is required/);
    refused(await hb(["user", "frob"]), /unknown user command "frob"/);
    refused(await hb(["key", "create", "--name", "ci"]), /--name and --scope are required/);
    refused(await hb(["key", "revoke"]), /give its id or name/);
    refused(await hb(["import", "csv", "--file", "x"]), /unknown source "csv"/);
    refused(await hb(["import", "backup"]), /--file is required/);
    refused(await hb(["import", "backup", "--file", "x", "--pings"]), /--pings is for heartbeats-mysql/);
    refused(await hb(["frobnicate"]), /unknown command: frobnicate/);
    refused(await hb([]), /no command given/);
  });

  it("--version prints the package's version", async () => {
    const r = await hb(["--version"]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `heartbeats ${VERSION}\n`);
  });

  it("npm run's scripts go through it: npm run export -- --help prints the usage (it was a TypeError)", () => {
    for (const script of ["export", "key", "import"]) {
      const r = spawnSync("npm", ["run", "--silent", script, "--", "--help"], { cwd: ROOT, encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`usage:[\\s\\S]*heartbeats ${script}`));
      assert.doesNotMatch(r.stderr, STACK);
    }
  });
});

describe("heartbeats key", () => {
  it("create prints a key once that authenticates against the running server; list shows it used; revoke → 401", async () => {
    const server = await startServer("cli-keys");
    try {
      const env = { DATABASE_URL: server.env.DATABASE_URL };
      const created = await hb(["key", "create", "--name", "ci-deploy", "--scope", "read"], env);
      assert.equal(created.code, 0, created.stderr);
      const key = created.stdout.trim();
      assert.match(key, /^hbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/, "stdout is the key alone");
      assert.match(created.stderr, /created API key \d+ "ci-deploy" \(scope read\); it is shown this once/);

      const get = (path: string) => fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal((await get("/api/v1/monitors")).status, 200);
      // read scope: no writing.
      const post = await fetch(`${server.base}/api/v1/monitors`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "x", schedule: { kind: "interval", periodSeconds: 60 } }),
      });
      assert.equal(post.status, 403);

      const listed = await hb(["key", "list"], env);
      assert.equal(listed.code, 0, listed.stderr);
      const [header, row, ...rest] = listed.stdout.trim().split("\n");
      assert.equal(header, "id\tname\tscope\tprefix\tcreated\tlast used\trevoked");
      assert.deepEqual(rest, []);
      const [id, name, scope, prefix, createdAt, lastUsed, revoked] = row.split("\t");
      assert.deepEqual([name, scope, revoked], ["ci-deploy", "read", "-"]);
      assert.equal(prefix, key.slice(0, 12));
      assert.ok(Date.parse(createdAt) <= Date.parse(lastUsed), `used after it was made: ${row}`);
      assert.doesNotMatch(listed.stdout, new RegExp(key.slice(13)), "list never shows the key");

      // A second key of the same name: revoking by name must then say which.
      const again = await hb(["key", "create", "--name", "ci-deploy", "--scope", "ping"], env);
      assert.equal(again.code, 0, again.stderr);
      const ambiguous = await hb(["key", "revoke", "ci-deploy"], env);
      assert.equal(ambiguous.code, 1);
      assert.match(ambiguous.stderr, /2 active keys are named "ci-deploy" \(ids \d+, \d+\): revoke one by id/);

      const revoked1 = await hb(["key", "revoke", id], env);
      assert.equal(revoked1.code, 0, revoked1.stderr);
      assert.equal(revoked1.stdout, `API key ${id} "ci-deploy" revoked\n`);
      // The gateway remembers a verified key for a few seconds.
      await eventually(async () => (await get("/api/v1/monitors")).status === 401, 10_000, "the revoked key → 401");
      // Now one active key has that name: by name works.
      const byName = await hb(["key", "revoke", "ci-deploy"], env);
      assert.match(byName.stdout, /^API key \d+ "ci-deploy" revoked$/m);
      const bad = await hb(["key", "create", "--name", "x", "--scope", "admin"], env);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^scope: /m);
      assert.doesNotMatch(bad.stderr, STACK);
    } finally {
      await server.stop();
    }
  });
});

describe("heartbeats import --dry-run", () => {
  it("reports what it would create and leaves the database as it was; the real run then creates exactly that", async () => {
    const file = path.join(dir, "dry.sqlite");
    const env = { DATABASE_URL: `sqlite:${file}`, SECRET_KEY: "cli-test-secret-key-0123456789abcdef" };
    assert.equal((await hb(["migrate"], env)).code, 0);
    const checks = path.join(ROOT, "test/fixtures/healthchecks-checks.json");
    const before = dump(file);
    const dry = await hb(["import", "healthchecks", "--file", checks, "--dry-run"], env);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, /^3 would be created, 0 already present, 0 skipped \(dry run: nothing written\)$/m);
    assert.match(dry.stdout, /^would create\tmonitor /m);
    assert.equal(dump(file), before, "a dry run writes nothing");

    const real = await hb(["import", "healthchecks", "--file", checks], env);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /^3 created, 0 already present, 0 skipped$/m);
    const lines = (s: string) => s.split("\n").filter((l) => /\tmonitor /.test(l));
    assert.deepEqual(lines(real.stdout), lines(dry.stdout.replaceAll("would create\t", "created\t")));
    assert.notEqual(dump(file), before);
  });
});

describe("heartbeats import heartbeats-mysql --pings", async () => {
  const skip = await needs(["mariadb"]);
  const PINGS = 12_000;
  let original: Awaited<ReturnType<typeof scratchDatabase>> | undefined;
  before(async () => {
    if (skip) return;
    original = await scratchDatabase();
    const c = await mysql.createConnection({ uri: original.url, timezone: "Z" });
    try {
      await c.query(`CREATE TABLE tag (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200))`);
      await c.query(`CREATE TABLE service_tags (id int AUTO_INCREMENT PRIMARY KEY, service_id int, tag_id int)`);
      await c.query(`CREATE TABLE service (id int AUTO_INCREMENT PRIMARY KEY, name varchar(200), status varchar(20),
      tp varchar(20), value varchar(200), notify_to longtext, grace int, short_url varchar(200))`);
      await c.query(`CREATE TABLE ping (id int AUTO_INCREMENT PRIMARY KEY, remote_addr char(39), ua varchar(200),
      data longtext, created datetime(6), service_id int)`);
      await c.query(`INSERT INTO service (id, name, status, tp, value, grace, notify_to, short_url) VALUES (1, 'a', 'running', 'every', '5', 1, '', 'svcA'),
      (2, 'b', 'running', 'every', '5', 1, '', 'svcB')`);
      const start = Date.UTC(2026, 0, 1);
      for (let i = 0; i < PINGS; i += 2000) {
        const rows = Array.from({ length: 2000 }, (_, j) => {
          const n = i + j;
          return [n % 3 === 0 ? 2 : 1, "10.0.0.1", "curl", n % 10 === 0 ? "failed" : "", new Date(start + n * 60_000)];
        });
        await c.query("INSERT INTO ping (service_id, remote_addr, ua, data, created) VALUES ?", [rows]);
      }
    } finally {
      await c.end();
    }
  });
  after(() => original?.drop());

  it(
    "reads the history in batches, a progress line a batch; --dry-run counts it and writes nothing",
    { skip },
    async () => {
      const file = path.join(dir, "pings.sqlite");
      const env = { DATABASE_URL: `sqlite:${file}` };
      assert.equal((await hb(["migrate"], env)).code, 0);
      const before = dump(file);
      const args = ["import", "heartbeats-mysql", "--url", original!.url, "--pings"];
      const dry = await hb([...args, "--dry-run"], env);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /^2 would be created, 0 already present, 0 skipped/m);
      assert.match(dry.stdout, /^12000 pings would be imported$/m);
      // Batches of 5000 rows: the reading goes by in three steps, not at once.
      assert.deepEqual(dry.stderr.match(/^pings: .*$/gm), [
        "pings: 5000 read, 5000 would import",
        "pings: 10000 read, 10000 would import",
        "pings: 12000 read, 12000 would import",
      ]);
      assert.equal(dump(file), before, "a dry run writes nothing");

      const real = await hb(args, env);
      assert.equal(real.code, 0, real.stderr);
      assert.match(real.stdout, /^12000 pings imported$/m);
      assert.equal(real.stderr.match(/^pings: \d+ read, \d+ imported$/gm)?.length, 3);
      const db = new DatabaseSync(file, { readOnly: true });
      try {
        const counts = db
          .prepare(
            "SELECT m.code, m.ping_count AS count, COUNT(p.id) AS stored, SUM(p.kind = 'fail') AS fails FROM monitors m JOIN pings p ON p.monitor_id = m.id GROUP BY m.id ORDER BY m.code",
          )
          .all();
        assert.deepEqual(
          counts.map((r) => ({ ...r })),
          [
            { code: "svcA", count: 8000, stored: 8000, fails: 800 },
            { code: "svcB", count: 4000, stored: 4000, fails: 400 },
          ],
        );
      } finally {
        db.close();
      }
      // Again: the monitors are present, so their history is not added twice.
      const again = await hb(args, env);
      assert.match(again.stdout, /^0 pings imported$/m);
    },
  );
});

describe("installed from the packed package", () => {
  it("node_modules/.bin/heartbeats and heartbeats-agent run (TypeScript under node_modules, where Node strips no types)", () => {
    const install = path.join(dir, "install");
    const modules = path.join(install, "node_modules");
    const pkg = path.join(modules, "heartbeats");
    fs.mkdirSync(pkg, { recursive: true });
    const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", install], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = path.join(install, packed.stdout.trim().split("\n").pop()!);
    const untar = spawnSync("tar", ["xzf", tarball, "-C", pkg, "--strip-components=1"], { encoding: "utf8" });
    assert.equal(untar.status, 0, untar.stderr);
    // Its dependencies as npm would have installed them beside it (this checkout's, linked), and
    // the bins as npm links them.
    for (const dep of fs.readdirSync(path.join(ROOT, "node_modules"))) {
      if (dep !== ".bin" && dep !== "heartbeats")
        fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(modules, dep));
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8"));
    fs.mkdirSync(path.join(modules, ".bin"));
    for (const [name, file] of Object.entries(manifest.bin as Record<string, string>))
      fs.symlinkSync(path.join("..", "heartbeats", file), path.join(modules, ".bin", name));
    const run = (name: string, args: string[], env: Record<string, string> = {}) =>
      spawnSync(path.join(modules, ".bin", name), args, {
        cwd: install,
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "", HOME: install, ...env },
      });

    const version = run("heartbeats", ["--version"]);
    assert.equal(version.status, 0, version.stderr);
    assert.equal(version.stdout, `heartbeats ${VERSION}\n`);
    const agent = run("heartbeats-agent", ["--help"]);
    assert.equal(agent.status, 0, agent.stderr);
    assert.match(agent.stdout, /^usage: heartbeats-agent --config FILE/);
    // A TypeScript command with its dependencies (sequelize, sqlite3): the database is made and migrated.
    const migrated = run("heartbeats", ["migrate"], { DATABASE_URL: `sqlite:${path.join(install, "hb.sqlite")}` });
    assert.equal(migrated.status, 0, migrated.stderr);
    assert.match(migrated.stdout, /^migrations applied: /);
  });
});
