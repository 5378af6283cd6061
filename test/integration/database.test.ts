// The database layer on the real engines: migrations, multi-row inserts that report the ids
// they created, and the write transaction's rollback. SQLite always; MariaDB when reachable.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, parseDatabaseUrl, selectForUpdate, type Database } from "../../core/db/connect.ts";
import { migrate, MIGRATION_NAMES } from "../../core/db/migrate.ts";
import { needs, scratchDatabase } from "../support/services.ts";

async function exercise(db: Database) {
  assert.deepEqual(await migrate(db, "001-initial"), ["001-initial"]);
  await upgradeKeepsEmail(db);
  // The rest, in order, each once (the list grows with every migration; its order is what counts).
  assert.deepEqual(await migrate(db), MIGRATION_NAMES.slice(2));
  assert.deepEqual(MIGRATION_NAMES.slice(0, 7), [
    "001-initial",
    "002-channels",
    "003-sessions",
    "004-hosts",
    "005-overdue-index",
    "006-api-keys",
    "007-code-length",
  ]);
  assert.deepEqual(await migrate(db), [], "migrations apply once");
  await dueAtIsTheEarliestWatchedDeadline(db);

  await db.write((t) => db.insertRows("tags", ["name"], [["warm-up"]], t));
  const ids = await db.write((t) => db.insertRows("tags", ["name"], [["a"], ["b"], ["c"], ["d"]], t));
  const rows = await db.select<{ id: number; name: string }>(
    "SELECT id, name FROM tags WHERE name IN ('a', 'b', 'c', 'd') ORDER BY id",
  );
  assert.deepEqual(
    ids,
    rows.map((r) => Number(r.id)),
    "the ids reported are the rows' ids, in order",
  );
  assert.deepEqual(
    rows.map((r) => r.name),
    ["a", "b", "c", "d"],
  );

  await assert.rejects(
    db.write(async (t) => {
      await db.insertRows("tags", ["name"], [["rolled-back"]], t);
      throw new Error("abort");
    }),
    /abort/,
  );
  assert.equal(
    (await db.select("SELECT id FROM tags WHERE name = 'rolled-back'")).length,
    0,
    "a failed write leaves nothing",
  );

  // Writers in one process queue up instead of failing on a busy database.
  await Promise.all(
    Array.from({ length: 20 }, (_, i) => db.write((t) => db.insertRows("tags", ["name"], [[`queued-${i}`]], t))),
  );
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM tags WHERE name LIKE 'queued-%'");
  assert.equal(Number(n), 20);
}

/**
 * Migration 013's generated due_at answers the overdue sweep's question exactly as the four
 * indexes' queries did: a watched monitor (new, up, late) whose down_at or run deadline passed,
 * or whose late_at passed while up. Others never count, whatever their columns hold.
 */
async function dueAtIsTheEarliestWatchedDeadline(db: Database) {
  const now = Date.now();
  const past = now - 60_000;
  const future = now + 60_000;
  const cases: [string, number | null, number | null, number | null, boolean][] = [
    // status, late_at, down_at, run_deadline_at, overdue
    ["up", past, future, null, true],
    ["up", future, future, null, false],
    ["up", future, future, past, true],
    ["late", past, future, null, false], // late_at passed already made it late
    ["late", past, past, null, true],
    ["new", null, past, null, true],
    ["new", null, null, null, false],
    ["down", past, past, past, false],
    ["paused", past, past, past, false],
  ];
  const ids = await db.write((t) =>
    db.insertRows(
      "monitors",
      [
        "code",
        "name",
        "schedule_kind",
        "period_seconds",
        "grace_seconds",
        "timezone",
        "deadline",
        "status",
        "armed_at",
        "status_changed_at",
        "ping_count",
        "created_at",
        "updated_at",
        "late_at",
        "down_at",
        "run_deadline_at",
      ],
      cases.map(([status, late, down, run], i) => [
        `dueat${i}`,
        `due-${status}-${i}`,
        "interval",
        60,
        0,
        "UTC",
        "grace",
        status,
        now,
        now,
        0,
        now,
        now,
        late,
        down,
        run,
      ]),
      t,
    ),
  );
  const expected = ids.filter((_, i) => cases[i]![4]);
  const overdue = async () =>
    (
      await db.select<{ id: number }>("SELECT id FROM monitors WHERE due_at < ? AND code LIKE 'dueat%' ORDER BY id", [
        now,
      ])
    ).map((r) => Number(r.id));
  assert.deepEqual(await overdue(), expected);
  // It follows the row: a ping moving the deadlines takes the monitor out, with no help from the writer.
  await db.write((t) =>
    db.change("UPDATE monitors SET late_at = ?, down_at = ? WHERE id = ?", [future, future, ids[0]], t),
  );
  assert.deepEqual(await overdue(), expected.slice(1));
  const [{ n }] = await db.select<{ n: number }>(
    db.dialect === "mysql"
      ? "SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = 'monitors' AND index_name = 'monitors_due_at'"
      : "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'index' AND name = 'monitors_due_at'",
  );
  assert.equal(Number(n), 1, "the sweep's index exists");
  await db.write((t) => db.change("DELETE FROM monitors WHERE code LIKE 'dueat%'", [], t));
}

/** Before channels were data, "email" meant the environment's SMTP for every monitor: 002 keeps that. */
async function upgradeKeepsEmail(db: Database) {
  const now = Date.now();
  const monitor = await db.write((t) =>
    db.insertRows(
      "monitors",
      [
        "code",
        "name",
        "schedule_kind",
        "period_seconds",
        "grace_seconds",
        "timezone",
        "deadline",
        "status",
        "armed_at",
        "status_changed_at",
        "ping_count",
        "created_at",
        "updated_at",
      ],
      [["upgrade0000000001", "old", "interval", 60, 0, "UTC", "grace", "down", now, now, 0, now, now]],
      t,
    ),
  );
  const flip = await db.write((t) =>
    db.insertRows(
      "flips",
      ["monitor_id", "from_status", "to_status", "reason", "flipped_at"],
      [[monitor[0], "late", "down", "no-ping", now]],
      t,
    ),
  );
  await db.write((t) =>
    db.insertRows(
      "deliveries",
      ["flip_id", "monitor_id", "channel", "state", "attempts", "next_attempt_at", "created_at"],
      [[flip[0], monitor[0], "email", "pending", 0, now, now]],
      t,
    ),
  );
  assert.deepEqual(await migrate(db, "002-channels"), ["002-channels"]);
  const [ch] = await db.select<{ id: number; type: string; is_default: unknown }>(
    "SELECT id, type, is_default FROM channels WHERE managed = 'env:email'",
  );
  assert.ok(ch, "the environment's email became a channel");
  assert.equal(Boolean(Number(ch.is_default)), true);
  const [d] = await db.select<{ channel_id: number; round: number }>("SELECT channel_id, round FROM deliveries");
  assert.equal(Number(d!.channel_id), Number(ch.id), "the queued delivery points at it");
  assert.equal(Number(d!.round), 0);
  const attached = await db.select("SELECT * FROM monitor_channels WHERE monitor_id = ? AND channel_id = ?", [
    monitor[0],
    ch.id,
  ]);
  assert.equal(attached.length, 1, "every existing monitor alerts it");
  for (const table of ["deliveries", "monitor_channels", "channels", "flips", "monitors"])
    await db.write((t) => db.change(`DELETE FROM ${table}`, [], t));
}

test("SQLite: migrations, multi-row ids, rollback, queued writers", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-db-"));
  const db = await openDatabase(`sqlite:${path.join(dir, "x.sqlite")}`);
  try {
    await exercise(db);
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("SQLite file: the next writer runs while a commit is synced, and each hot write is answered after a sync", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-db-"));
  const db = await openDatabase(`sqlite:${path.join(dir, "x.sqlite")}`);
  try {
    await migrate(db);
    const order: string[] = [];
    const write = (name: string) =>
      db
        .hotWrite(async (tx) => {
          order.push(`${name} runs`);
          await tx.insertRows("tags", ["name"], [[name]]);
          return name;
        })
        .then((r) => (order.push(`${r} answered`), r));
    assert.deepEqual(await Promise.all([write("a"), write("b"), write("c")]), ["a", "b", "c"]);
    // The write queue is not held through a commit's fsync: b and c ran before a was answered.
    assert.deepEqual(order.slice(0, 3), ["a runs", "b runs", "c runs"], order.join(", "));
    // Answers may come in any order: the syncs run at once in the thread pool, and whichever
    // finishes covers every commit made before it started.
    assert.deepEqual(order.filter((e) => e.endsWith("answered")).sort(), ["a answered", "b answered", "c answered"]);
    const names = await db.select<{ name: string }>("SELECT name FROM tags WHERE name IN ('a', 'b', 'c') ORDER BY id");
    assert.deepEqual(
      names.map((r) => r.name),
      ["a", "b", "c"],
    );
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("DATABASE_URL forms", () => {
  assert.equal(parseDatabaseUrl("sqlite::memory:").storage, ":memory:");
  assert.equal(parseDatabaseUrl("sqlite:./data/x.sqlite").storage, path.resolve("data/x.sqlite"));
  assert.equal(parseDatabaseUrl("mariadb://u:p@h/db").url, "mysql://u:p@h/db");
  assert.throws(() => parseDatabaseUrl("postgres://h/db"), /DATABASE_URL must start with/);
});

const skip = await needs(["mariadb"]);
describe("MariaDB", { skip }, () => {
  test("MariaDB: migrations, multi-row ids, rollback, queued writers", async () => {
    const scratch = await scratchDatabase();
    const db = await openDatabase(scratch.url);
    try {
      await exercise(db);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  test("MariaDB: monitor codes are case-sensitive, as on SQLite and in ingest's cache", async () => {
    const scratch = await scratchDatabase();
    const db = await openDatabase(scratch.url);
    try {
      await migrate(db);
      const row = (name: string, code: string) => `('${name}', '${code}', 'interval', 'UTC', 'new', 0, 0, 0, 0)`;
      await db.change(
        `INSERT INTO monitors (name, code, schedule_kind, timezone, status, armed_at, status_changed_at, created_at, updated_at) VALUES ${row("a", "aBcDe")}, ${row("b", "AbCdE")}`,
      );
      assert.deepEqual(await db.select("SELECT name FROM monitors WHERE code = ?", ["aBcDe"]), [{ name: "a" }]);
      assert.deepEqual(await db.select("SELECT name FROM monitors WHERE code = ?", ["abcde"]), []);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  test("MariaDB: hot writes on different monitors never wait on each other, however few monitors there are", async () => {
    const scratch = await scratchDatabase();
    const db = await openDatabase(scratch.url);
    try {
      await migrate(db);
      const row = (i: number) => `('m${i}', 'code-${i}', 'interval', 'UTC', 'up', 0, 0, 0, 0)`;
      await db.change(
        `INSERT INTO monitors (name, code, schedule_kind, timezone, status, armed_at, status_changed_at, created_at, updated_at) VALUES ${Array.from({ length: 12 }, (_, i) => row(i)).join(", ")}`,
      );
      const ids = (await db.select<{ id: number }>("SELECT id FROM monitors ORDER BY id")).map((r) => Number(r.id));
      // Two ping batches, as ingest writes them with two in flight: each locks its own monitors,
      // then updates them in one statement. On a table this small InnoDB scans every row for that
      // UPDATE; at REPEATABLE READ it would wait for the other batch's rows and the two deadlock.
      let tries = 0;
      let locked = 0;
      const bothLocked = new Promise<void>((resolve) => {
        const check = setInterval(() => locked >= 2 && (clearInterval(check), resolve()), 5);
      });
      const batch = (mine: number[]) =>
        db.hotWrite(async (tx) => {
          tries++;
          await selectForUpdate(tx, "monitors", "id, ping_count", "id", mine);
          locked++;
          await Promise.race([bothLocked, new Promise((r) => setTimeout(r, 2000))]);
          await tx.updateRows(
            "monitors",
            "id",
            ["ping_count"],
            mine.map((id) => [id, 1]),
          );
          return mine.length;
        });
      const odd = ids.filter((_, i) => i % 2 === 1);
      const even = ids.filter((_, i) => i % 2 === 0);
      assert.deepEqual(await Promise.all([batch(odd), batch(even)]), [6, 6]);
      assert.equal(tries, 2, "neither batch was rolled back and run again");
      assert.deepEqual(await db.select("SELECT DISTINCT ping_count FROM monitors"), [{ ping_count: 1 }]);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  test("MariaDB: a write that loses a deadlock is run again, not failed", async () => {
    const scratch = await scratchDatabase();
    const db = await openDatabase(scratch.url);
    try {
      await migrate(db);
      await db.write((t) => db.insertRows("tags", ["name"], [["first"], ["second"]], t));
      // Two writers lock the same two rows in opposite orders: InnoDB rolls one back.
      let tries = 0;
      const pause = () => new Promise((r) => setTimeout(r, 150));
      const lockBoth = (a: string, b: string) =>
        db.write(async (t) => {
          tries++;
          await db.change("UPDATE tags SET name = name WHERE name = ?", [a], t);
          await pause();
          await db.change("UPDATE tags SET name = name WHERE name = ?", [b], t);
          return `${a} then ${b}`;
        });
      const results = await Promise.all([lockBoth("first", "second"), lockBoth("second", "first")]);
      assert.deepEqual(results.sort(), ["first then second", "second then first"]);
      assert.ok(tries >= 3, `one writer was rolled back and ran again (${tries} runs)`);

      // The same for the hot path's transactions (ping batches, the checker's flips).
      tries = 0;
      const lockBothHot = (a: string, b: string) =>
        db.hotWrite(async (tx) => {
          tries++;
          await tx.change("UPDATE tags SET name = name WHERE name = ?", [a]);
          await pause();
          await tx.change("UPDATE tags SET name = name WHERE name = ?", [b]);
          return `${a} then ${b}`;
        });
      const hot = await Promise.all([lockBothHot("first", "second"), lockBothHot("second", "first")]);
      assert.deepEqual(hot.sort(), ["first then second", "second then first"]);
      assert.ok(tries >= 3, `one hot writer was rolled back and ran again (${tries} runs)`);
    } finally {
      await db.close();
      await scratch.drop();
    }
  });
});
