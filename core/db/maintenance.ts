// Reading and writing maintenance windows: the registry serves them, the notifier holds alerts
// back by them, and both judge them with the same pure rules (core/schedule/maintenance.ts).

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { plainRow, plainRows, type MaintenanceWindowRow } from "./models.ts";
import {
  activeUntil,
  nextChange,
  type MaintenanceWindow,
  type WindowInput,
  type WindowRule,
} from "../schedule/maintenance.ts";

export type WindowRow = MaintenanceWindowRow;

export interface NamedWindow extends MaintenanceWindow {
  name: string;
  createdAt: number;
  updatedAt: number;
}

const list = <T>(json: string): T[] => {
  try {
    const v = JSON.parse(json);
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
};

export function windowOf(r: WindowRow): NamedWindow {
  const rule: WindowRule =
    r.kind === "once"
      ? { kind: "once", startsAt: Number(r.starts_at), endsAt: Number(r.ends_at) }
      : {
          kind: "recurring",
          expression: String(r.cron_expression),
          durationSeconds: Number(r.duration_seconds),
          timezone: String(r.timezone),
        };
  return {
    id: Number(r.id),
    name: r.name,
    rule,
    monitorIds: list<number>(r.monitor_ids).map(Number),
    tags: list<string>(r.tags),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** The columns of a validated window. */
export function windowColumns(w: WindowInput) {
  const once = w.rule.kind === "once" ? w.rule : null;
  const rec = w.rule.kind === "recurring" ? w.rule : null;
  return {
    name: w.name,
    kind: w.rule.kind,
    starts_at: once?.startsAt ?? null,
    ends_at: once?.endsAt ?? null,
    cron_expression: rec?.expression ?? null,
    duration_seconds: rec?.durationSeconds ?? null,
    timezone: rec?.timezone ?? null,
    monitor_ids: JSON.stringify(w.monitorIds),
    tags: JSON.stringify(w.tags),
  };
}

export async function loadWindows(db: Database, t?: Transaction): Promise<NamedWindow[]> {
  return (await plainRows(db.models.MaintenanceWindow, { order: [["id", "ASC"]], transaction: t })).map(windowOf);
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A window as the API shows it, with whether it is active now and when that next changes. */
export function windowView(w: NamedWindow, now: number) {
  const rule =
    w.rule.kind === "once"
      ? { kind: "once" as const, startsAt: iso(w.rule.startsAt), endsAt: iso(w.rule.endsAt) }
      : w.rule;
  const until = activeUntil(w.rule, now);
  return {
    id: w.id,
    name: w.name,
    rule,
    monitorIds: w.monitorIds,
    tags: w.tags,
    active: until !== null,
    activeUntil: iso(until),
    nextChangeAt: iso(nextChange(w.rule, now)),
    createdAt: iso(w.createdAt),
    updatedAt: iso(w.updatedAt),
  };
}

// The registry's maintenance CRUD (services/registry/maintenance.ts) and the import's writes.

export async function windowRow(db: Database, windowId: number): Promise<WindowRow | undefined> {
  return plainRow(db.models.MaintenanceWindow, { where: { id: windowId } });
}

/** Stores a validated window; answers its id. */
export async function insertWindow(db: Database, w: WindowInput, now: number, t: Transaction): Promise<number> {
  const row = await db.models.MaintenanceWindow.create(
    { ...windowColumns(w), created_at: now, updated_at: now },
    { transaction: t },
  );
  return Number(row.get("id"));
}

/** Replaces a window's fields; answers how many windows changed (0: it is gone). */
export async function updateWindow(db: Database, windowId: number, w: WindowInput, now: number): Promise<number> {
  const [n] = await db.write((t) =>
    db.models.MaintenanceWindow.update(
      { ...windowColumns(w), updated_at: now },
      { where: { id: windowId }, transaction: t },
    ),
  );
  return n;
}

export async function deleteWindow(db: Database, windowId: number): Promise<void> {
  await db.write((t) => db.models.MaintenanceWindow.destroy({ where: { id: windowId }, transaction: t }));
}
