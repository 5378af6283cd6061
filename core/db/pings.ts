// The ping batch's statements (ingest's group commit): codes resolved to monitors, the batch's
// monitors locked, its pings stored in one multi-row statement, the monitors' new state written
// back, and pings past the retention pruned. Raw SQL on purpose: this is the measured hot path
// (bench/ping-ingest.ts, bench/ingest-floor.ts); each statement runs once a batch, or once a
// monitor that needs it, on the hot transaction's own connection, without the ORM's objects.

import type { Database, HotTransaction } from "./connect.ts";
import { chunked, placeholders, selectForUpdate } from "./connect.ts";
import type { MonitorRow } from "./models.ts";

/** What a ping batch reads of its monitors under the lock: state, schedule and run limits. */
const BATCH_COLUMNS = [
  "id",
  "status",
  "late_at",
  "down_at",
  "last_ping_at",
  "last_ping_kind",
  "last_start_at",
  "ping_count",
  "status_changed_at",
  "schedule_kind",
  "period_seconds",
  "grace_seconds",
  "cron_expression",
  "cron_dialect",
  "timezone",
  "deadline",
  "run_deadline_at",
  "consecutive_failures",
  "consecutive_successes",
  "max_run_seconds",
  "slow_factor",
  "slow_window",
  "failure_threshold",
  "recovery_threshold",
  "failure_rate_failures",
  "failure_rate_runs",
  "min_run_seconds",
  "min_gap_seconds",
  "report_unexpected_runs",
  "recent_outcomes",
].join(", ");

/** A stored ping's columns, in the order of the rows given to insertPings. */
const PING_COLUMNS = [
  "monitor_id",
  "kind",
  "exit_status",
  "data",
  "data_truncated",
  "duration_ms",
  "received_at",
  "source_ip",
  "user_agent",
];

/** What a ping batch writes back to each monitor it touched, in the order of updatePingedMonitors' rows. */
const MONITOR_COLUMNS = [
  "status",
  "late_at",
  "down_at",
  "last_ping_at",
  "last_ping_kind",
  "last_start_at",
  "run_deadline_at",
  "consecutive_failures",
  "consecutive_successes",
  "recent_outcomes",
  "ping_count",
  "status_changed_at",
];
// Most pings leave the status as it was. Leaving status and status_changed_at out of their
// UPDATE spares two index rewrites per ping: SQLite rewrites an index whenever its column is
// SET, even to the same value (a fifth of the batch's SQL time).
const STEADY_COLUMNS = MONITOR_COLUMNS.filter((c) => c !== "status" && c !== "status_changed_at");

/**
 * Raw SQL (after a restart every code misses the cache): the monitors of these codes, one
 * SELECT for all codes that arrived in one turn. hotSelect, because through sequelize's one
 * read connection these waited behind each WAL checkpoint, which made the first minute's
 * batches tiny.
 */
export function monitorsByCode(db: Database, codes: string[]): Promise<{ id: number; code: string }[]> {
  const parts = chunked(codes, 10_000).map((part) =>
    db.hotSelect<{ id: number; code: string }>(
      `SELECT id, code FROM monitors WHERE code IN (${placeholders(part.length)})`,
      part,
    ),
  );
  return Promise.all(parts).then((found) => found.flat());
}

/** Raw SQL (once a batch): the batch's monitors, locked in id order until the commit. */
export function lockPinged(tx: HotTransaction, ids: readonly number[]): Promise<MonitorRow[]> {
  return selectForUpdate<MonitorRow>(tx, "monitors", BATCH_COLUMNS, "id", ids);
}

/** Raw SQL (once a batch): the batch's pings in one multi-row INSERT (rows in PING_COLUMNS order); the new ids, in order. */
export function insertPings(tx: HotTransaction, rows: readonly unknown[][]): Promise<number[]> {
  return tx.insertRows("pings", PING_COLUMNS, rows);
}

/**
 * Raw SQL (once a batch for each monitor that judges slow runs and got a success): the
 * durations of its last `window` successful runs, newest first.
 */
export async function recentDurations(tx: HotTransaction, monitorId: number, window: number): Promise<number[]> {
  const rows = await tx.select<{ d: number }>(
    "SELECT duration_ms AS d FROM pings WHERE monitor_id = ? AND kind = 'success' AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?",
    [monitorId, window],
  );
  return rows.map((r) => Number(r.d));
}

/**
 * All monitors a batch touched (each row: MONITOR_COLUMNS by name, with `id`, `statusChanged`
 * and `outcomesChanged`): on MariaDB one UPDATE with a CASE per column (a batch of 200 pings to
 * 200 monitors is one statement, not 200); on SQLite's inline writer one prepared statement run
 * per monitor, which costs no round trip. recent_outcomes is written only by a part in which a
 * monitor's changed: most monitors keep no failure rate, and their pings need not pay for it.
 */
export async function updatePingedMonitors(tx: HotTransaction, rows: Record<string, unknown>[]): Promise<void> {
  const changed = rows.filter((r) => r.statusChanged);
  const steady = rows.filter((r) => !r.statusChanged);
  for (const [part, all] of [
    [changed, MONITOR_COLUMNS],
    [steady, STEADY_COLUMNS],
  ] as const) {
    const columns = part.some((r) => r.outcomesChanged) ? all : all.filter((c) => c !== "recent_outcomes");
    if (part.length)
      await tx.updateRows(
        "monitors",
        "id",
        columns,
        part.map((r) => [r.id, ...columns.map((c) => r[c])]),
      );
  }
}

/** Raw SQL (two statements, once a tenth of the allowance has piled up): keeps the newest `keep` pings of a monitor. */
export async function prunePings(tx: HotTransaction, monitorId: number, keep: number): Promise<void> {
  const [cut] = await tx.select<{ id: number }>(
    "SELECT id FROM pings WHERE monitor_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
    [monitorId, keep - 1],
  );
  if (cut) await tx.change("DELETE FROM pings WHERE monitor_id = ? AND id < ?", [monitorId, Number(cut.id)]);
}
