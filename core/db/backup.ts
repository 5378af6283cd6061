// The registry's import and export (services/registry/backup.ts) in the database: what a restore
// looks up by code and what it writes besides monitors and channels; what an export reads.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { plainRows, type MonitorRow } from "./models.ts";
import type { PingSpec } from "../import/plan.ts";

/** Pings go in by this many rows a statement. */
const PING_CHUNK = 500;

/** Every tag name, sorted. */
export async function tagNames(db: Database): Promise<string[]> {
  return (await plainRows(db.models.Tag, { attributes: ["name"], order: [["name", "ASC"]] })).map((r) => r.name);
}

/** Every monitor, by id. */
export async function allMonitors(db: Database): Promise<MonitorRow[]> {
  return plainRows(db.models.Monitor, { order: [["id", "ASC"]] });
}

/** Every monitor's code by its id. */
export async function monitorCodes(db: Database): Promise<Map<number, string>> {
  return new Map(
    (await plainRows(db.models.Monitor, { attributes: ["id", "code"] })).map((r) => [Number(r.id), r.code]),
  );
}

/** Of these codes, those that a monitor has. */
export async function storedCodes(db: Database, codes: string[], t?: Transaction): Promise<string[]> {
  return (await plainRows(db.models.Monitor, { attributes: ["code"], where: { code: codes }, transaction: t })).map(
    (r) => r.code,
  );
}

/** The ids of the monitors with these codes, by code. */
export async function monitorIdsByCode(db: Database, codes: string[], t: Transaction): Promise<Map<string, number>> {
  return new Map(
    (await plainRows(db.models.Monitor, { attributes: ["id", "code"], where: { code: codes }, transaction: t })).map(
      (r) => [r.code, Number(r.id)],
    ),
  );
}

/** Stores a restored monitor's pings (their data cut at `bodyLimit` characters) and adds them to its ping count. */
export async function insertPings(
  db: Database,
  monitorId: number,
  pings: PingSpec[],
  bodyLimit: number,
  t: Transaction,
): Promise<void> {
  for (let i = 0; i < pings.length; i += PING_CHUNK) {
    const rows = pings.slice(i, i + PING_CHUNK).map((p) => {
      const data = p.data === null || p.data === undefined ? null : p.data.slice(0, bodyLimit);
      return {
        monitor_id: monitorId,
        kind: p.kind,
        exit_status: null,
        data,
        data_truncated: data !== null && data.length < p.data!.length,
        duration_ms: null,
        received_at: p.receivedAt,
        source_ip: p.sourceIp ?? null,
        user_agent: p.userAgent?.slice(0, 200) ?? null,
      };
    });
    await db.models.Ping.bulkCreate(rows, { transaction: t });
  }
  // Added to: an import's history may come in several batches.
  await db.models.Monitor.increment("ping_count", { by: pings.length, where: { id: monitorId }, transaction: t });
}
