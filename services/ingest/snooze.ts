// /ping/CODE/snooze/DURATION: the job snoozes its own monitor (a planned outage it knows about).
// Its alerts are held until then (the notifier, core/alerts/holds.ts); no ping is stored.

import { Errors, type Context } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { parseSnoozeDuration } from "../../core/monitor/snooze.ts";
import { monitorIdByCode } from "../../core/db/monitors.ts";
import { setSnooze } from "../../core/db/dependencies.ts";

const { MoleculerClientError } = Errors;

export interface SnoozeParams {
  code: string;
  duration: string;
}

/** Snoozes the monitor of this code for the duration; answers until when. */
export async function snoozeByCode(
  { db, clock }: ServiceDeps,
  ctx: Context<SnoozeParams>,
): Promise<{ monitorId: number; snoozedUntil: string }> {
  const parsed = parseSnoozeDuration(ctx.params.duration);
  if (!parsed.ok) throw new MoleculerClientError(parsed.message, 422, "VALIDATION_ERROR", { field: "duration" });
  const monitorId = await monitorIdByCode(db, ctx.params.code);
  if (monitorId === null)
    throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
  const now = clock.now();
  const until = now + parsed.seconds * 1000;
  if (!(await setSnooze(db, monitorId, until, now)))
    throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
  ctx.broadcast("monitor.changed", { id: monitorId });
  return { monitorId, snoozedUntil: new Date(until).toISOString() };
}
