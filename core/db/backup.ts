// The registry's import and export (services/registry/backup.ts) in the database: what a restore
// looks up by code and what it writes besides monitors and channels; what an export reads.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { MonitorRow } from "./models.ts";
import type { PingSpec } from "../import/plan.ts";

/** Pings go in by this many rows a statement. */
const PING_CHUNK = 500;

/** Every tag name, sorted. */
export async function tagNames(db: Database): Promise<string[]> {
  return (await db.select<{ name: string }>("SELECT name FROM tags ORDER BY name")).map((r) => r.name);
}

/** Every monitor, by id. */
export async function allMonitors(db: Database): Promise<MonitorRow[]> {
  return db.select<MonitorRow>("SELECT * FROM monitors ORDER BY id");
}

/** Every monitor's code by its id. */
export async function monitorCodes(db: Database): Promise<Map<number, string>> {
  return new Map(
    (await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors")).map((r) => [Number(r.id), r.code]),
  );
}

/** Of these codes, those that a monitor has. */
export async function storedCodes(db: Database, codes: string[], t?: Transaction): Promise<string[]> {
  return (await db.select<{ code: string }>("SELECT code FROM monitors WHERE code IN (?)", [codes], t)).map(
    (r) => r.code,
  );
}

/** The ids of the monitors with these codes, by code. */
export async function monitorIdsByCode(db: Database, codes: string[], t: Transaction): Promise<Map<string, number>> {
  return new Map(
    (await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors WHERE code IN (?)", [codes], t)).map(
      (r) => [r.code, Number(r.id)],
    ),
  );
}

/** Stores a restored monitor's pings (their data cut at `bodyLimit` characters) and sets its ping count. */
export async function insertPings(
  db: Database,
  monitorId: number,
  pings: PingSpec[],
  bodyLimit: number,
  t: Transaction,
): Promise<void> {
  const cols = [
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
  for (let i = 0; i < pings.length; i += PING_CHUNK) {
    const rows = pings.slice(i, i + PING_CHUNK).map((p) => {
      const data = p.data === null || p.data === undefined ? null : p.data.slice(0, bodyLimit);
      return [
        monitorId,
        p.kind,
        null,
        data,
        data !== null && data.length < p.data!.length,
        null,
        p.receivedAt,
        p.sourceIp ?? null,
        p.userAgent?.slice(0, 200) ?? null,
      ];
    });
    await db.insertRows("pings", cols, rows, t);
  }
  await db.change("UPDATE monitors SET ping_count = ? WHERE id = ?", [pings.length, monitorId], t);
}
