// The sqlite3-shaped driver over node:sqlite (core/db/node-sqlite-driver.ts) on real SQLite files:
// what sequelize's SQLite dialect reads from it (lastID, changes, rows, errors by code), values in
// and out as sqlite3 gave them, busy waits off the main thread, and the dialect's error mapping.

import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { ForeignKeyConstraintError, QueryTypes, TimeoutError, UniqueConstraintError } from "sequelize";
import {
  Database,
  OPEN_CREATE,
  OPEN_READWRITE,
  Statement,
  type SqliteError,
} from "../../core/db/node-sqlite-driver.ts";
import { openDatabase } from "../../core/db/connect.ts";

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-node-sqlite-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function opened(file: string, mode = OPEN_READWRITE | OPEN_CREATE): Promise<Database> {
  return new Promise((resolve, reject) => {
    const db: Database = new Database(file, mode, (err) => (err ? reject(err) : resolve(db)));
  });
}

/** A statement's callback: its error or result, and what it saw as `this`. */
function call<R>(
  db: Database,
  method: "run" | "all" | "get",
  sql: string,
  params: unknown = [],
): Promise<{ err: SqliteError | null; result?: R; stmt: Statement }> {
  return new Promise((resolve) => {
    db[method](sql, params, function (this: Statement, err: Error | null, result?: unknown) {
      resolve({ err, result: result as R, stmt: this });
    });
  });
}

async function ok<R>(db: Database, method: "run" | "all" | "get", sql: string, params: unknown = []) {
  const r = await call<R>(db, method, sql, params);
  assert.equal(r.err, null, `${sql}: ${r.err?.message}`);
  return r;
}

const closed = (db: Database) => new Promise<Error | null>((resolve) => db.close(resolve));

describe("the driver, as sqlite3's API", () => {
  test("run reports lastID and changes on a Statement; all and get give plain rows", async () => {
    const db = await opened(path.join(dir, "api.sqlite"));
    await ok(db, "run", "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, n INTEGER)");
    const first = await ok(db, "run", "INSERT INTO t (name, n) VALUES (?, ?)", ["a", 1]);
    assert.equal(first.stmt.constructor.name, "Statement", "the dialect checks the class name for bulk inserts");
    assert.equal(first.stmt.lastID, 1);
    assert.equal(first.stmt.changes, 1);
    const many = await ok(db, "run", "INSERT INTO t (name, n) VALUES ($1, $2), ($3, $4)", {
      $1: "b",
      $2: 2,
      $3: "c",
      $4: 3,
    });
    assert.equal(many.stmt.lastID, 3, "a multi-row INSERT reports the last id, as sqlite3");
    assert.equal(many.stmt.changes, 2);
    const upd = await ok(db, "run", "UPDATE t SET n = n + 10 WHERE n >= ?", [2]);
    assert.equal(upd.stmt.changes, 2);
    const rows = await ok<Record<string, unknown>[]>(db, "all", "SELECT name, n FROM t ORDER BY id");
    assert.deepEqual(rows.result, [
      { name: "a", n: 1 },
      { name: "b", n: 12 },
      { name: "c", n: 13 },
    ]);
    assert.equal(Object.getPrototypeOf(rows.result![0]), Object.prototype);
    assert.deepEqual((await ok(db, "get", "SELECT name FROM t WHERE id = ?", [2])).result, { name: "b" });
    assert.equal((await ok(db, "get", "SELECT name FROM t WHERE id = ?", [99])).result, undefined);
    // sqlite3's other argument forms: values as separate arguments, no params at all
    const spread = await new Promise<unknown>((resolve, reject) =>
      db.get("SELECT ? + ? AS s", 2, 3, (err: Error | null, row: unknown) => (err ? reject(err) : resolve(row))),
    );
    assert.deepEqual(spread, { s: 5 });
    assert.equal(await closed(db), null);
  });

  test("values in and out as sqlite3: int32 INTEGER, other numbers REAL, BLOB as Buffer, big integers rounded", async () => {
    const db = await opened(path.join(dir, "values.sqlite"));
    const types = await ok<Record<string, unknown>>(
      db,
      "get",
      "SELECT typeof(?) a, typeof(?) b, typeof(?) c, typeof(?) d, typeof(?) e, typeof(?) f, typeof(?) g, ? g2",
      [7, 1733000000000, 2.5, true, null, undefined, new Date(86_400_000), new Date(86_400_000)],
    );
    assert.deepEqual(types.result, {
      a: "integer",
      b: "real",
      c: "real",
      d: "integer",
      e: "null",
      f: "null",
      g: "real",
      g2: 86_400_000,
    });
    await ok(db, "run", "CREATE TABLE v (b BLOB, big INTEGER, flag BOOLEAN, t TEXT, ms BIGINT)");
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    await ok(db, "run", "INSERT INTO v VALUES (?, 9007199254740993, ?, ?, ?)", [bytes, false, "x", 1733000000123]);
    const row = (await ok<Record<string, unknown>>(db, "get", "SELECT * FROM v")).result!;
    assert.ok(Buffer.isBuffer(row.b), "a BLOB comes back as a Buffer");
    assert.deepEqual(row.b, bytes);
    assert.equal(row.big, 9007199254740992, "past 2^53 an integer is rounded to a number, as sqlite3 (no throw)");
    assert.equal(row.flag, 0);
    assert.equal(row.t, "x");
    assert.equal(row.ms, 1733000000123, "a BIGINT millisecond time stored from a REAL comes back exact");
    assert.equal((await ok<Record<string, unknown>>(db, "get", "SELECT typeof(ms) k FROM v")).result!.k, "integer");
    await closed(db);
  });

  test("errors carry sqlite3's code, errno and message; without a callback they are 'error' events", async () => {
    const db = await opened(path.join(dir, "errors.sqlite"));
    await ok(db, "run", "CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT UNIQUE)");
    await ok(db, "run", "INSERT INTO u (name) VALUES ('a')");
    const dup = await call(db, "run", "INSERT INTO u (name) VALUES ('a')");
    assert.equal(dup.err?.code, "SQLITE_CONSTRAINT");
    assert.equal(dup.err?.errno, 19);
    assert.equal(dup.err?.message, "SQLITE_CONSTRAINT: UNIQUE constraint failed: u.name");
    const syntax = await call(db, "all", "SELEC 1");
    assert.equal(syntax.err?.code, "SQLITE_ERROR");
    assert.match(syntax.err!.message, /^SQLITE_ERROR: near "SELEC": syntax error$/);
    const emitted = new Promise<SqliteError>((resolve) => db.once("error", resolve));
    db.run("INSERT INTO nowhere VALUES (1)");
    assert.match((await emitted).message, /^SQLITE_ERROR: no such table: nowhere$/);
    await closed(db);
    const after = await call(db, "all", "SELECT 1");
    assert.match(after.err!.message, /closed/, "a closed connection answers with an error, not silence");
  });

  test("open: a missing file without OPEN_CREATE is SQLITE_CANTOPEN; OPEN_READONLY cannot write", async () => {
    await assert.rejects(opened(path.join(dir, "missing.sqlite"), OPEN_READWRITE), { code: "SQLITE_CANTOPEN" });
    const file = path.join(dir, "ro.sqlite");
    const rw = await opened(file);
    await ok(rw, "run", "CREATE TABLE r (a)");
    await closed(rw);
    const ro = await opened(file, 0x1);
    const write = await call(ro, "run", "INSERT INTO r VALUES (1)");
    assert.equal(write.err?.code, "SQLITE_READONLY");
    await closed(ro);
  });

  test("a busy wait runs on the connection's thread: the event loop goes on, the lock's owner can finish", async () => {
    const file = path.join(dir, "busy.sqlite");
    const db = await opened(file);
    await ok(db, "run", "CREATE TABLE b (a)");
    db.configure("busyTimeout", 5_000);
    const other = new DatabaseSync(file);
    other.exec("BEGIN IMMEDIATE");
    const t0 = Date.now();
    const waiting = ok(db, "run", "INSERT INTO b VALUES (1)");
    // Timers keep firing while the insert waits for the lock; then the owner commits.
    let ticks = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (++ticks === 10) {
          clearInterval(timer);
          other.exec("COMMIT");
          resolve();
        }
      }, 20);
    });
    await waiting;
    assert.ok(Date.now() - t0 >= 180, "the insert waited for the lock");
    assert.equal(ticks, 10);
    // Past the busy timeout: SQLITE_BUSY, which the dialect maps to a TimeoutError.
    db.configure("busyTimeout", 100);
    other.exec("BEGIN IMMEDIATE");
    const busy = await call(db, "run", "INSERT INTO b VALUES (2)");
    other.exec("ROLLBACK");
    assert.equal(busy.err?.code, "SQLITE_BUSY");
    other.close();
    await closed(db);
  });
});

describe("through sequelize on a SQLite file (openDatabase)", () => {
  test("unique and foreign-key violations, rollback, bigint and blob columns", async () => {
    const db = await openDatabase(`sqlite:${path.join(dir, "seq.sqlite")}`);
    try {
      const q = (sql: string) => db.sequelize.query(sql);
      await q("CREATE TABLE parent (id INTEGER PRIMARY KEY AUTOINCREMENT, name VARCHAR(50) UNIQUE)");
      await q(
        "CREATE TABLE child (id INTEGER PRIMARY KEY AUTOINCREMENT, parent_id INTEGER NOT NULL REFERENCES parent(id), at BIGINT, data BLOB, ok BOOLEAN)",
      );
      const id = await db.insert("INSERT INTO parent (name) VALUES (:name)", { name: "a" });
      assert.equal(id, 1);
      await assert.rejects(db.insert("INSERT INTO parent (name) VALUES ('a')"), (err: unknown) => {
        assert.ok(err instanceof UniqueConstraintError, String(err));
        assert.deepEqual(err.fields, ["name"]);
        return true;
      });
      await assert.rejects(
        db.insert("INSERT INTO child (parent_id) VALUES (42)"),
        (err: unknown) => err instanceof ForeignKeyConstraintError,
        "foreign keys are on, as with sqlite3",
      );
      await assert.rejects(
        db.write(async (t) => {
          await db.insert("INSERT INTO parent (name) VALUES ('rolled back')", undefined, t);
          throw new Error("abort");
        }),
        /abort/,
      );
      assert.deepEqual(await db.select("SELECT name FROM parent ORDER BY id"), [{ name: "a" }]);
      // bind parameters (sequelize's `bind`), as the models use for INSERT and UPDATE
      const at = 1_733_000_000_123;
      await db.sequelize.query("INSERT INTO child (parent_id, at, data, ok) VALUES ($1, $2, $3, $4)", {
        bind: [1, at, Buffer.from("hi"), true],
        type: QueryTypes.INSERT,
      });
      const [row] = await db.select<{ at: number; data: Buffer; ok: number }>("SELECT at, data, ok FROM child");
      assert.equal(row!.at, at);
      assert.ok(Buffer.isBuffer(row!.data));
      assert.equal(row!.data.toString(), "hi");
      assert.equal(row!.ok, 1);
      assert.equal(await db.change("UPDATE child SET ok = 0 WHERE parent_id = 1"), 1);
    } finally {
      await db.close();
    }
  });

  test("another process's lock past the busy timeout is a TimeoutError; within it, the write waits and succeeds", async () => {
    const file = path.join(dir, "seq-busy.sqlite");
    const db = await openDatabase(`sqlite:${file}`);
    try {
      await db.sequelize.query("CREATE TABLE k (a INTEGER)");
      const other = new DatabaseSync(file);
      other.exec("BEGIN IMMEDIATE");
      setTimeout(() => other.exec("COMMIT"), 300);
      assert.equal(await db.insert("INSERT INTO k (a) VALUES (1)"), 1, "waited for the other writer");
      other.close();

      // sequelize's connections wait 10 s (connect.ts); a driver connection told to wait 50 ms shows the mapping.
      const short = await opened(file);
      short.configure("busyTimeout", 50);
      const holder = new DatabaseSync(file);
      holder.exec("BEGIN IMMEDIATE");
      const err = (await call(short, "run", "INSERT INTO k (a) VALUES (2)")).err!;
      holder.exec("ROLLBACK");
      holder.close();
      await closed(short);
      // the dialect's own mapping of that error (its Query class, as sequelize.query uses it)
      const mapped = (
        db.sequelize as unknown as {
          dialect: { Query: new (c: unknown, s: unknown, o: unknown) => { formatError(e: Error): Error } };
        }
      ).dialect.Query;
      assert.ok(new mapped(null, db.sequelize, {}).formatError(err) instanceof TimeoutError);
    } finally {
      await db.close();
    }
  });
});
