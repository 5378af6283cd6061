// Hosts in the database: the machines the agent-collector polls over SSH, and their samples. The
// registry's hosts.* actions read and write them here (the collector's claims are its own).

import type { Database } from "./connect.ts";

export interface HostRow {
  id: number; name: string; address: string; port: number; username: string;
  private_key: string | null; key_path: string | null; passphrase: string | null;
  host_key_fingerprint: string | null; trust_on_first_use: boolean | number;
  interval_seconds: number; grace_seconds: number; checks: string; processes: string;
  monitor_id: number | null; enabled: boolean | number; next_poll_at: number; lease_until: number | null;
  claimed_by: string | null; last_poll_at: number | null; last_result: string | null; created_at: number; updated_at: number;
}

/** The columns a new host is stored with (the rest start empty). */
const NEW_HOST_COLUMNS = [
  "name", "address", "port", "username", "private_key", "key_path", "passphrase", "host_key_fingerprint", "trust_on_first_use",
  "interval_seconds", "grace_seconds", "checks", "processes", "monitor_id", "enabled", "next_poll_at", "created_at", "updated_at",
] as const;
export type NewHost = { [K in (typeof NEW_HOST_COLUMNS)[number]]: unknown };

export async function hostRow(db: Database, hostId: number): Promise<HostRow | undefined> {
  const [r] = await db.select<HostRow>("SELECT * FROM hosts WHERE id = ?", [hostId]);
  return r;
}

/** Every host, by name. */
export async function listHosts(db: Database): Promise<HostRow[]> {
  return db.select<HostRow>("SELECT * FROM hosts ORDER BY name, id");
}

export async function hostIdByName(db: Database, name: string): Promise<number | null> {
  const [r] = await db.select<{ id: number }>("SELECT id FROM hosts WHERE name = ?", [name]);
  return r ? Number(r.id) : null;
}

/** Stores a new host; answers its id. */
export async function insertHost(db: Database, h: NewHost): Promise<number> {
  const [id] = await db.write((t) => db.insertRows("hosts", NEW_HOST_COLUMNS, [NEW_HOST_COLUMNS.map((c) => h[c])], t));
  return id!;
}

/** Sets these columns of one host. */
export async function updateHost(db: Database, hostId: number, set: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(set);
  await db.write((t) => db.change(`UPDATE hosts SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`, [...cols.map((c) => set[c]), hostId], t));
}

/** Deletes a host and its samples. */
export async function deleteHost(db: Database, hostId: number): Promise<void> {
  await db.write(async (t) => {
    await db.change("DELETE FROM host_samples WHERE host_id = ?", [hostId], t);
    await db.change("DELETE FROM hosts WHERE id = ?", [hostId], t);
  });
}

/** A host's samples between two times (epoch ms, both included): the latest `limit` of them, newest first. */
export async function hostSamples(db: Database, hostId: number, from: number, to: number, limit: number): Promise<Record<string, unknown>[]> {
  return db.select<Record<string, unknown>>(
    "SELECT * FROM host_samples WHERE host_id = ? AND started_at >= ? AND started_at <= ? ORDER BY started_at DESC LIMIT ?",
    [hostId, from, to, limit],
  );
}
