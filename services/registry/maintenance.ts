// The registry's maintenance windows: CRUD, validated by the pure rules in
// core/schedule/maintenance.ts. The notifier reads the same table to hold alerts back. The SQL is
// core/db/maintenance.ts.

import { Errors, type Context } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { parseWindow } from "../../core/schedule/maintenance.ts";
import {
  deleteWindow,
  insertWindow,
  loadWindows,
  updateWindow,
  windowOf,
  windowRow,
  windowView,
} from "../../core/db/maintenance.ts";
import { existingMonitorIds } from "../../core/db/monitors.ts";

const { MoleculerClientError, ValidationError } = Errors;

interface Body {
  name?: string;
  rule?: unknown;
  monitorIds?: number[];
  tags?: string[];
}

function invalid(errors: { field: string; message: string }[]): never {
  throw new ValidationError(
    "Parameters validation error!",
    "VALIDATION_ERROR",
    errors.map((e) => ({ type: "invalid", ...e })),
  );
}

function notFound(): never {
  throw new MoleculerClientError("maintenance window not found", 404, "NOT_FOUND", { field: "id" });
}

/** Monitors covered by a window changed: their maintenance badge changes too (live update). */
function announce(ctx: Context, ids: number[]): void {
  for (const m of ids) ctx.broadcast("monitor.changed", { id: m });
}

export function maintenanceArea({ db, clock, config }: ServiceDeps) {
  async function one(windowId: number) {
    const r = await windowRow(db, windowId);
    if (!r) notFound();
    return windowOf(r);
  }

  /** Validates the body; monitor ids must name monitors (422 naming the first that does not). */
  async function checked(body: Body) {
    const parsed = parseWindow(body, config.defaultTimezone);
    if (!parsed.ok) invalid(parsed.errors);
    const ids = parsed.window.monitorIds;
    if (ids.length) {
      const found = await existingMonitorIds(db, ids);
      const i = ids.findIndex((m) => !found.has(m));
      if (i >= 0) invalid([{ field: `monitorIds[${i}]`, message: `no monitor has id ${ids[i]}` }]);
    }
    return parsed.window;
  }

  return {
    async list() {
      const now = clock.now();
      const items = (await loadWindows(db)).map((w) => windowView(w, now));
      return { total: items.length, items };
    },

    async get(ctx: Context<{ id: number }>) {
      return windowView(await one(ctx.params.id), clock.now());
    },

    async create(ctx: Context<Body>) {
      const w = await checked(ctx.params);
      const now = clock.now();
      const newId = await db.write((t) => insertWindow(db, w, now, t));
      announce(ctx, w.monitorIds);
      Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/maintenance/${newId}` });
      return windowView(await one(newId), clock.now());
    },

    async update(ctx: Context<Body & { id: number }>) {
      const old = await one(ctx.params.id);
      const { id: _id, ...body } = ctx.params;
      const w = await checked({ name: old.name, rule: old.rule, monitorIds: old.monitorIds, tags: old.tags, ...body });
      const n = await updateWindow(db, old.id, w, clock.now());
      if (!n) notFound();
      announce(ctx, [...new Set([...old.monitorIds, ...w.monitorIds])]);
      return windowView(await one(old.id), clock.now());
    },

    async remove(ctx: Context<{ id: number }>) {
      const old = await one(ctx.params.id);
      await deleteWindow(db, old.id);
      announce(ctx, old.monitorIds);
      return { id: old.id, deleted: true };
    },
  };
}
