// The thread that owns one node:sqlite connection of node-sqlite-driver.ts. Its statements are
// synchronous, so they run here and not on the main thread: a slow read, a checkpoint or a busy
// wait for another process's lock blocks this thread only, as sqlite3's thread pool did.

import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

export type Params = SQLInputValue[] | Record<string, SQLInputValue>;

export type Request =
  | { id: number; op: "open" | "close" }
  | { id: number; op: "run" | "all" | "get"; sql: string; params: Params }
  | { id: number; op: "exec"; sql: string }
  | { id: number; op: "busyTimeout"; ms: number };

export interface Failure {
  message: string;
  /** SQLite's extended result code; absent when the error is not SQLite's (a value that cannot be bound) */
  errcode?: number;
  code?: string;
}

export interface Reply {
  id: number;
  error?: Failure;
  rows?: Record<string, unknown>[];
  lastID?: number;
  changes?: number;
  /** a value of `rows` is a BLOB (a Uint8Array after the message: the driver makes it a Buffer) */
  blobs?: boolean;
}

export interface Opening {
  filename: string;
  mode: number;
}

const OPEN_READWRITE = 0x2;
const OPEN_CREATE = 0x4;
const SQLITE_CANTOPEN = 14;
const SQLITE_MISUSE = 21;

/** As sqlite3 opens: SQLite's defaults (foreign keys off until the PRAGMA, "…" strings allowed), 1 s busy timeout. */
function open({ filename, mode }: Opening): DatabaseSync {
  if (!(mode & OPEN_CREATE) && filename !== ":memory:" && filename !== "" && !fs.existsSync(filename)) {
    throw Object.assign(new Error("unable to open database file"), { errcode: SQLITE_CANTOPEN });
  }
  return new DatabaseSync(filename, {
    readOnly: !(mode & OPEN_READWRITE),
    enableForeignKeyConstraints: false,
    enableDoubleQuotedStringLiterals: true,
    timeout: 1000,
  });
}

let db: DatabaseSync | null = null;
let openError: Failure | null = null;
try {
  db = open(workerData as Opening);
} catch (err) {
  openError = failure(err);
}

// Sequelize writes most values into the SQL text, so texts repeat less than in the inline writer:
// a small cache of the recent ones.
const cache = new Map<string, StatementSync>();
function prepared(conn: DatabaseSync, sql: string): StatementSync {
  let st = cache.get(sql);
  if (!st) {
    if (cache.size >= 200) cache.clear();
    st = conn.prepare(sql);
    // Read as BigInt, then made numbers below: a value past 2^53 comes out rounded, as sqlite3
    // gives it, where node:sqlite's plain numbers would throw.
    st.setReadBigInts(true);
    cache.set(sql, st);
  }
  return st;
}

/** Rows as sqlite3 gives them: integers as numbers; `blobs` tells the driver to make BLOBs Buffers. */
function plain(rows: Record<string, unknown>[], reply: Reply): Record<string, unknown>[] {
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      if (typeof v === "bigint") row[key] = Number(v);
      else if (v instanceof Uint8Array) reply.blobs = true;
    }
  }
  return rows;
}

function failure(err: unknown): Failure {
  const e = err as { message?: string; errcode?: number; code?: string };
  return { message: String(e?.message ?? err), errcode: e?.errcode, code: e?.code };
}

function execute(conn: DatabaseSync, req: Request, reply: Reply): void {
  switch (req.op) {
    case "open":
      return;
    case "run": {
      const st = prepared(conn, req.sql);
      const r = Array.isArray(req.params) ? st.run(...req.params) : st.run(req.params);
      reply.lastID = Number(r.lastInsertRowid);
      reply.changes = Number(r.changes);
      return;
    }
    case "all":
    case "get": {
      const st = prepared(conn, req.sql);
      if (req.op === "get") {
        const row = Array.isArray(req.params) ? st.get(...req.params) : st.get(req.params);
        reply.rows = row ? plain([row as Record<string, unknown>], reply) : [];
      } else {
        const rows = Array.isArray(req.params) ? st.all(...req.params) : st.all(req.params);
        reply.rows = plain(rows as Record<string, unknown>[], reply);
      }
      return;
    }
    case "exec":
      conn.exec(req.sql);
      return;
    case "busyTimeout":
      conn.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(req.ms))}`);
      return;
    case "close":
      cache.clear();
      conn.close();
      db = null;
      return;
  }
}

parentPort!.on("message", (req: Request) => {
  const reply: Reply = { id: req.id };
  try {
    if (!db) {
      if (req.op !== "close")
        throw openError ?? Object.assign(new Error("Database is closed"), { errcode: SQLITE_MISUSE });
    } else {
      execute(db, req, reply);
    }
  } catch (err) {
    reply.error = (err as Failure) === openError ? openError : failure(err);
  }
  parentPort!.postMessage(reply);
  if (req.op === "close") parentPort!.close();
});
