// A lean bulk reader for the checker's start and rebalance: a million monitors read in pages
// by id (`WHERE id > ? … ORDER BY id LIMIT page`), straight from the driver, with rows handed
// over as arrays of column values. No sequelize objects and no copy of the whole table in
// memory: only one page of rows exists at a time.

import type { Database } from "./connect.ts";

export interface ScanOptions {
  /** columns to read; the first must be `id` */
  columns: readonly string[];
  /** an extra condition (SQL with one `?` per value: no list parameters), ANDed with the id range */
  where?: string;
  params?: readonly unknown[];
  /** rows per page */
  page?: number;
  /** a pause between pages, so that a background scan leaves the event loop and the database to others */
  pauseMs?: number;
  /** asked between pages: true ends the scan early (the service is stopping) */
  cancelled?: () => boolean;
}

interface MysqlConn {
  query(
    opts: { sql: string; values: unknown[]; rowsAsArray: true },
    cb: (err: Error | null, rows: unknown[][]) => void,
  ): void;
}
interface SqliteConn {
  all(sql: string, params: unknown[], cb: (err: Error | null, rows: Record<string, unknown>[]) => void): void;
}
interface ConnectionManager {
  getConnection(o?: Record<string, unknown>): Promise<unknown>;
  releaseConnection(conn: unknown): void;
}

/**
 * Calls `each` with every monitors row matching `where`, in id order, the row as an array of
 * `columns` values (reused between calls: copy what you keep). Returns the number of rows.
 */
export async function scanMonitors(
  db: Database,
  opts: ScanOptions,
  each: (row: readonly unknown[]) => void,
): Promise<number> {
  if (opts.columns[0] !== "id") throw new Error("scanMonitors: the first column must be id");
  const page = opts.page ?? 50_000;
  const cond = opts.where ? ` AND (${opts.where})` : "";
  const cm = (db.sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;
  const mysql = db.dialect === "mysql";
  // Walk the primary key: with a status index at hand the planners otherwise read every row of
  // those statuses past the cursor and sort them, for every page (SQLite does, without ANALYZE).
  // SQLite's NOT INDEXED still seeks by rowid (the id).
  const hint = mysql ? " FORCE INDEX (PRIMARY)" : " NOT INDEXED";
  const sql = `SELECT ${opts.columns.join(", ")} FROM monitors${hint} WHERE id > ?${cond} ORDER BY id LIMIT ${page}`;
  const conn = await cm.getConnection(mysql ? { type: "read" } : {});
  const row: unknown[] = new Array(opts.columns.length);
  let n = 0;
  try {
    let after = -1;
    for (;;) {
      const values = [after, ...(opts.params ?? [])];
      let got: number;
      if (mysql) {
        const rows = await new Promise<unknown[][]>((resolve, reject) =>
          (conn as MysqlConn).query({ sql, values, rowsAsArray: true }, (err, r) => (err ? reject(err) : resolve(r))),
        );
        for (const r of rows) each(r);
        got = rows.length;
        if (got) after = Number(rows[got - 1]![0]);
      } else {
        const rows = await new Promise<Record<string, unknown>[]>((resolve, reject) =>
          (conn as SqliteConn).all(sql, values, (err, r) => (err ? reject(err) : resolve(r))),
        );
        for (const r of rows) {
          for (let i = 0; i < opts.columns.length; i++) row[i] = r[opts.columns[i]!];
          each(row);
        }
        got = rows.length;
        if (got) after = Number(rows[got - 1]!.id);
      }
      n += got;
      if (got < page) return n;
      if (opts.pauseMs) await new Promise((r) => setTimeout(r, opts.pauseMs));
      if (opts.cancelled?.()) return n;
    }
  } finally {
    if (mysql) cm.releaseConnection(conn);
  }
}
