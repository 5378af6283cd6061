// Opens the database named by DATABASE_URL (SQLite file or MySQL/MariaDB) and gives the
// services one small surface over it: raw queries for hot paths, write transactions that
// are safe on both dialects, and the sequelize models for plain CRUD.

import path from "node:path";
import fs from "node:fs";
import { DatabaseSync, type StatementSync, type SQLInputValue } from "node:sqlite";
import { Sequelize, QueryTypes, Transaction } from "sequelize";
import { defineModels, type Models } from "./models.ts";
import { bindReplacements, type Replacements } from "./replacements.ts";
import * as nodeSqliteDriver from "./node-sqlite-driver.ts";

export type Dialect = "sqlite" | "mysql";
export type Row = Record<string, unknown>;
export type { Replacements };

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
  /**
   * A write transaction for hot paths (the ping batch, the checker's flips), without the ORM on
   * its statements. SQLite (a file): the statements run on the main thread on a connection of
   * Node's own node:sqlite, in the same queue as write() — no hop to a worker thread per
   * statement, the whole transaction is one turn of the event loop; the queue moves on at
   * COMMIT, and the promise resolves only after an fdatasync of the WAL that began after that
   * commit (synchronous=FULL's guarantee: an answered batch survives a power cut). MySQL/MariaDB: a sequelize
   * transaction whose statements go straight to its mysql2 connection, run again if InnoDB
   * rolled it back to break a deadlock (as write()), so `fn` must not have effects outside it.
   */
  hotWrite<T>(fn: (tx: HotTransaction) => Promise<T>): Promise<T>;
  /**
   * A read for hot paths (the ping's code lookup), `?` placeholders, one per value. On the
   * SQLite file it runs on the inline writer's connection, synchronously, so it never waits
   * behind a checkpoint or a slow read on sequelize's single read connection.
   */
  hotSelect<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Statements of a hotWrite transaction: `?` placeholders, one per value (no array expansion). */
export interface HotTransaction {
  /** the transaction as the usual Database surface (pass `t` along), e.g. for recordFlips */
  readonly db: Database;
  readonly t: Transaction;
  select<T = Row>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /** UPDATE/DELETE: rows changed (matched, on MySQL/MariaDB: FOUND_ROWS) */
  change(sql: string, params: readonly unknown[]): Promise<number>;
  /** a multi-row INSERT (split to stay under maxParams values a statement): the new ids, in order */
  insertRows(table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<number[]>;
  /**
   * UPDATE table SET col = value, … WHERE key = …, for each row (each row: its key, then the
   * columns' values in order): one statement per row, or one with a CASE per column.
   */
  updateRows(table: string, key: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void>;
  /** the most values one statement should carry */
  readonly maxParams: number;
}

/**
 * The rows of `table` whose `key` is in `ids`, locked until the transaction ends (FOR UPDATE on
 * MariaDB; SQLite's write lock covers the whole file). Locked in key order, so that two writers
 * taking overlapping sets (ingest replicas, checkers) never deadlock on each other.
 */
export async function selectForUpdate<T>(
  tx: HotTransaction,
  table: string,
  columns: string,
  key: string,
  ids: readonly number[],
): Promise<T[]> {
  const rows: T[] = [];
  for (const part of chunked(
    [...ids].sort((a, b) => a - b),
    tx.maxParams,
  )) {
    rows.push(
      ...(await tx.select<T>(
        `SELECT ${columns} FROM ${table} WHERE ${key} IN (${placeholders(part.length)}) ORDER BY ${key}${tx.db.forUpdate}`,
        part,
      )),
    );
  }
  return rows;
}

/** Many rows' UPDATE in one statement, portable to SQLite and MariaDB: a CASE per column. */
async function updateByCase(
  tx: Pick<HotTransaction, "change" | "maxParams">,
  table: string,
  key: string,
  columns: readonly string[],
  all: readonly unknown[][],
) {
  const perRow = columns.length * 2 + 1;
  for (const rows of chunked(all, Math.max(1, Math.floor(tx.maxParams / perRow)))) {
    const args: unknown[] = [];
    const whens = "WHEN ? THEN ? ".repeat(rows.length);
    columns.forEach((_, c) => {
      for (const r of rows) args.push(r[0], r[c + 1]);
    });
    for (const r of rows) args.push(r[0]);
    const sets = columns.map((col) => `${col} = CASE ${key} ${whens}END`);
    await tx.change(`UPDATE ${table} SET ${sets.join(", ")} WHERE ${key} IN (${placeholders(rows.length)})`, args);
  }
}

/** "?, ?, ?" for n values */
export function placeholders(n: number): string {
  return n <= 0 ? "" : "?" + ", ?".repeat(n - 1);
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
    if (storage === "")
      throw new DatabaseUrlError("DATABASE_URL sqlite: needs a file path, e.g. sqlite:./data/heartbeats.sqlite");
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
    // node:sqlite under sequelize's SQLite dialect: no native module to build or load (see the driver).
    sequelize = new Sequelize({
      dialect: "sqlite",
      dialectModule: nodeSqliteDriver,
      storage: parsed.storage,
      logging,
      pool: { max: 1, min: 0 },
    });
    shareWriterConnection(sequelize);
  } else {
    sequelize = new Sequelize(parsed.url!, {
      dialect: "mysql",
      logging,
      timezone: "+00:00",
      pool: { max: 10, min: 0, idle: 10_000, acquire: 30_000 },
      // FOUND_ROWS: an UPDATE reports the rows it matched, so a guard that matched counts as taken.
      dialectOptions: {
        supportBigNumbers: true,
        bigNumberStrings: false,
        connectTimeout: 10_000,
        flags: "+FOUND_ROWS",
      },
      // READ COMMITTED on every connection. Writers that depend on what they read lock it
      // (selectForUpdate, claims' guarded UPDATEs), so no snapshot is needed; and a multi-row
      // UPDATE, which InnoDB runs as a full scan on a small table, then passes over rows another
      // transaction holds instead of waiting for them. At REPEATABLE READ two ping batches on
      // different monitors deadlocked on every try (seen with 20 and 100 monitors under load).
      hooks: { afterConnect: (conn) => readCommitted(conn as MysqlDriverConn) },
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

  const stepIsOne = () =>
    db.select<{ step: number }>("SELECT @@auto_increment_increment AS step").then(([r]) => Number(r?.step ?? 1) === 1);
  const inline =
    parsed.dialect === "sqlite" && parsed.storage !== ":memory:"
      ? inlineSqlite(parsed.storage!, sequelize, () => db)
      : null;

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
      const [id] = (await sequelize.query(sql, {
        replacements,
        type: QueryTypes.INSERT,
        transaction: t,
      })) as unknown as [number, number];
      return Number(id);
    },
    async insertRows(table, columns, rows, t) {
      if (!rows.length) return [];
      const head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES `;
      const one = `(${columns.map(() => "?").join(", ")})`;
      consecutiveIds ??= parsed.dialect === "sqlite" ? Promise.resolve(true) : stepIsOne();
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
      return retryDeadlocks(() => sequelize.transaction(fn));
    },
    hotWrite(fn) {
      // The write queue is held until COMMIT, not through the fsync: the next transaction runs
      // while this one's WAL is synced, and each still resolves only once its own sync is done.
      if (inline) return queue(() => inline.transaction(fn)).then(({ result, synced }) => synced.then(() => result));
      if (parsed.dialect === "mysql") {
        return retryDeadlocks(() =>
          sequelize.transaction((t) => fn(mysqlHot(db, t, () => (consecutiveIds ??= stepIsOne())))),
        );
      }
      // SQLite in memory: one connection only, so through sequelize.
      return queue(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, (t) => fn(sequelizeHot(db, t))));
    },
    async hotSelect<T>(sql: string, params: readonly unknown[]) {
      if (inline) return inline.select<T>(sql, params);
      return db.select<T>(sql, params as unknown[]);
    },
    async ping() {
      await sequelize.query("SELECT 1", { type: QueryTypes.SELECT });
    },
    async close() {
      inline?.close();
      await sequelize.close();
    },
  };
  opts.log?.(`database: ${parsed.dialect}${parsed.storage ? " " + parsed.storage : ""}`);
  return db;
}

/** `rows` in pieces of at most `size` (statements have a limit of values). */
export function chunked<T>(rows: readonly T[], size: number): T[][] {
  if (!rows.length) return [];
  if (rows.length <= size) return [rows as T[]];
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

const SQLITE_BUSY = 5;
const BUSY_WAIT_MS = 10_000;

/**
 * The SQLite file's inline writer: a node:sqlite connection used only inside hotWrite, which
 * runs in write()'s queue, so no other writer of this process holds the lock meanwhile. Its
 * statements are synchronous: BEGIN … COMMIT in one go, with no thread hop between statements.
 *
 * Durability is that of synchronous=FULL, with the fsync moved off the main thread: the
 * connection commits with synchronous=NORMAL (the commit's WAL frames are written, not yet
 * synced), then the WAL file is fdatasync'ed in libuv's thread pool, and only after that does
 * hotWrite resolve. So a batch is acknowledged only once its commit is on stable storage (it
 * survives a power cut), while the event loop keeps reading the next pings during the fsync —
 * which is what makes the next group commit large. Checkpoints, which this connection does not
 * run itself (they would stall the event loop), run in the background on sequelize's read
 * connection (a worker thread), PASSIVE, and sync the WAL and the database file themselves.
 *
 * Another process holding the lock (the user CLI) is waited for without blocking the event
 * loop: BEGIN IMMEDIATE is retried on SQLITE_BUSY, as long as the other connections' busy timeout.
 */
function inlineSqlite(storage: string, sequelize: Sequelize, outer: () => Database) {
  let conn: DatabaseSync | null = null;
  const cache = new Map<string, StatementSync>();
  const walPath = `${storage}-wal`;
  let wal: { fd: number; ino: number } | null = null;
  const retired: number[] = [];
  const open = (): DatabaseSync => {
    if (conn) return conn;
    const c = new DatabaseSync(storage);
    c.exec("PRAGMA busy_timeout = 0");
    c.exec("PRAGMA synchronous = NORMAL"); // + the fdatasync of the WAL before resolving: see above
    c.exec("PRAGMA wal_autocheckpoint = 0");
    c.exec("PRAGMA foreign_keys = ON"); // as sequelize's connections
    if ((c.prepare("PRAGMA journal_mode").get() as { journal_mode: string }).journal_mode !== "wal") {
      c.close();
      throw new Error("the inline writer needs the database in WAL mode");
    }
    conn = c;
    return c;
  };
  /** fdatasync of the WAL file: the commit record and everything before it reach the disk. */
  const syncWal = async (): Promise<void> => {
    // The WAL file lives as long as a connection is open (ours is); reopen if it was replaced.
    const ino = fs.statSync(walPath).ino;
    if (!wal || wal.ino !== ino) {
      // A sync of the old file may still be in flight: its descriptor is closed with the connection.
      if (wal) retired.push(wal.fd);
      const fd = fs.openSync(walPath, "r");
      wal = { fd, ino: fs.fstatSync(fd).ino };
    }
    const fd = wal.fd;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  };
  let checkpointing = false;
  let committedSince = 0;
  let lastCheckpoint = 0;
  const checkpointSoon = () => {
    committedSince++;
    if (checkpointing || (committedSince < 64 && Date.now() - lastCheckpoint < 250)) return;
    checkpointing = true;
    committedSince = 0;
    sequelize
      .query("PRAGMA wal_checkpoint(PASSIVE)", { type: QueryTypes.SELECT })
      .catch(() => undefined) // a busy checkpoint is retried with the next batches
      .finally(() => {
        checkpointing = false;
        lastCheckpoint = Date.now();
      });
  };
  const prepared = (sql: string): StatementSync => {
    let st = cache.get(sql);
    if (!st) {
      if (cache.size >= 1000) cache.clear();
      st = open().prepare(sql);
      cache.set(sql, st);
    }
    return st;
  };
  // Bound as sequelize writes them into SQL: integers as INTEGER, booleans as 1/0.
  const bind = (v: unknown): SQLInputValue =>
    typeof v === "number" && Number.isSafeInteger(v)
      ? BigInt(v)
      : typeof v === "boolean"
        ? v
          ? 1n
          : 0n
        : v === undefined
          ? null
          : (v as SQLInputValue);
  const binds = (params: readonly unknown[]) => params.map(bind);
  const maxParams = 32_000; // SQLite's limit: 32766 values a statement

  const tx: HotTransaction = {
    get db() {
      return txDb;
    },
    t: null as unknown as Transaction,
    maxParams,
    async select<T>(sql: string, params: readonly unknown[]) {
      return prepared(sql).all(...binds(params)) as T[];
    },
    async change(sql, params) {
      return Number(prepared(sql).run(...binds(params)).changes);
    },
    // Synchronous statements cost no round trip: one prepared UPDATE per row is as fast as a
    // CASE per column, and one statement serves every batch size (a big CASE takes ms to prepare).
    async updateRows(table, key, columns, rows) {
      const st = prepared(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(", ")} WHERE ${key} = ?`);
      for (const r of rows) st.run(...binds(r.slice(1)), bind(r[0]));
    },
    // Likewise one prepared INSERT run per row, each reporting its own id.
    async insertRows(table, columns, rows) {
      const st = prepared(`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${placeholders(columns.length)})`);
      return rows.map((r) => Number(st.run(...binds(r)).lastInsertRowid));
    },
  };
  // The same transaction behind the Database surface (sequelize-style replacements), for shared
  // code such as recordFlips: the replacements become bound parameters of a prepared statement.
  const statement = (sql: string, replacements?: Replacements) => {
    const bound = bindReplacements(sql, replacements);
    return { st: prepared(bound.sql), params: binds(bound.params) };
  };
  let txDb: Database;
  const makeTxDb = (): Database => {
    const base = outer();
    return {
      ...base,
      async select<T>(sql: string, replacements?: Replacements) {
        const { st, params } = statement(sql, replacements);
        return st.all(...params) as T[];
      },
      async change(sql: string, replacements?: Replacements) {
        const { st, params } = statement(sql, replacements);
        return Number(st.run(...params).changes);
      },
      async insert(sql: string, replacements?: Replacements) {
        const { st, params } = statement(sql, replacements);
        return Number(st.run(...params).lastInsertRowid);
      },
      insertRows: (table: string, columns: readonly string[], rows: readonly unknown[][]) =>
        tx.insertRows(table, columns, rows),
      write() {
        throw new Error("write() inside hotWrite would wait for itself");
      },
      hotWrite() {
        throw new Error("hotWrite() inside hotWrite would wait for itself");
      },
    };
  };

  async function begin(c: DatabaseSync): Promise<void> {
    const until = Date.now() + BUSY_WAIT_MS;
    for (;;) {
      try {
        c.exec("BEGIN IMMEDIATE");
        return;
      } catch (err) {
        if ((err as { errcode?: number }).errcode !== SQLITE_BUSY || Date.now() > until) throw err;
        await new Promise((r) => setTimeout(r, 5));
      }
    }
  }

  return {
    /**
     * BEGIN IMMEDIATE … COMMIT; `synced` settles once the commit is on stable storage. An
     * fdatasync started after this commit covers it and every commit before it, so the next
     * transaction need not wait for this one's sync.
     */
    async transaction<T>(fn: (tx: HotTransaction) => Promise<T>): Promise<{ result: T; synced: Promise<void> }> {
      const c = open();
      txDb ??= makeTxDb();
      await begin(c);
      let result: T;
      try {
        result = await fn(tx);
        c.exec("COMMIT");
      } catch (err) {
        if (c.isTransaction) c.exec("ROLLBACK");
        throw err;
      }
      const synced = syncWal();
      synced.catch(() => undefined); // awaited by hotWrite; this only keeps a failure from being unhandled meanwhile
      checkpointSoon();
      return { result, synced };
    },
    /** A read outside the transaction (WAL: it sees the last commit, never blocks on a checkpoint). */
    select: <T>(sql: string, params: readonly unknown[]): T[] => prepared(sql).all(...binds(params)) as T[],
    close() {
      cache.clear();
      conn?.close();
      conn = null;
      if (wal) fs.closeSync(wal.fd);
      for (const fd of retired.splice(0)) fs.closeSync(fd);
      wal = null;
    },
  };
}

interface MysqlDriverConn {
  query(sql: string, params: unknown[], cb: (err: Error | null, result: unknown) => void): void;
}

/**
 * InnoDB resolves a deadlock by rolling one transaction back whole (gap locks make them common
 * between concurrent inserts and the checker's locking reads); the rolled-back one is simply run
 * again, as MariaDB's manual advises, instead of surfacing as a 500. Three tries, jittered.
 */
export async function retryDeadlocks<T>(run: () => Promise<T>, tries = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (err) {
      if (attempt >= tries || !isDeadlock(err)) throw err;
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * attempt));
    }
  }
}

function isDeadlock(err: unknown): boolean {
  const e = err as {
    parent?: { errno?: number; code?: string };
    original?: { errno?: number };
    errno?: number;
    code?: string;
  };
  const errno = e?.parent?.errno ?? e?.original?.errno ?? e?.errno;
  return errno === 1213 || e?.parent?.code === "ER_LOCK_DEADLOCK" || e?.code === "ER_LOCK_DEADLOCK";
}

function readCommitted(conn: MysqlDriverConn): Promise<void> {
  return new Promise((resolve, reject) =>
    conn.query("SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", [], (err) => (err ? reject(err) : resolve())),
  );
}

/** A sequelize transaction's statements sent straight to its mysql2 connection. */
function mysqlHot(db: Database, t: Transaction, consecutiveIds: () => Promise<boolean>): HotTransaction {
  const conn = (t as unknown as { connection: MysqlDriverConn }).connection;
  const query = <R>(sql: string, params: readonly unknown[]) =>
    new Promise<R>((resolve, reject) =>
      conn.query(sql, params as unknown[], (err, result) => (err ? reject(err) : resolve(result as R))),
    );
  // mysql2 writes the values into the statement text, as sequelize did: no bind limit, only
  // max_allowed_packet, which chunks of this many values stay well under.
  const maxParams = 20_000;
  const tx: HotTransaction = {
    db,
    t,
    maxParams,
    select: <T>(sql: string, params: readonly unknown[]) => query<T[]>(sql, params),
    async change(sql, params) {
      return Number((await query<{ affectedRows: number }>(sql, params)).affectedRows);
    },
    updateRows: (table, key, columns, rows) => updateByCase(tx, table, key, columns, rows),
    async insertRows(table, columns, rows) {
      const ids: number[] = [];
      const head = `INSERT INTO ${table} (${columns.join(", ")}) VALUES `;
      const one = `(${placeholders(columns.length)})`;
      if (!(await consecutiveIds())) {
        for (const r of rows) ids.push(Number((await query<{ insertId: number }>(head + one, r)).insertId));
        return ids;
      }
      for (const part of chunked(rows, Math.max(1, Math.floor(maxParams / columns.length)))) {
        const { insertId } = await query<{ insertId: number }>(
          head + Array(part.length).fill(one).join(", "),
          part.flat(),
        );
        // MySQL reports the first id of a multi-row INSERT.
        for (let i = 0; i < part.length; i++) ids.push(Number(insertId) + i);
      }
      return ids;
    },
  };
  return tx;
}

/** The same through sequelize (SQLite in memory, which has one connection only). */
function sequelizeHot(db: Database, t: Transaction): HotTransaction {
  const tx: HotTransaction = {
    db,
    t,
    maxParams: 32_000,
    select: (sql, params) => db.select(sql, params as unknown[], t),
    change: (sql, params) => db.change(sql, params as unknown[], t),
    insertRows: (table, columns, rows) => db.insertRows(table, columns, rows, t),
    updateRows: (table, key, columns, rows) => updateByCase(tx, table, key, columns, rows),
  };
  return tx;
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

/** The database URL fit for a log line: the password is replaced by ***. */
export function redactedUrl(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
}
