// Hosts in the database: the machines the agent-collector polls over SSH, and their samples. The
// registry's hosts.* actions read and write them here (the collector's claims are its own).

import { Op } from "sequelize";
import type { Database } from "./connect.ts";
import { columnsOf, plainRow, plainRows, type HostRow } from "./models.ts";

export type { HostRow };

/** The columns a new host is stored with (the rest start empty). */
const NEW_HOST_COLUMNS = [
  "name",
  "address",
  "port",
  "username",
  "private_key",
  "key_path",
  "passphrase",
  "host_key_fingerprint",
  "trust_on_first_use",
  "interval_seconds",
  "grace_seconds",
  "checks",
  "processes",
  "monitor_id",
  "enabled",
  "next_poll_at",
  "created_at",
  "updated_at",
] as const;
export type NewHost = { [K in (typeof NEW_HOST_COLUMNS)[number]]: unknown };

export async function hostRow(db: Database, hostId: number): Promise<HostRow | undefined> {
  return plainRow(db.models.Host, { where: { id: hostId } });
}

/** Every host, by name. */
export async function listHosts(db: Database): Promise<HostRow[]> {
  return plainRows(db.models.Host, {
    order: [
      ["name", "ASC"],
      ["id", "ASC"],
    ],
  });
}

export async function hostIdByName(db: Database, name: string): Promise<number | null> {
  const r = await plainRow(db.models.Host, { attributes: ["id"], where: { name } });
  return r ? Number(r.id) : null;
}

/** Stores a new host; answers its id. */
export async function insertHost(db: Database, h: NewHost): Promise<number> {
  const values = Object.fromEntries(NEW_HOST_COLUMNS.map((c) => [c, h[c]])) as Partial<HostRow>;
  const row = await db.write((t) => db.models.Host.create(values, { transaction: t }));
  return Number(row.get("id"));
}

/** Sets these columns of one host. */
export async function updateHost(db: Database, hostId: number, set: Record<string, unknown>): Promise<void> {
  const values = columnsOf(db.models.Host, set);
  await db.write((t) => db.models.Host.update(values, { where: { id: hostId }, transaction: t }));
}

/** Deletes a host and its samples. */
export async function deleteHost(db: Database, hostId: number): Promise<void> {
  await db.write(async (t) => {
    await db.models.HostSample.destroy({ where: { host_id: hostId }, transaction: t });
    await db.models.Host.destroy({ where: { id: hostId }, transaction: t });
  });
}

/** A host's samples between two times (epoch ms, both included): the latest `limit` of them, newest first. */
export async function hostSamples(
  db: Database,
  hostId: number,
  from: number,
  to: number,
  limit: number,
): Promise<Record<string, unknown>[]> {
  return plainRows(db.models.HostSample, {
    where: { host_id: hostId, started_at: { [Op.gte]: from, [Op.lte]: to } },
    order: [["started_at", "DESC"]],
    limit,
  }) as unknown as Promise<Record<string, unknown>[]>;
}
