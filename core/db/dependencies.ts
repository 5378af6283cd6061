// Monitors' parents (monitor_dependencies) and what holds a monitor's alerts: the registry stores
// and shows the links, the notifier asks which parents are down and until when a monitor is snoozed.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { plainRows } from "./models.ts";
import type { DependencyEdge } from "../monitor/dependencies.ts";

/** A monitor at the other end of a link, as a monitor's page lists it. */
export interface LinkedMonitor {
  id: number;
  name: string;
  status: string;
}

/** Every link (the cycle check needs the whole graph; it is one row per link). */
export function allEdges(db: Database, t?: Transaction): Promise<DependencyEdge[]> {
  return plainRows(db.models.MonitorDependency, { transaction: t });
}

/** Replaces a monitor's parents. fresh: a monitor created in this transaction has none to delete. */
export async function setParents(
  db: Database,
  monitorId: number,
  parents: number[],
  t: Transaction,
  fresh = false,
): Promise<void> {
  if (!fresh) await db.models.MonitorDependency.destroy({ where: { monitor_id: monitorId }, transaction: t });
  const unique = [...new Set(parents)];
  if (unique.length)
    await db.models.MonitorDependency.bulkCreate(
      unique.map((p) => ({ monitor_id: monitorId, parent_id: p })),
      { transaction: t },
    );
}

/** Removes a monitor's links both ways (it is being deleted: its children lose that parent). */
export async function removeLinks(db: Database, monitorId: number, t: Transaction): Promise<void> {
  await db.models.MonitorDependency.destroy({ where: { monitor_id: monitorId }, transaction: t });
  await db.models.MonitorDependency.destroy({ where: { parent_id: monitorId }, transaction: t });
}

// Raw: a join, one query for a page of monitors.
/** Each monitor's parents and children (id, name, status), by name; monitors without map to []. */
export async function linksOf(
  db: Database,
  monitorIds: number[],
): Promise<{ parents: Map<number, LinkedMonitor[]>; children: Map<number, LinkedMonitor[]> }> {
  const parents = new Map<number, LinkedMonitor[]>(monitorIds.map((i) => [i, []]));
  const children = new Map<number, LinkedMonitor[]>(monitorIds.map((i) => [i, []]));
  if (!monitorIds.length) return { parents, children };
  const [up, down] = await Promise.all([
    db.select<{ link_of: number; id: number; name: string; status: string }>(
      "SELECT d.monitor_id AS link_of, m.id, m.name, m.status FROM monitor_dependencies d JOIN monitors m ON m.id = d.parent_id WHERE d.monitor_id IN (?) ORDER BY m.name, m.id",
      [monitorIds],
    ),
    db.select<{ link_of: number; id: number; name: string; status: string }>(
      "SELECT d.parent_id AS link_of, m.id, m.name, m.status FROM monitor_dependencies d JOIN monitors m ON m.id = d.monitor_id WHERE d.parent_id IN (?) ORDER BY m.name, m.id",
      [monitorIds],
    ),
  ]);
  const put = (to: Map<number, LinkedMonitor[]>, r: { link_of: number; id: number; name: string; status: string }) =>
    to.get(Number(r.link_of))?.push({ id: Number(r.id), name: r.name, status: r.status });
  for (const r of up) put(parents, r);
  for (const r of down) put(children, r);
  return { parents, children };
}

// Raw: the notifier's per-batch read; a join over the links.
/** For each monitor: until when it is snoozed (null: not), and the names of its parents that are down now. */
export async function holdFacts(
  db: Database,
  monitorIds: number[],
): Promise<Map<number, { snoozedUntil: number | null; downParents: string[] }>> {
  const out = new Map<number, { snoozedUntil: number | null; downParents: string[] }>();
  if (!monitorIds.length) return out;
  const [snoozed, down] = await Promise.all([
    db.select<{ id: number; snoozed_until: number | null }>("SELECT id, snoozed_until FROM monitors WHERE id IN (?)", [
      monitorIds,
    ]),
    db.select<{ monitor_id: number; name: string }>(
      "SELECT d.monitor_id, m.name FROM monitor_dependencies d JOIN monitors m ON m.id = d.parent_id WHERE d.monitor_id IN (?) AND m.status = 'down' ORDER BY m.name",
      [monitorIds],
    ),
  ]);
  for (const r of snoozed)
    out.set(Number(r.id), {
      snoozedUntil: r.snoozed_until === null ? null : Number(r.snoozed_until),
      downParents: [],
    });
  for (const r of down) out.get(Number(r.monitor_id))?.downParents.push(r.name);
  return out;
}

/** The end of the soonest snooze still running among these monitors, or null. */
export async function soonestSnoozeEnd(db: Database, monitorIds: number[], now: number): Promise<number | null> {
  if (!monitorIds.length) return null;
  const [r] = await db.select<{ until: number | null }>(
    "SELECT MIN(snoozed_until) AS until FROM monitors WHERE id IN (?) AND snoozed_until > ?",
    [monitorIds, now],
  );
  return r?.until === null || r?.until === undefined ? null : Number(r.until);
}

/** Sets or ends (null) a monitor's snooze; answers whether the monitor exists. */
export async function setSnooze(db: Database, monitorId: number, until: number | null, now: number): Promise<boolean> {
  const [n] = await db.models.Monitor.update({ snoozed_until: until, updated_at: now }, { where: { id: monitorId } });
  return n > 0;
}
