// Reading monitors' tags: the registry's views and the notifier's alerts list them alike.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";

// Raw SQL: a join, one query for a whole page of monitors.
/** Each monitor's tag names, sorted; monitors without tags map to []. */
export async function tagsOf(db: Database, monitorIds: number[], t?: Transaction): Promise<Map<number, string[]>> {
  const out = new Map<number, string[]>(monitorIds.map((i) => [i, []]));
  if (!monitorIds.length) return out;
  const rows = await db.select<{ monitor_id: number; name: string }>(
    "SELECT mt.monitor_id, t.name FROM monitor_tags mt JOIN tags t ON t.id = mt.tag_id WHERE mt.monitor_id IN (?) ORDER BY t.name",
    [monitorIds],
    t,
  );
  for (const r of rows) out.get(Number(r.monitor_id))?.push(r.name);
  return out;
}

/** Creates the tags of these names that do not exist yet. */
export async function createTags(db: Database, names: string[], t: Transaction): Promise<void> {
  await db.models.Tag.bulkCreate(
    [...new Set(names)].map((n) => ({ name: n })),
    { ignoreDuplicates: true, transaction: t },
  );
}
