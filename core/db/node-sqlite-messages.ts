// The messages between node-sqlite-driver.ts (the main thread) and node-sqlite-worker.mjs (the
// thread that owns one connection).

import type { SQLInputValue } from "node:sqlite";

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

/** The worker's workerData: what to open, how (sqlite3's OPEN_* flags) */
export interface Opening {
  filename: string;
  mode: number;
}
