// The registry's maintenance windows: CRUD (registry.maintenance.*), validated by the pure rules
// in core/schedule/maintenance.ts. The notifier reads the same table to hold alerts back.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { parseWindow } from "../core/schedule/maintenance.ts";
import { loadWindows, windowColumns, windowOf, windowView, type WindowRow } from "../core/db/maintenance.ts";

const { MoleculerClientError, ValidationError } = Errors;

const id = { type: "number", integer: true, positive: true, convert: true } as const;
// A one-off window's times as epoch ms must be times a Date can hold (±8.64e15): core/schedule/maintenance.ts
// takes any finite number, and a window it cannot write as ISO 8601 would fail every list after it.
const instant = [
  { type: "number", optional: true, min: -8.64e15, max: 8.64e15 },
  { type: "string", optional: true },
] as const;
const fields = {
  name: { type: "string", max: 1000 },
  rule: { type: "object", props: { startsAt: instant, endsAt: instant } },
  monitorIds: { type: "array", optional: true, max: 1000, items: { type: "number", integer: true, positive: true } },
  tags: { type: "array", optional: true, max: 1000, items: { type: "string", max: 50 } },
} as const;

interface Body {
  name?: string;
  rule?: unknown;
  monitorIds?: number[];
  tags?: string[];
}

function invalid(errors: { field: string; message: string }[]): never {
  throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", errors.map((e) => ({ type: "invalid", ...e })));
}

function notFound(): never {
  throw new MoleculerClientError("maintenance window not found", 404, "NOT_FOUND", { field: "id" });
}

export function registryMaintenance({ db, clock, config }: ServiceDeps): Partial<ServiceSchema> {
  async function one(windowId: number) {
    const [r] = await db.select<WindowRow>("SELECT * FROM maintenance_windows WHERE id = ?", [windowId]);
    if (!r) notFound();
    return windowOf(r);
  }

  /** Validates the body; monitor ids must name monitors (422 naming the first that does not). */
  async function checked(body: Body) {
    const parsed = parseWindow(body, config.defaultTimezone);
    if (!parsed.ok) invalid(parsed.errors);
    const ids = parsed.window.monitorIds;
    if (ids.length) {
      const found = new Set((await db.select<{ id: number }>("SELECT id FROM monitors WHERE id IN (?)", [ids])).map((r) => Number(r.id)));
      const i = ids.findIndex((m) => !found.has(m));
      if (i >= 0) invalid([{ field: `monitorIds[${i}]`, message: `no monitor has id ${ids[i]}` }]);
    }
    return parsed.window;
  }

  /** Monitors covered by a window changed: their maintenance badge changes too (live update). */
  function announce(ctx: Context, ids: number[]): void {
    for (const m of ids) ctx.broadcast("monitor.changed", { id: m });
  }

  return {
    actions: {
      /** Lists maintenance windows, each with whether it is active now. */
      "maintenance.list": {
        async handler() {
          const now = clock.now();
          const items = (await loadWindows(db)).map((w) => windowView(w, now));
          return { total: items.length, items };
        },
      },

      /** One maintenance window. */
      "maintenance.get": {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          return windowView(await one(ctx.params.id), clock.now());
        },
      },

      /** Creates a one-off or recurring maintenance window scoped to monitors and/or tags. */
      "maintenance.create": {
        params: fields,
        async handler(ctx: Context<Body>) {
          const w = await checked(ctx.params);
          const now = clock.now();
          const [newId] = await db.write((t) =>
            db.insertRows("maintenance_windows", [...Object.keys(windowColumns(w)), "created_at", "updated_at"], [[...Object.values(windowColumns(w)), now, now]], t),
          );
          announce(ctx, w.monitorIds);
          Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/maintenance/${newId}` });
          return windowView(await one(newId!), clock.now());
        },
      },

      /** Changes a maintenance window; fields left out keep their value. */
      "maintenance.update": {
        params: { id, name: { ...fields.name, optional: true }, rule: { ...fields.rule, optional: true }, monitorIds: fields.monitorIds, tags: fields.tags },
        async handler(ctx: Context<Body & { id: number }>) {
          const old = await one(ctx.params.id);
          const { id: _id, ...body } = ctx.params;
          const w = await checked({ name: old.name, rule: old.rule, monitorIds: old.monitorIds, tags: old.tags, ...body });
          const cols = { ...windowColumns(w), updated_at: clock.now() };
          const n = await db.write((t) =>
            db.change(`UPDATE maintenance_windows SET ${Object.keys(cols).map((c) => `${c} = :${c}`).join(", ")} WHERE id = :id`, { ...cols, id: old.id }, t),
          );
          if (!n) notFound();
          announce(ctx, [...new Set([...old.monitorIds, ...w.monitorIds])]);
          return windowView(await one(old.id), clock.now());
        },
      },

      /** Deletes a maintenance window; alerts it held back are released by the notifier as if it had ended. */
      "maintenance.remove": {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          const old = await one(ctx.params.id);
          await db.write((t) => db.change("DELETE FROM maintenance_windows WHERE id = ?", [old.id], t));
          announce(ctx, old.monitorIds);
          return { id: old.id, deleted: true };
        },
      },
    },
  };
}
