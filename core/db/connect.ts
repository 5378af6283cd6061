// Opens the database named by DATABASE_URL (SQLite file or MySQL/MariaDB) and gives the
// services one small surface over it: raw queries for hot paths, write transactions that
// are safe on both dialects, and the sequelize models for plain CRUD.

import path from "node:path";
import fs from "node:fs";
import { Sequelize, QueryTypes, Transaction } from "sequelize";
import { defineModels, type Models } from "./models.ts";

export type Dialect = "sqlite" | "mysql";
export type Row = Record<string, unknown>;
export type Replacements = Record<string, unknown> | unknown[];

export interface Database {
  readonly dialect: Dialect;
  readonly sequelize: Sequelize;
  readonly models: Models;
  /** SELECT: rows as plain objects */
  select<T = Row>(sql: string, replacements?: Replacements, t?: Transaction): Promise<T[]>;
  /** UPDATE/DELETE: number of rows changed (the guard of every conditional update) */
  change(sql: string, replacements?: Replacements, t?: Transaction): Promise<number>;
  /** INSERT: the new row's auto-increment id */
  insert(sql: string, replacements?: Replacements, t?: Transaction): Promise<number>;
  /** A multi-row INSERT (one statement where ids come out consecutive): the new ids, in order */
  insertRows(table: string, columns: readonly string[], rows: readonly unknown[][], t: Transaction): Promise<number[]>;
  /**
   * A write transaction. On SQLite, writers in this process queue behind each other and
   * take the write lock up front (IMMEDIATE), so they never fail with SQLITE_BUSY halfway.
   * `FOR UPDATE` text passed through `forUpdate` is empty there (the whole file is locked).
   */
  write<T>(fn: (t: Transaction) => Promise<T>): Promise<T>;
  /** " FOR UPDATE" on MySQL/MariaDB, "" on SQLite */
  readonly forUpdate: string;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class DatabaseUrlError extends Error {
  override name = "DatabaseUrlError";
}

interface Parsed {
  dialect: Dialect;
  storage?: string;
  url?: string;
}

export function parseDatabaseUrl(url: string): Parsed {
  if (url.startsWith("sqlite:")) {
    let storage = url.slice("sqlite:".length).replace(/^\/\/(?=\/)/, "");
    if (storage === "" ) throw new DatabaseUrlError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/heartbeats.sqlite");
    if (storage !== ":memory:") storage = path.resolve(storage);
    return { dialect: "sqlite", storage };
  }
  if (/^(mysql|mariadb):\/\//.test(url)) {
    return { dialect: "mysql", url: url.replace(/^mariadb:/, "mysql:") };
  }
  throw new DatabaseUrlError("DATABASE_URL must start with sqlite: or mysql:// (mariadb:// is accepted too)");
}

/** A promise chain that runs one task at a time. */
function serial() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

export async function openDatabase(url: string, opts: { log?: (msg: string) => void } = {}): Promise<Database> {
  const parsed = parseDatabaseUrl(url);
  const logging = false as const;
  let sequelize: Sequelize;
  if (parsed.dialect === "sqlite") {
    if (parsed.storage !== ":memory:") fs.mkdirSync(path.dirname(parsed.storage!), { recursive: true });
    sequelize = new Sequelize({ dialect: "sqlite", storage: parsed.storage, logging, pool: { max: 1, min: 0 } });
    shareWriterConnection(sequelize);
  } else {
    sequelize = new Sequelize(parsed.url!, {
      dialect: "mysql",
      logging,
      timezone: "+00:00",
      pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
      // FOUND_ROWS: an UPDATE reports the rows it matched, so a guard that matched counts as taken.
      dialectOptions: { supportBigNumbers: true, bigNumberStrings: false, connectTimeout: 10_000, flags: "+FOUND_ROWS" },
    });
  }

  await sequelize.authenticate();
  if (parsed.dialect === "sqlite" && parsed.storage !== ":memory:") {
    // WAL lets readers (API lists) run while the ingest batch writes; synchronous stays FULL
    // so that a ping acknowledged with 2xx survives a power cut, not only a process crash.
    await sequelize.query("PRAGMA journal_mode=WAL");
  }

  const models = defineModels(sequelize);
  const queue = serial();
  // One multi-row INSERT takes consecutive ids unless the server hands them out in steps
  // (auto_increment_increment > 1, e.g. a Galera cluster): then rows go in one at a time.
  let consecutiveIds: Promise<boolean> | null = null;

  const db: Database = {
    dialect: parsed.dialect,
    sequelize,
    models,
    forUpdate: parsed.dialect === "mysql" ? " FOR UPDATE" : "",
    async select<T>(sql: string, replacements?: Replacements, t?: Transaction) {
      return (await sequelize.query(sql, { replacements, type: QueryTypes.SELECT, transaction: t })) as T[];
    },
    async change(sql, replacements, t) {
      const type = /^\s*delete/i.test(sql) ? QueryTypes.BULKDELETE : QueryTypes.BULKUPDATE;
      return Number(await sequelize.query(sql, { replacements, type, transaction: t }));
    },
    async insert(sql, replacements, t) {
      const [id] = (await sequelize.query(sql, { replacements, type: QueryTypes.INSERT, transaction: t })) as unknown as [number, number];
      return Number(id);
    },
    async insertRows(table, columns, rows, t) {
      if (!rows.length) return [];
      const head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES `;
      const one = `(${columns.map(() => "?").join(", ")})`;
      consecutiveIds ??=
        parsed.dialect === "sqlite"
          ? Promise.resolve(true)
          : db.select<{ step: number }>("SELECT @@auto_increment_increment AS step").then(([r]) => Number(r?.step ?? 1) === 1);
      if (!(await consecutiveIds)) {
        const ids: number[] = [];
        for (const r of rows) ids.push(await db.insert(head + one, r, t));
        return ids;
      }
      const reported = await db.insert(head + rows.map(() => one).join(", "), rows.flat(), t);
      // MySQL reports the first id of a multi-row INSERT, SQLite the last.
      const first = parsed.dialect === "mysql" ? reported : reported - rows.length + 1;
      return rows.map((_, i) => first + i);
    },
    write(fn) {
      if (parsed.dialect === "sqlite") {
        return queue(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, fn));
      }
      return sequelize.transaction(fn);
    },
    async ping() {
      await sequelize.query("SELECT 1", { type: QueryTypes.SELECT });
    },
    async close() {
      await sequelize.close();
    },
  };
  opts.log?.(`database: ${parsed.dialect}${parsed.storage ? " " + parsed.storage : ""}`);
  return db;
}

interface SqliteConn {
  configure(option: "busyTimeout", value: number): void;
  close(cb?: () => void): void;
}

interface SqliteConnectionManager {
  connections: Record<string, SqliteConn>;
  getConnection(o?: { uuid?: string }): Promise<SqliteConn>;
  releaseConnection(conn: SqliteConn, force?: boolean): void;
  destroyConnection(conn: SqliteConn): Promise<void>;
}

/**
 * Sequelize's SQLite dialect opens a new connection for every transaction and closes it after:
 * about 2 ms per ping batch, half of its cost. Here every transaction shares one writer
 * connection instead — safe because write() runs this process's transactions one at a time —
 * while reads outside transactions keep the default connection. Every connection gets a busy
 * timeout, so that another process (the user CLI, a second server) waits instead of failing.
 */
function shareWriterConnection(sequelize: Sequelize): void {
  const cm = (sequelize as unknown as { connectionManager: SqliteConnectionManager }).connectionManager;
  const getConnection = cm.getConnection.bind(cm);
  const releaseConnection = cm.releaseConnection.bind(cm);
  const destroyConnection = cm.destroyConnection.bind(cm);
  const configured = new WeakSet<object>();
  let writer: Promise<SqliteConn> | null = null;
  const open = async (o?: { uuid?: string }) => {
    const conn = await getConnection(o);
    if (!configured.has(conn)) {
      configured.add(conn);
      conn.configure("busyTimeout", 10_000);
    }
    return conn;
  };
  cm.getConnection = (o) => {
    if (!o?.uuid || o.uuid === "default") return open(o);
    writer ??= open({ ...o, uuid: "writer" }).catch((err) => {
      writer = null;
      throw err;
    });
    return writer;
  };
  const isWriter = (conn: SqliteConn) => cm.connections.writer === conn;
  cm.releaseConnection = (conn, force) => {
    if (isWriter(conn) && !force) return;
    releaseConnection(conn, force);
  };
  cm.destroyConnection = async (conn) => {
    if (!isWriter(conn)) return destroyConnection(conn);
    // A transaction that could not even clean up: start the next one on a fresh connection.
    writer = null;
    delete cm.connections.writer;
    await new Promise<void>((resolve) => conn.close(() => resolve()));
  };
}
