// The registry's status badges: one random badge key per monitor or tag, made on demand,
// regenerable, and the public lookup the gateway's /badge/<key>.svg|json route uses. Mixed
// into the registry: registry.badges.*. What a badge looks like is core/monitor/badge.ts.

import { Errors, type ActionParams, type Context, type ServiceSchema } from "moleculer";
import type { Transaction } from "sequelize";
import type { ServiceDeps } from "./deps.ts";
import { newBadgeKey, worstStatus, type BadgeStatus } from "../core/monitor/badge.ts";
import type { Status } from "../core/monitor/monitor-status.ts";

const { MoleculerClientError } = Errors;

const id = { type: "number", convert: true, integer: true, positive: true };
const tag = { type: "string", trim: true, lowercase: true, min: 1, max: 64 };

/** Where a badge key's badge is: under PUBLIC_URL when it is set, else relative to this server. */
function badgeUrls(publicUrl: string | null, key: string) {
  const base = `${publicUrl ?? ""}/badge/${key}`;
  return { key, svg: `${base}.svg`, json: `${base}.json` };
}

type Target = { column: "monitor_id"; table: "monitors"; id: number } | { column: "tag_id"; table: "tags"; id: number };

export function registryBadges({ db, clock, config }: ServiceDeps): Partial<ServiceSchema> {
  const urls = (key: string) => badgeUrls(config.publicUrl, key);

  /** The target's badge key: the one it has, a new one if it has none, or a replacement. */
  async function keyOf(target: Target, regenerate: boolean): Promise<ReturnType<typeof urls>> {
    const key = await db.write(async (t: Transaction) => {
      // Locking the monitor or tag row keeps two first requests from making two keys.
      await db.select(`SELECT id FROM ${target.table} WHERE id = ?${db.forUpdate}`, [target.id], t);
      const [have] = await db.select<{ id: number; badge_key: string }>(`SELECT id, badge_key FROM badge_keys WHERE ${target.column} = ?`, [target.id], t);
      if (have && !regenerate) return have.badge_key;
      const fresh = newBadgeKey();
      if (have) await db.change("UPDATE badge_keys SET badge_key = ?, created_at = ? WHERE id = ?", [fresh, clock.now(), have.id], t);
      else await db.insertRows("badge_keys", ["badge_key", target.column, "created_at"], [[fresh, target.id, clock.now()]], t);
      return fresh;
    });
    return urls(key);
  }

  async function monitorTarget(monitorId: number): Promise<Target> {
    const [m] = await db.select<{ id: number }>("SELECT id FROM monitors WHERE id = ?", [monitorId]);
    if (!m) throw new MoleculerClientError("monitor not found", 404, "NOT_FOUND", { field: "id" });
    return { column: "monitor_id", table: "monitors", id: monitorId };
  }

  async function tagTarget(name: string): Promise<Target> {
    const [t] = await db.select<{ id: number }>("SELECT id FROM tags WHERE name = ?", [name]);
    if (!t) throw new MoleculerClientError("no monitor carries this tag", 404, "NOT_FOUND", { field: "tag" });
    return { column: "tag_id", table: "tags", id: Number(t.id) };
  }

  function badgeAction(params: ActionParams, target: (p: Record<string, unknown>) => Promise<Target>, regenerate: boolean) {
    return {
      params,
      async handler(ctx: Context<Record<string, unknown>>) {
        return keyOf(await target(ctx.params), regenerate);
      },
    };
  }

  return {
    actions: {
      /** The monitor's badge URLs, its badge key made on first request. */
      "badges.monitor": badgeAction({ id }, (p) => monitorTarget(p.id as number), false),
      /** A new badge key for the monitor: its old badge URLs stop working. */
      "badges.monitorRegenerate": badgeAction({ id }, (p) => monitorTarget(p.id as number), true),
      /** The tag's badge URLs (the worst status of its monitors), made on first request. */
      "badges.tag": badgeAction({ tag }, (p) => tagTarget(p.tag as string), false),
      /** A new badge key for the tag: its old badge URLs stop working. */
      "badges.tagRegenerate": badgeAction({ tag }, (p) => tagTarget(p.tag as string), true),

      /** What the badge of a key shows: its default label and status; null for no such key. */
      "badges.show": {
        visibility: "public",
        params: { key: { type: "string", max: 64 } },
        async handler(ctx: Context<{ key: string }>): Promise<{ label: string; status: BadgeStatus } | null> {
          const [b] = await db.select<{ monitor_id: number | null; tag_id: number | null }>("SELECT monitor_id, tag_id FROM badge_keys WHERE badge_key = ?", [ctx.params.key]);
          if (!b) return null;
          if (b.monitor_id !== null) {
            const [m] = await db.select<{ name: string; status: Status }>("SELECT name, status FROM monitors WHERE id = ?", [b.monitor_id]);
            return m ? { label: m.name, status: m.status } : null;
          }
          const [t] = await db.select<{ name: string }>("SELECT name FROM tags WHERE id = ?", [b.tag_id]);
          if (!t) return null;
          const rows = await db.select<{ status: Status }>("SELECT m.status FROM monitor_tags mt JOIN monitors m ON m.id = mt.monitor_id WHERE mt.tag_id = ?", [b.tag_id]);
          return { label: t.name, status: worstStatus(rows.map((r) => r.status)) };
        },
      },
    },
  };
}

/** The monitor's badge URL if it has a badge key yet (listed in its API answer), else null. */
export async function badgeUrlOf(db: ServiceDeps["db"], publicUrl: string | null, monitorId: number): Promise<string | null> {
  const [b] = await db.select<{ badge_key: string }>("SELECT badge_key FROM badge_keys WHERE monitor_id = ?", [monitorId]);
  return b ? badgeUrls(publicUrl, b.badge_key).svg : null;
}
