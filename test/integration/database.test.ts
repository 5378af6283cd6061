// The database layer on the real engines: migrations, multi-row inserts that report the ids
// they created, and the write transaction's rollback. SQLite always; MariaDB when reachable.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, parseDatabaseUrl, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { needs, scratchDatabase } from "../support/services.ts";

async function exercise(db: Database) {
  assert.deepEqual(await migrate(db), ["001-initial"]);
  assert.deepEqual(await migrate(db), [], "migrations apply once");

  await db.write((t) => db.insertRows("tags", ["name"], [["warm-up"]], t));
  const ids = await db.write((t) => db.insertRows("tags", ["name"], [["a"], ["b"], ["c"], ["d"]], t));
  const rows = await db.select<{ id: number; name: string }>("SELECT id, name FROM tags WHERE name IN ('a', 'b', 'c', 'd') ORDER BY id");
  assert.deepEqual(ids, rows.map((r) => Number(r.id)), "the ids reported are the rows' ids, in order");
  assert.deepEqual(rows.map((r) => r.name), ["a", "b", "c", "d"]);

  await assert.rejects(
    db.write(async (t) => {
      await db.insertRows("tags", ["name"], [["rolled-back"]], t);
      throw new Error("abort");
    }),
    /abort/,
  );
  assert.equal((await db.select("SELECT id FROM tags WHERE name = 'rolled-back'")).length, 0, "a failed write leaves nothing");

  // Writers in one process queue up instead of failing on a busy database.
  await Promise.all(Array.from({ length: 20 }, (_, i) => db.write((t) => db.insertRows("tags", ["name"], [[`queued-${i}`]], t))));
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM tags WHERE name LIKE 'queued-%'");
  assert.equal(Number(n), 20);
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
});
