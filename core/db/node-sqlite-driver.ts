// Sequelize's SQLite dialect on Node's own node:sqlite: the part of the sqlite3 package's API that
// the dialect calls (its `dialectModule`), so that no native module is built or loaded. Each
// connection's statements run in order on a worker thread of its own (node-sqlite-worker.mjs), as
// sqlite3 ran them on libuv's pool: the event loop never waits for SQLite, and a busy wait for
// another connection's lock cannot hold up the connection that has the lock. Values in and out are
// sqlite3's: integers of 32 bits bound as INTEGER, other numbers as REAL, Dates as their ms, BLOBs
// read as Buffers, errors with `code` "SQLITE_CONSTRAINT" … and the message "SQLITE_…: …", which the
// dialect maps (UniqueConstraintError, ForeignKeyConstraintError, TimeoutError on SQLITE_BUSY).

import { EventEmitter } from "node:events";
import { Worker } from "node:worker_threads";
import type { SQLInputValue } from "node:sqlite";
import type { Failure, Opening, Params, Reply, Request } from "./node-sqlite-messages.ts";

/** SQLite's open flags, as sqlite3 exports them */
export const OPEN_READONLY = 0x1;
export const OPEN_READWRITE = 0x2;
export const OPEN_CREATE = 0x4;
export const OPEN_FULLMUTEX = 0x10000;

/** SQLite's primary result codes, by number, as sqlite3 names them in `err.code` */
const CODES = [
  "SQLITE_OK",
  "SQLITE_ERROR",
  "SQLITE_INTERNAL",
  "SQLITE_PERM",
  "SQLITE_ABORT",
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_INTERRUPT",
  "SQLITE_IOERR",
  "SQLITE_CORRUPT",
  "SQLITE_NOTFOUND",
  "SQLITE_FULL",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
  "SQLITE_EMPTY",
  "SQLITE_SCHEMA",
  "SQLITE_TOOBIG",
  "SQLITE_CONSTRAINT",
  "SQLITE_MISMATCH",
  "SQLITE_MISUSE",
  "SQLITE_NOLFS",
  "SQLITE_AUTH",
  "SQLITE_FORMAT",
  "SQLITE_RANGE",
  "SQLITE_NOTADB",
] as const;

export interface SqliteError extends Error {
  /** the primary result code's number (19 for any constraint) */
  errno?: number;
  /** "SQLITE_CONSTRAINT", "SQLITE_BUSY", … */
  code?: string;
}

/** An error as sqlite3 makes it: the primary code (extended codes folded), named in the message. */
export function sqliteError(f: Failure): SqliteError {
  if (f.errcode === undefined) return Object.assign(new Error(f.message), f.code ? { code: f.code } : {});
  const errno = f.errcode & 0xff;
  const code = CODES[errno] ?? "SQLITE_ERROR";
  return Object.assign(new Error(`${code}: ${f.message}`), { errno, code });
}

/** A value bound as sqlite3 binds it (its one oddity, a BigInt bound as NULL, is not copied: BigInts are INTEGERs). */
export function bindable(v: unknown): SQLInputValue {
  switch (typeof v) {
    case "number":
      return (v | 0) === v ? BigInt(v) : v;
    case "string":
    case "bigint":
      return v;
    case "boolean":
      return v ? 1n : 0n;
    case "undefined":
      return null;
    case "object":
      if (v === null || v instanceof Uint8Array) return v;
      if (v instanceof Date) return v.getTime();
      return String(v);
    default:
      return String(v);
  }
}

function bindAll(params: unknown): Params {
  if (Array.isArray(params)) return params.map(bindable);
  const out: Record<string, SQLInputValue> = {};
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) out[k] = bindable(v);
  return out;
}

type Callback<R> = (this: Statement, err: Error | null, result?: R) => void;
type Row = Record<string, unknown>;

function isParamsObject(v: unknown): boolean {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** sqlite3's argument forms: (sql, [a, b], cb), (sql, {$a: …}, cb), (sql, a, b, cb), (sql, cb). */
function split<R>(args: unknown[]): { params: Params; cb?: Callback<R> } {
  const cb = typeof args.at(-1) === "function" ? (args.pop() as Callback<R>) : undefined;
  const params = args.length === 1 && (Array.isArray(args[0]) || isParamsObject(args[0])) ? args[0] : args;
  return { params: bindAll(params), cb };
}

/** What a statement's callback sees as `this` (the dialect reads `lastID` and `changes`, and checks the class name). */
export class Statement {
  lastID = 0;
  changes = 0;
  readonly sql: string;
  constructor(sql: string) {
    this.sql = sql;
  }
}

type Handler = (reply: Reply) => void;
type OpenCallback = (this: Database, err: Error | null) => void;
/** A request before it is numbered */
type Unnumbered<R> = R extends unknown ? Omit<R, "id"> : never;
type Outgoing = Unnumbered<Request>;

export class Database extends EventEmitter {
  readonly filename: string;
  readonly mode: number;
  private readonly worker: Worker;
  private readonly pending = new Map<number, Handler>();
  private nextId = 1;
  private dead: Error | null = null;

  constructor(filename: string, mode?: number | OpenCallback, callback?: OpenCallback) {
    super();
    if (typeof mode === "function") [callback, mode] = [mode, undefined];
    this.filename = filename;
    this.mode = mode ?? OPEN_READWRITE | OPEN_CREATE | OPEN_FULLMUTEX;
    const opening: Opening = { filename, mode: this.mode };
    this.worker = new Worker(new URL("./node-sqlite-worker.mjs", import.meta.url), { workerData: opening });
    // An idle connection does not keep the process alive (as sqlite3's); a statement in flight does.
    this.worker.unref();
    this.worker.on("message", (reply: Reply) => {
      const handler = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (!this.pending.size) this.worker.unref();
      handler?.(reply);
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      const handlers = [...this.pending.values()];
      this.pending.clear();
      for (const handler of handlers) handler({ id: 0, error: { message: err.message } });
    };
    this.worker.on("error", fail);
    this.worker.on("exit", () => fail(new Error("SQLITE_MISUSE: Database is closed")));
    this.send({ op: "open" }, (reply) => {
      const err = reply.error ? sqliteError(reply.error) : null;
      if (callback) callback.call(this, err);
      else if (err) this.emit("error", err);
      if (!err) this.emit("open");
    });
  }

  private send(req: Outgoing, handler: Handler): void {
    if (this.dead) {
      const message = this.dead.message;
      queueMicrotask(() => handler({ id: 0, error: { message } }));
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, handler);
    if (this.pending.size === 1) this.worker.ref();
    this.worker.postMessage({ ...req, id });
  }

  /** The reply to a statement: its callback, or the "error" event when there is none (as sqlite3). */
  private statement<R>(stmt: Statement, cb: Callback<R> | undefined, result: (reply: Reply) => R) {
    return (reply: Reply) => {
      const err = reply.error ? sqliteError(reply.error) : null;
      if (!cb) {
        if (err) this.emit("error", err);
        return;
      }
      if (err) return cb.call(stmt, err);
      stmt.lastID = reply.lastID ?? 0;
      stmt.changes = reply.changes ?? 0;
      cb.call(stmt, null, result(reply));
    };
  }

  run(sql: string, ...args: unknown[]): this {
    const { params, cb } = split<void>(args);
    const stmt = new Statement(sql);
    this.send(
      { op: "run", sql, params },
      this.statement(stmt, cb, () => undefined),
    );
    return this;
  }

  all(sql: string, ...args: unknown[]): this {
    const { params, cb } = split<Row[]>(args);
    const stmt = new Statement(sql);
    this.send({ op: "all", sql, params }, this.statement(stmt, cb, rowsOf));
    return this;
  }

  get(sql: string, ...args: unknown[]): this {
    const { params, cb } = split<Row | undefined>(args);
    const stmt = new Statement(sql);
    this.send(
      { op: "get", sql, params },
      this.statement(stmt, cb, (reply) => rowsOf(reply)[0]),
    );
    return this;
  }

  /** Several statements in one text, no parameters. */
  exec(sql: string, cb?: (this: Database, err: Error | null) => void): this {
    this.send({ op: "exec", sql }, (reply) => {
      const err = reply.error ? sqliteError(reply.error) : null;
      if (cb) cb.call(this, err);
      else if (err) this.emit("error", err);
    });
    return this;
  }

  /** Statements of a connection always run one after another here, so both modes are the same. */
  serialize(cb?: () => void): void {
    cb?.();
  }

  parallelize(cb?: () => void): void {
    cb?.();
  }

  /** Only "busyTimeout" (ms) is used: how long a statement waits for another connection's lock. */
  configure(option: "busyTimeout", value: number): void {
    if (option !== "busyTimeout") throw new Error(`configure: ${String(option)} is not supported`);
    this.send({ op: "busyTimeout", ms: value }, (reply) => {
      if (reply.error) this.emit("error", sqliteError(reply.error));
    });
  }

  close(cb?: (err: Error | null) => void): void {
    this.send({ op: "close" }, (reply) => {
      const err = reply.error ? sqliteError(reply.error) : null;
      this.dead ??= new Error("SQLITE_MISUSE: Database is closed");
      if (cb) cb(err);
      else if (err) this.emit("error", err);
      else this.emit("close");
    });
  }
}

/** BLOBs arrive as Uint8Array (the message's copy): sqlite3 gave Buffers, views of the same bytes. */
function rowsOf(reply: Reply): Row[] {
  const rows = reply.rows ?? [];
  if (!reply.blobs) return rows;
  for (const row of rows) {
    for (const key in row) {
      const v = row[key];
      if (v instanceof Uint8Array && !Buffer.isBuffer(v)) row[key] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    }
  }
  return rows;
}
