// Badge keys in the database: one random key per monitor or tag (table badge_keys), and what the
// badge of a key shows. The registry's badges.* actions use these; the key's format is
// core/monitor/badge.ts.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { Status } from "../monitor/monitor-status.ts";

export type BadgeTarget = { kind: "monitor"; id: number } | { kind: "tag"; id: number };

const TABLES = { monitor: { table: "monitors", column: "monitor_id" }, tag: { table: "tags", column: "tag_id" } } as const;

/** The target's badge key: the one it has, else (or when regenerating) `fresh()` stored as its key. */
export async function badgeKeyOf(db: Database, target: BadgeTarget, regenerate: boolean, fresh: () => string, now: () => number): Promise<string> {
  const { table, column } = TABLES[target.kind];
  return db.write(async (t: Transaction) => {
    // Locking the monitor or tag row keeps two first requests from making two keys.
    await db.select(`SELECT id FROM ${table} WHERE id = ?${db.forUpdate}`, [target.id], t);
    const [have] = await db.select<{ id: number; badge_key: string }>(`SELECT id, badge_key FROM badge_keys WHERE ${column} = ?`, [target.id], t);
    if (have && !regenerate) return have.badge_key;
    const key = fresh();
    if (have) await db.change("UPDATE badge_keys SET badge_key = ?, created_at = ? WHERE id = ?", [key, now(), have.id], t);
    else await db.insertRows("badge_keys", ["badge_key", column, "created_at"], [[key, target.id, now()]], t);
    return key;
  });
}

export async function monitorExists(db: Database, monitorId: number): Promise<boolean> {
  const [m] = await db.select<{ id: number }>("SELECT id FROM monitors WHERE id = ?", [monitorId]);
  return Boolean(m);
}

export async function tagIdByName(db: Database, name: string): Promise<number | null> {
  const [t] = await db.select<{ id: number }>("SELECT id FROM tags WHERE name = ?", [name]);
  return t ? Number(t.id) : null;
}

/** What a badge key belongs to: a monitor or a tag; undefined for no such key. */
export async function badgeOwner(db: Database, key: string): Promise<{ monitor_id: number | null; tag_id: number | null } | undefined> {
  const [b] = await db.select<{ monitor_id: number | null; tag_id: number | null }>("SELECT monitor_id, tag_id FROM badge_keys WHERE badge_key = ?", [key]);
  return b;
}

export async function monitorNameAndStatus(db: Database, monitorId: number): Promise<{ name: string; status: Status } | undefined> {
  const [m] = await db.select<{ name: string; status: Status }>("SELECT name, status FROM monitors WHERE id = ?", [monitorId]);
  return m;
}

/** A tag's name and the statuses of its monitors; undefined for no such tag. */
export async function tagNameAndStatuses(db: Database, tagId: number | null): Promise<{ name: string; statuses: Status[] } | undefined> {
  const [t] = await db.select<{ name: string }>("SELECT name FROM tags WHERE id = ?", [tagId]);
  if (!t) return undefined;
  const rows = await db.select<{ status: Status }>("SELECT m.status FROM monitor_tags mt JOIN monitors m ON m.id = mt.monitor_id WHERE mt.tag_id = ?", [tagId]);
  return { name: t.name, statuses: rows.map((r) => r.status) };
}

/** The monitor's badge key, or null while it has none. */
export async function monitorBadgeKey(db: Database, monitorId: number): Promise<string | null> {
  const [b] = await db.select<{ badge_key: string }>("SELECT badge_key FROM badge_keys WHERE monitor_id = ?", [monitorId]);
  return b ? b.badge_key : null;
}
