// The registry's status badges: one random badge key per monitor or tag, made on demand,
// regenerable, and the public lookup the gateway's /badge/<key>.svg|json route uses. What a
// badge looks like is core/monitor/badge.ts; the SQL is core/db/badges.ts.

import { Errors, type Context } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { newBadgeKey, worstStatus, type BadgeStatus } from "../../core/monitor/badge.ts";
import {
  badgeKeyOf,
  badgeOwner,
  monitorBadgeKey,
  monitorExists,
  monitorNameAndStatus,
  tagIdByName,
  tagNameAndStatuses,
  type BadgeTarget,
} from "../../core/db/badges.ts";

const { MoleculerClientError } = Errors;

/** Where a badge key's badge is: under PUBLIC_URL when it is set, else relative to this server. */
function badgeUrls(publicUrl: string | null, key: string) {
  const base = `${publicUrl ?? ""}/badge/${key}`;
  return { key, svg: `${base}.svg`, json: `${base}.json` };
}

/** The monitor's badge URL if it has a badge key yet (listed in its API answer), else null. */
export async function badgeUrlOf(
  db: ServiceDeps["db"],
  publicUrl: string | null,
  monitorId: number,
): Promise<string | null> {
  const key = await monitorBadgeKey(db, monitorId);
  return key === null ? null : badgeUrls(publicUrl, key).svg;
}

export function badgesArea({ db, clock, config }: ServiceDeps) {
  /** The target's badge URLs: the key it has, a new one if it has none, or a replacement. */
  async function urlsOf(target: BadgeTarget, regenerate: boolean) {
    return badgeUrls(config.publicUrl, await badgeKeyOf(db, target, regenerate, newBadgeKey, () => clock.now()));
  }

  async function monitorTarget(monitorId: number): Promise<BadgeTarget> {
    if (!(await monitorExists(db, monitorId)))
      throw new MoleculerClientError("monitor not found", 404, "NOT_FOUND", { field: "id" });
    return { kind: "monitor", id: monitorId };
  }

  async function tagTarget(name: string): Promise<BadgeTarget> {
    const tagId = await tagIdByName(db, name);
    if (tagId === null)
      throw new MoleculerClientError("no monitor carries this tag", 404, "NOT_FOUND", { field: "tag" });
    return { kind: "tag", id: tagId };
  }

  return {
    async monitor(ctx: Context<{ id: number }>, regenerate: boolean) {
      return urlsOf(await monitorTarget(ctx.params.id), regenerate);
    },

    async tag(ctx: Context<{ tag: string }>, regenerate: boolean) {
      return urlsOf(await tagTarget(ctx.params.tag), regenerate);
    },

    async show(ctx: Context<{ key: string }>): Promise<{ label: string; status: BadgeStatus } | null> {
      const b = await badgeOwner(db, ctx.params.key);
      if (!b) return null;
      if (b.monitor_id !== null) {
        const m = await monitorNameAndStatus(db, b.monitor_id);
        return m ? { label: m.name, status: m.status } : null;
      }
      const t = await tagNameAndStatuses(db, b.tag_id);
      return t ? { label: t.name, status: worstStatus(t.statuses) } : null;
    },
  };
}
