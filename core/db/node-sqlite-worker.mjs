// The thread that owns one node:sqlite connection of node-sqlite-driver.ts. Its statements are
// synchronous, so they run here and not on the main thread: a slow read, a checkpoint or a busy
// wait for another process's lock blocks this thread only, as sqlite3's thread pool did.
// Plain JavaScript (types in JSDoc, checked by tsc): a worker that loads no TypeScript does not
// load Node's type stripper either, which halves its memory (14 MiB instead of 27).

import fs from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { DatabaseSync } from "node:sqlite";

/** @typedef {import("./node-sqlite-messages.ts").Request} Request */
/** @typedef {import("./node-sqlite-messages.ts").Reply} Reply */
/** @typedef {import("./node-sqlite-messages.ts").Failure} Failure */
/** @typedef {import("./node-sqlite-messages.ts").Opening} Opening */
/** @typedef {import("node:sqlite").StatementSync} StatementSync */
/** @typedef {Record<string, unknown>} Row */

const OPEN_READWRITE = 0x2;
const OPEN_CREATE = 0x4;
const SQLITE_CANTOPEN = 14;
const SQLITE_MISUSE = 21;

/**
 * As sqlite3 opens: SQLite's defaults (foreign keys off until the PRAGMA, "…" strings allowed), 1 s busy timeout.
 * @param {Opening} opening
 */
function open({ filename, mode }) {
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

/** @param {unknown} err @returns {Failure} */
function failure(err) {
  const e = /** @type {{ message?: string; errcode?: number; code?: string }} */ (err);
  return { message: String(e?.message ?? err), errcode: e?.errcode, code: e?.code };
}

/** @type {DatabaseSync | null} */
let db = null;
/** @type {Failure | null} */
let openError = null;
try {
  db = open(/** @type {Opening} */ (workerData));
} catch (err) {
  openError = failure(err);
}

// Sequelize writes most values into the SQL text, so texts repeat less than in the inline writer:
// a small cache of the recent ones.
/** @type {Map<string, StatementSync>} */
const cache = new Map();

/** @param {DatabaseSync} conn @param {string} sql */
function prepared(conn, sql) {
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

/**
 * Rows as sqlite3 gives them: integers as numbers; `blobs` tells the driver to make BLOBs Buffers.
 * @param {Row[]} rows @param {Reply} reply
 */
function plain(rows, reply) {
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      if (typeof v === "bigint") row[key] = Number(v);
      else if (v instanceof Uint8Array) reply.blobs = true;
    }
  }
  return rows;
}

/** @param {DatabaseSync} conn @param {Request} req @param {Reply} reply */
function execute(conn, req, reply) {
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
    case "all": {
      const st = prepared(conn, req.sql);
      const rows = Array.isArray(req.params) ? st.all(...req.params) : st.all(req.params);
      reply.rows = plain(/** @type {Row[]} */ (rows), reply);
      return;
    }
    case "get": {
      const st = prepared(conn, req.sql);
      const row = Array.isArray(req.params) ? st.get(...req.params) : st.get(req.params);
      reply.rows = row ? plain([/** @type {Row} */ (row)], reply) : [];
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

const port = /** @type {import("node:worker_threads").MessagePort} */ (parentPort);
port.on("message", (/** @type {Request} */ req) => {
  /** @type {Reply} */
  const reply = { id: req.id };
  try {
    if (db) execute(db, req, reply);
    else if (req.op !== "close") {
      throw openError ?? Object.assign(new Error("Database is closed"), { errcode: SQLITE_MISUSE });
    }
  } catch (err) {
    reply.error = failure(err);
  }
  port.postMessage(reply);
  if (req.op === "close") port.close();
});
