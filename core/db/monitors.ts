// Creating a monitor row with its tags and channels: the registry's create and its import
// (which keeps a code it is given, and may create the monitor paused) share this one writer.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { Schedule } from "../schedule/schedule.ts";
import { deadlinesAfterArm } from "../schedule/schedule.ts";
import { scheduleColumns } from "../monitor/monitor-record.ts";
import { setChannels } from "./channels.ts";
import { removeLinks, setParents } from "./dependencies.ts";
import { columnsOf, plainRow, plainRows, type M, type MonitorRow } from "./models.ts";
import type { Tracked } from "../monitor/monitor-status.ts";
import { UPTIME_WINDOWS_MS } from "../monitor/uptime.ts";
import { UPTIME_JOIN, UPTIME_PERCENT, UPTIME_SORTS } from "./uptime.ts";

/** fresh: a monitor created in this transaction has nothing to delete (and on MariaDB the delete's gap lock would deadlock concurrent creates). */
export async function setTags(
  db: Database,
  monitorId: number,
  names: string[],
  t: Transaction,
  fresh = false,
): Promise<void> {
  if (!fresh) await db.models.MonitorTag.destroy({ where: { monitor_id: monitorId }, transaction: t });
  const unique = [...new Set(names)];
  if (!unique.length) return;
  await db.models.Tag.bulkCreate(
    unique.map((n) => ({ name: n })),
    { ignoreDuplicates: true, transaction: t },
  );
  const ids = await plainRows(db.models.Tag, { attributes: ["id"], where: { name: unique }, transaction: t });
  await db.models.MonitorTag.bulkCreate(
    ids.map((r) => ({ monitor_id: monitorId, tag_id: Number(r.id) })),
    { transaction: t },
  );
}

export interface NewMonitor {
  code: string;
  name: string;
  description: string | null;
  schedule: Schedule;
  tags: string[];
  channels: number[];
  repeatEverySeconds: number | null;
  /** created paused (no deadlines) instead of armed as new */
  paused?: boolean;
  /** run-limit columns (core/monitor/monitor-record.ts runLimitColumns); absent: the defaults */
  runLimits?: Record<string, unknown>;
  /** ids of its parents (checked by the caller: core/monitor/dependencies.ts) */
  dependsOn?: number[];
  /** a snooze carried over by a restore; absent: none */
  snoozedUntil?: number | null;
}

/** Inserts the monitor armed at `now` (or paused), with its tags and channels; returns its id. */
export async function insertMonitor(
  db: Database,
  m: NewMonitor,
  defaultTimezone: string,
  now: number,
  t: Transaction,
): Promise<number> {
  const d = m.paused ? { lateAt: null, downAt: null } : deadlinesAfterArm(m.schedule, now);
  const created = await db.models.Monitor.create(
    {
      code: m.code,
      name: m.name,
      description: m.description,
      ...scheduleColumns(m.schedule, defaultTimezone),
      status: m.paused ? "paused" : "new",
      armed_at: now,
      late_at: d.lateAt,
      down_at: d.downAt,
      status_changed_at: now,
      ping_count: 0,
      repeat_every_seconds: m.repeatEverySeconds,
      next_reminder_at: null,
      reminders_sent: 0,
      ...m.runLimits,
      snoozed_until: m.snoozedUntil ?? null,
      created_at: now,
      updated_at: now,
    },
    { transaction: t },
  );
  const id = Number(created.get("id"));
  await setTags(db, id, m.tags, t, true);
  await setChannels(db, id, m.channels, t, true);
  if (m.dependsOn?.length) await setParents(db, id, m.dependsOn, t, true);
  return id;
}

// The registry's reads and writes of monitors (services/registry/monitors.ts): one function a query.

/** The monitor row (locked for the transaction when asked), or undefined. */
export async function monitorRow(
  db: Database,
  monitorId: number,
  t?: Transaction,
  lock = false,
): Promise<MonitorRow | undefined> {
  // The lock is MariaDB's FOR UPDATE; SQLite has none (its writer holds the whole file).
  return plainRow(db.models.Monitor, {
    where: { id: monitorId },
    transaction: t,
    ...(lock && t ? { lock: t.LOCK.UPDATE } : {}),
  });
}

/** The monitors with these ids; ids that name none are left out. */
export async function monitorsById(db: Database, ids: number[]): Promise<MonitorRow[]> {
  return plainRows(db.models.Monitor, { where: { id: ids } });
}

/** Of these ids, those that name a monitor. */
export async function existingMonitorIds(db: Database, ids: number[], t?: Transaction): Promise<Set<number>> {
  return new Set(
    (await plainRows(db.models.Monitor, { attributes: ["id"], where: { id: ids }, transaction: t })).map((r) =>
      Number(r.id),
    ),
  );
}

/** The monitor of exactly this code: MariaDB's default collation matches without case, so the stored code is compared again here (as the ping batch's lookup keys by the stored code). */
export async function monitorIdByCode(db: Database, code: string): Promise<number | null> {
  const r = await plainRow(db.models.Monitor, { attributes: ["id", "code"], where: { code } });
  return r && r.code === code ? Number(r.id) : null;
}

/** Stores a paused or resumed monitor's new status and deadlines (the caller stores its flip). */
export async function storeTransition(
  db: Database,
  monitorId: number,
  next: Tracked,
  armedAt: number,
  now: number,
  t: Transaction,
): Promise<void> {
  await db.models.Monitor.update(
    {
      status: next.status,
      late_at: next.lateAt,
      down_at: next.downAt,
      run_deadline_at: next.runDeadlineAt,
      consecutive_failures: next.failures,
      consecutive_successes: next.successes,
      recent_outcomes: next.outcomes,
      armed_at: armedAt,
      status_changed_at: now,
      updated_at: now,
    },
    { where: { id: monitorId }, transaction: t },
  );
}

/** Sets these columns of one monitor. */
export async function updateMonitorColumns(
  db: Database,
  monitorId: number,
  set: Record<string, unknown>,
  t: Transaction,
): Promise<void> {
  await db.models.Monitor.update(columnsOf(db.models.Monitor, set), { where: { id: monitorId }, transaction: t });
}

/** Deletes a monitor and everything hanging off it; answers how many monitors went (0 or 1). */
export async function deleteMonitor(db: Database, monitorId: number): Promise<number> {
  return db.write(async (t) => {
    // Children first: SQLite enforces the foreign keys only when the pragma is on.
    const { models: m } = db;
    const children = [m.Delivery, m.Flip, m.Ping, m.MonitorTag, m.MonitorChannel, m.BadgeKey];
    for (const model of children as unknown as M<{ monitor_id: number }>[])
      await model.destroy({ where: { monitor_id: monitorId }, transaction: t });
    await removeLinks(db, monitorId, t);
    return m.Monitor.destroy({ where: { id: monitorId }, transaction: t });
  });
}

/** The list's sort keys and their columns (a monitor's next due time is its late_at). */
export const MONITOR_SORTS = {
  name: "m.name",
  status: "m.status",
  lastPingAt: "m.last_ping_at",
  nextDueAt: "m.late_at",
  createdAt: "m.created_at",
  uptime: UPTIME_PERCENT,
  uptimeWeek: UPTIME_PERCENT,
  uptimeMonth: UPTIME_PERCENT,
} as const;
export type MonitorSort = keyof typeof MONITOR_SORTS;

export interface MonitorSearch {
  /** a monitor must carry all of these tags */
  tags: string[];
  /** in the name or description, or the code */
  q?: string;
  status?: string;
  sort: MonitorSort;
  order: "asc" | "desc";
  limit: number;
  offset: number;
  /** the end of the uptime windows: needed to sort by uptime */
  now?: number;
}

// Raw: the dashboard's list, measured at 10,000 monitors (bench/dashboard.ts): tag subquery, escaped LIKE, status counts, sort.
/** One page of the monitors that match, their total, and the counts per status under the tag and text filters alone. */
export async function searchMonitors(
  db: Database,
  s: MonitorSearch,
): Promise<{ statusCounts: { status: string; n: number }[]; total: number; rows: MonitorRow[] }> {
  const where: string[] = [];
  const args: Record<string, unknown> = {};
  if (s.tags.length) {
    where.push(
      "m.id IN (SELECT mt.monitor_id FROM monitor_tags mt JOIN tags t ON t.id = mt.tag_id WHERE t.name IN (:tags) GROUP BY mt.monitor_id HAVING COUNT(*) = :ntags)",
    );
    args.tags = s.tags;
    args.ntags = s.tags.length;
  }
  if (s.q) {
    where.push("(m.name LIKE :like ESCAPE '!' OR m.description LIKE :like ESCAPE '!' OR m.code = :q)");
    args.like = `%${s.q.replace(/[!%_]/g, "!$&")}%`;
    args.q = s.q;
  }
  const countFilter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const statusCounts = await db.select<{ status: string; n: number }>(
    `SELECT m.status, COUNT(*) AS n FROM monitors m ${countFilter} GROUP BY m.status`,
    args,
  );
  if (s.status) {
    where.push("m.status = :status");
    args.status = s.status;
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const [{ n }] = await db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM monitors m ${filter}`, args);
  const dir = s.order === "desc" ? "DESC" : "ASC";
  const orderBy = `${MONITOR_SORTS[s.sort]} ${dir}, m.id ${dir}`;
  // Sorting by uptime joins the window's time paused and down per monitor (core/db/uptime.ts).
  const window = s.sort in UPTIME_SORTS ? UPTIME_SORTS[s.sort as keyof typeof UPTIME_SORTS] : null;
  if (window) {
    if (s.now === undefined) throw new Error("sorting by uptime needs the time the windows end");
    Object.assign(args, { ufrom: s.now - UPTIME_WINDOWS_MS[window], unow: s.now });
  }
  const rows = await db.select<MonitorRow>(
    `SELECT m.* FROM monitors m ${window ? UPTIME_JOIN : ""} ${filter} ORDER BY ${orderBy} LIMIT :limit OFFSET :offset`,
    { ...args, limit: s.limit, offset: s.offset },
  );
  return { statusCounts, total: Number(n), rows };
}

// Raw: a GROUP BY aggregate.
/** How many monitors have each status (statuses without monitors are absent). */
export async function monitorCountsByStatus(db: Database): Promise<Map<string, number>> {
  const rows = await db.select<{ status: string; n: number }>(
    "SELECT status, COUNT(*) AS n FROM monitors GROUP BY status",
  );
  return new Map(rows.map((r) => [r.status, Number(r.n)]));
}

/** One page of a monitor's pings or flips, newest first, with their total. */
export async function historyPage(
  db: Database,
  table: "pings" | "flips",
  monitorId: number,
  limit: number,
  offset: number,
): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  const model = (table === "pings" ? db.models.Ping : db.models.Flip) as unknown as M<Record<string, unknown>>;
  const where = { monitor_id: monitorId };
  const total = await model.count({ where });
  const rows = await plainRows(model, { where, order: [["id", "DESC"]], limit, offset });
  return { total, rows };
}

/** One page of a monitor's deliveries, newest first, each with its channel's name (null once deleted), with their total. */
export async function notificationsPage(
  db: Database,
  monitorId: number,
  limit: number,
  offset: number,
): Promise<{ total: number; rows: Record<string, unknown>[] }> {
  const total = await db.models.Delivery.count({ where: { monitor_id: monitorId } });
  // Raw: a join (each delivery's channel name).
  const rows = await db.select<Record<string, unknown>>(
    `SELECT d.*, c.name AS channel_name FROM deliveries d LEFT JOIN channels c ON c.id = d.channel_id
      WHERE d.monitor_id = ? ORDER BY d.id DESC LIMIT ? OFFSET ?`,
    [monitorId, limit, offset],
  );
  return { total, rows };
}
