// Badge keys in the database: one random key per monitor or tag (table badge_keys), and what the
// badge of a key shows. The registry's badges.* actions use these; the key's format is
// core/monitor/badge.ts.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { plainRow } from "./models.ts";
import type { Status } from "../monitor/monitor-status.ts";

export type BadgeTarget = { kind: "monitor"; id: number } | { kind: "tag"; id: number };

/** The target's badge key: the one it has, else (or when regenerating) `fresh()` stored as its key. */
export async function badgeKeyOf(
  db: Database,
  target: BadgeTarget,
  regenerate: boolean,
  fresh: () => string,
  now: () => number,
): Promise<string> {
  const column = target.kind === "monitor" ? "monitor_id" : "tag_id";
  return db.write(async (t: Transaction) => {
    // Locking the monitor or tag row keeps two first requests from making two keys (FOR UPDATE on
    // MariaDB; SQLite's write transaction holds the whole file).
    const lock = { attributes: ["id"], where: { id: target.id }, lock: t.LOCK.UPDATE, transaction: t, raw: true };
    await (target.kind === "monitor" ? db.models.Monitor.findOne(lock) : db.models.Tag.findOne(lock));
    const have = await plainRow(db.models.BadgeKey, {
      attributes: ["id", "badge_key"],
      where: { [column]: target.id },
      transaction: t,
    });
    if (have && !regenerate) return have.badge_key;
    const key = fresh();
    if (have)
      await db.models.BadgeKey.update(
        { badge_key: key, created_at: now() },
        { where: { id: have.id }, transaction: t },
      );
    else
      await db.models.BadgeKey.create({ badge_key: key, [column]: target.id, created_at: now() }, { transaction: t });
    return key;
  });
}

export async function monitorExists(db: Database, monitorId: number): Promise<boolean> {
  return Boolean(await plainRow(db.models.Monitor, { attributes: ["id"], where: { id: monitorId } }));
}

export async function tagIdByName(db: Database, name: string): Promise<number | null> {
  const t = await plainRow(db.models.Tag, { attributes: ["id"], where: { name } });
  return t ? Number(t.id) : null;
}

/** What a badge key belongs to: a monitor or a tag; undefined for no such key. */
export async function badgeOwner(
  db: Database,
  key: string,
): Promise<{ monitor_id: number | null; tag_id: number | null } | undefined> {
  const row = await plainRow(db.models.BadgeKey, {
    attributes: ["badge_key", "monitor_id", "tag_id"],
    where: { badge_key: key },
  });
  // MariaDB's default collation compares text without case, so the row found may be the key in
  // another case: only the exact key opens the badge (else each letter would count for two).
  if (!row || row.badge_key !== key) return undefined;
  return { monitor_id: row.monitor_id, tag_id: row.tag_id };
}

export async function monitorNameAndStatus(
  db: Database,
  monitorId: number,
): Promise<{ name: string; status: Status } | undefined> {
  return plainRow(db.models.Monitor, { attributes: ["name", "status"], where: { id: monitorId } }) as Promise<
    { name: string; status: Status } | undefined
  >;
}

/** A tag's name and the statuses of its monitors; undefined for no such tag. */
export async function tagNameAndStatuses(
  db: Database,
  tagId: number | null,
): Promise<{ name: string; statuses: Status[] } | undefined> {
  if (tagId === null) return undefined;
  const t = await plainRow(db.models.Tag, { attributes: ["name"], where: { id: tagId } });
  if (!t) return undefined;
  // Raw SQL: a join, one query for the whole tag.
  const rows = await db.select<{ status: Status }>(
    "SELECT m.status FROM monitor_tags mt JOIN monitors m ON m.id = mt.monitor_id WHERE mt.tag_id = ?",
    [tagId],
  );
  return { name: t.name, statuses: rows.map((r) => r.status) };
}

/** The monitor's badge key, or null while it has none. */
export async function monitorBadgeKey(db: Database, monitorId: number): Promise<string | null> {
  const b = await plainRow(db.models.BadgeKey, { attributes: ["badge_key"], where: { monitor_id: monitorId } });
  return b ? b.badge_key : null;
}
