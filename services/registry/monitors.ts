// The registry's monitors: create (and auto-provision), search, read, update, delete, pause and
// resume; each monitor's ping, flip and notification history; schedule previews; the gauge of
// monitors by status. Schedule rules and transitions come from core/, the SQL is core/db/monitors.ts.

import { Errors, type Context, type Logger, type ServiceBroker } from "moleculer";
import { UniqueConstraintError, type Transaction } from "sequelize";
import type { ServiceDeps } from "../deps.ts";
import { parseInstant, parseSchedule, preview, type FieldError } from "../../core/schedule/schedule.ts";
import { pause, resume, rescheduled, STATUSES, type Tracked } from "../../core/monitor/monitor-status.ts";
import {
  monitorView,
  runLimitColumns,
  runLimitsOf,
  scheduleColumns,
  scheduleOf,
  trackedOf,
} from "../../core/monitor/monitor-record.ts";
import { checkRunLimits, type RunLimitFields } from "../../core/monitor/run-limits.ts";
import { checkDependsOn } from "../../core/monitor/dependencies.ts";
import { storedHold } from "../../core/alerts/holds.ts";
import { allEdges, linksOf, setParents, setSnooze } from "../../core/db/dependencies.ts";
import { recordFlip } from "../../core/db/flips.ts";
import { newCode } from "../../core/monitor/code.ts";
import type { MonitorRow } from "../../core/db/models.ts";
import { tagsOf } from "../../core/db/tags.ts";
import { channelIdsOf, defaultChannelIds, setChannels, unknownChannels } from "../../core/db/channels.ts";
import * as monitors from "../../core/db/monitors.ts";
import { loadWindows } from "../../core/db/maintenance.ts";
import { activeWindowsFor } from "../../core/schedule/maintenance.ts";
import { badgeUrlOf } from "./badges.ts";
import { glancesOf } from "./uptime.ts";
import { deliveryOutcome, type DeliveryOutcomeRow } from "./delivery-outcome.ts";
import { METRICS, addScrapeSource, metric } from "../metrics.ts";
import { renderMonitorSeries } from "../monitor-series.ts";
import { monitorSeriesRows } from "../../core/db/monitor-series.ts";

const { MoleculerClientError, ValidationError } = Errors;

type RunLimitParams = Partial<RunLimitFields>;
type Page = { id: number; limit: number; offset: number };
export type NewMonitor = {
  name: string;
  description?: string | null;
  schedule: unknown;
  tags?: string[];
  channels?: number[];
  repeatEverySeconds?: number | null;
  dependsOn?: number[];
} & RunLimitParams;
export type MonitorChange = { id: number } & Partial<NewMonitor>;
export type MonitorQuery = {
  tags?: string;
  q?: string;
  status?: string;
  sort: monitors.MonitorSort;
  order: "asc" | "desc";
  limit: number;
  offset: number;
};

function invalid(errors: FieldError[]): never {
  // Preview takes the schedule's fields at the top level: parsed with an empty prefix, they start with a dot.
  throw new ValidationError(
    "Parameters validation error!",
    "VALIDATION_ERROR",
    errors.map((e) => ({ type: "invalid", ...e, field: e.field.replace(/^\./, "") })),
  );
}

function notFound(): never {
  throw new MoleculerClientError("monitor not found", 404, "NOT_FOUND", { field: "id" });
}

const iso = (ms: number) => new Date(ms).toISOString();

function trackedColumns(s: Tracked) {
  return { status: s.status, late_at: s.lateAt, down_at: s.downAt };
}

export function monitorsArea({ config, db, clock }: ServiceDeps) {
  /** The gauge's timer while the registry runs with metrics on. */
  let monitorGauge: NodeJS.Timeout | null = null;
  let removeSeries: (() => void) | null = null;

  async function row(monitorId: number, t?: Transaction, lock = false): Promise<MonitorRow> {
    return (await monitors.monitorRow(db, monitorId, t, lock)) ?? notFound();
  }

  /**
   * Monitors as the API shows them, each with the ids of the maintenance windows covering it now,
   * its parents (dependsOn, and each parent's name and status) and its children.
   */
  async function views(rows: MonitorRow[]) {
    const ids = rows.map((r) => Number(r.id));
    const now = clock.now();
    const [byId, chById, links, windows, glances] = await Promise.all([
      tagsOf(db, ids),
      channelIdsOf(db, ids),
      linksOf(db, ids),
      loadWindows(db),
      glancesOf(
        db,
        rows.map((r) => ({ id: Number(r.id), createdAt: Number(r.created_at) })),
        now,
      ),
    ]);
    return rows.map((r) => {
      const tags = byId.get(Number(r.id)) ?? [];
      const parents = links.parents.get(Number(r.id)) ?? [];
      return {
        ...monitorView(r, tags, chById.get(Number(r.id)) ?? [], now),
        dependsOn: parents.map((m) => m.id),
        parents,
        children: links.children.get(Number(r.id)) ?? [],
        maintenance: activeWindowsFor(windows, Number(r.id), tags, now),
        ...glances.get(Number(r.id))!,
      };
    });
  }

  async function view(monitorId: number) {
    return (await views([await row(monitorId)]))[0]!;
  }

  /** Channel ids must name channels: 422 naming the first that does not. */
  async function checkChannels(ids: number[] | undefined, t: Transaction): Promise<void> {
    if (!ids?.length) return;
    const unknown = await unknownChannels(db, ids, t);
    if (unknown.length) {
      const i = ids.indexOf(unknown[0]!);
      invalid([{ field: `channels[${i}]`, message: `no channel has id ${unknown[0]}` }]);
    }
  }

  /** Parents must name other monitors and make no cycle: 422 naming dependsOn (core/monitor/dependencies.ts). */
  async function checkParents(monitorId: number | null, parents: number[] | undefined, t: Transaction): Promise<void> {
    if (!parents?.length) return;
    const [known, edges] = await Promise.all([
      monitors.existingMonitorIds(db, parents, t),
      monitorId === null ? [] : allEdges(db, t),
    ]);
    const errors = checkDependsOn(monitorId, parents, known, edges);
    if (errors.length) invalid(errors);
  }

  /** One page of a monitor's pings or flips, newest first, with the total. */
  async function history<T>(table: "pings" | "flips", p: Page, view: (r: Record<string, unknown>) => T) {
    await row(p.id);
    const { total, rows } = await monitors.historyPage(db, table, p.id, p.limit, p.offset);
    return { total, items: rows.map(view) };
  }

  /** Pause and resume: one conditional transition, its flip stored in the same transaction. */
  async function transition(
    ctx: Context<{ id: number }>,
    change: (r: MonitorRow, now: number) => { next: Tracked; flip: ReturnType<typeof pause>["flip"] },
  ) {
    const monitorId = ctx.params.id;
    const now = clock.now();
    const flipped = await db.write(async (t) => {
      const r = await row(monitorId, t, true);
      const { next, flip } = change(r, now);
      if (!flip) return false;
      await monitors.storeTransition(db, monitorId, next, next.status === "new" ? now : r.armed_at, now, t);
      await recordFlip(db, t, monitorId, flip, now, null);
      return true;
    });
    if (flipped) ctx.broadcast("monitor.changed", { id: monitorId });
    return view(monitorId);
  }

  /**
   * Stores a new monitor with this code, armed from now, with its tags and channels (the default
   * channels when none are named): the API's create and auto-provisioning share it.
   */
  async function createMonitor(p: NewMonitor, code: string): Promise<number> {
    const parsed = parseSchedule(p.schedule, config.defaultTimezone);
    if (!parsed.ok) invalid(parsed.errors);
    const limitErrors = checkRunLimits(p);
    if (limitErrors.length) invalid(limitErrors);
    const now = clock.now();
    return db.write(async (t) => {
      await checkChannels(p.channels, t);
      await checkParents(null, p.dependsOn, t);
      const fields = {
        code,
        name: p.name,
        description: p.description ?? null,
        schedule: parsed.schedule,
        tags: p.tags ?? [],
      };
      // Left out: the channels marked default. An empty list means none.
      const channels = p.channels ?? (await defaultChannelIds(db, t));
      return monitors.insertMonitor(
        db,
        {
          ...fields,
          channels,
          repeatEverySeconds: p.repeatEverySeconds ?? null,
          runLimits: runLimitColumns(p),
          dependsOn: p.dependsOn ?? [],
        },
        config.defaultTimezone,
        now,
        t,
      );
    });
  }

  return {
    async create(ctx: Context<NewMonitor>) {
      const monitorId = await createMonitor(ctx.params, newCode());
      ctx.broadcast("monitor.changed", { id: monitorId });
      Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/monitors/${monitorId}` });
      return view(monitorId);
    },

    async provision(ctx: Context<{ code: string }>, logger: Logger): Promise<{ id: number; created: boolean }> {
      if (!config.autoProvision)
        throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
      const found = await monitors.monitorIdByCode(db, ctx.params.code);
      if (found !== null) return { id: found, created: false };
      let monitorId: number;
      try {
        const { periodSeconds, graceSeconds } = config.autoProvision;
        monitorId = await createMonitor(
          { name: ctx.params.code, schedule: { kind: "interval", periodSeconds, graceSeconds } },
          ctx.params.code,
        );
      } catch (err) {
        // Another ping (on this or another registry) created it first: the code is unique.
        if (!(err instanceof UniqueConstraintError)) throw err;
        const raced = await monitors.monitorIdByCode(db, ctx.params.code);
        if (raced === null) throw err;
        return { id: raced, created: false };
      }
      logger.info(`auto-provisioned monitor ${monitorId} for code ${ctx.params.code}`);
      ctx.broadcast("monitor.changed", { id: monitorId });
      return { id: monitorId, created: true };
    },

    async list(ctx: Context<MonitorQuery>) {
      const p = ctx.params;
      // The original tool's tag search: comma-separated tags, a monitor must carry all of them.
      const wanted = [
        ...new Set(
          (p.tags ?? "")
            .split(",")
            .map((s) => s.trim().toLowerCase())
            .filter(Boolean),
        ),
      ];
      const found = await monitors.searchMonitors(db, {
        tags: wanted,
        q: p.q,
        status: p.status,
        sort: p.sort,
        order: p.order,
        limit: p.limit,
        offset: p.offset,
        now: clock.now(),
      });
      // Counts per status under the tag and text filters, whatever status is picked: the dashboard's header.
      const counts = Object.fromEntries(
        STATUSES.map((st) => [st, Number(found.statusCounts.find((c) => c.status === st)?.n ?? 0)]),
      );
      return { total: found.total, counts, items: await views(found.rows) };
    },

    async views(ctx: Context<{ ids: number[] }>) {
      if (!ctx.params.ids.length) return [];
      return views(await monitors.monitorsById(db, ctx.params.ids));
    },

    async get(ctx: Context<{ id: number }>) {
      // The badge URL once the monitor has a badge key (GET /monitors/:id/badge makes one).
      return { ...(await view(ctx.params.id)), badgeUrl: await badgeUrlOf(db, config.publicUrl, ctx.params.id) };
    },

    async update(ctx: Context<MonitorChange>) {
      const p = ctx.params;
      const parsed = p.schedule === undefined ? null : parseSchedule(p.schedule, config.defaultTimezone);
      if (parsed && !parsed.ok) invalid(parsed.errors);
      const limitErrors = checkRunLimits(p);
      if (limitErrors.length) invalid(limitErrors);
      const now = clock.now();
      // Parents that gain or lose this child: their pages list their children.
      const touched = new Set<number>();
      await db.write(async (t) => {
        const r = await row(p.id, t, true);
        await checkChannels(p.channels, t);
        await checkParents(p.id, p.dependsOn, t);
        if (p.dependsOn !== undefined) {
          for (const e of await allEdges(db, t)) if (Number(e.monitor_id) === p.id) touched.add(Number(e.parent_id));
          for (const parent of p.dependsOn) touched.add(parent);
        }
        const set: Record<string, unknown> = { updated_at: now };
        if (p.name !== undefined) set.name = p.name;
        if (p.description !== undefined) set.description = p.description;
        if (p.repeatEverySeconds !== undefined) {
          set.repeat_every_seconds = p.repeatEverySeconds;
          // A monitor that is down now starts reminding one period from now; null stops it.
          set.next_reminder_at =
            p.repeatEverySeconds !== null && r.status === "down" ? now + p.repeatEverySeconds * 1000 : null;
        }
        Object.assign(set, runLimitColumns(p));
        // No limit any more: a run being timed is no longer watched.
        if (p.maxRunSeconds === null) set.run_deadline_at = null;
        // A failure rate set anew counts from its next run, not from outcomes kept under another.
        if (p.failureRate !== undefined && JSON.stringify(p.failureRate) !== JSON.stringify(runLimitsOf(r).failureRate))
          set.recent_outcomes = "";
        if (parsed?.ok) {
          Object.assign(set, scheduleColumns(parsed.schedule, config.defaultTimezone));
          Object.assign(set, trackedColumns(rescheduled(trackedOf(r), parsed.schedule, Number(r.armed_at))));
        }
        await monitors.updateMonitorColumns(db, p.id, set, t);
        if (p.tags !== undefined) await monitors.setTags(db, p.id, p.tags, t);
        if (p.channels !== undefined) await setChannels(db, p.id, p.channels, t);
        if (p.dependsOn !== undefined) await setParents(db, p.id, p.dependsOn, t);
      });
      ctx.broadcast("monitor.changed", { id: p.id });
      for (const parent of touched) ctx.broadcast("monitor.changed", { id: parent });
      return view(p.id);
    },

    /** Holds the monitor's alerts for so many seconds from now (at most 7 days). */
    async snooze(ctx: Context<{ id: number; seconds: number }>) {
      const now = clock.now();
      if (!(await setSnooze(db, ctx.params.id, now + ctx.params.seconds * 1000, now))) notFound();
      ctx.broadcast("monitor.changed", { id: ctx.params.id });
      return view(ctx.params.id);
    },

    /** Ends the snooze now: held alerts are released (or suppressed) at the notifier's next drain. */
    async unsnooze(ctx: Context<{ id: number }>) {
      if (!(await setSnooze(db, ctx.params.id, null, clock.now()))) notFound();
      ctx.broadcast("monitor.changed", { id: ctx.params.id });
      return view(ctx.params.id);
    },

    async remove(ctx: Context<{ id: number }>) {
      const children = (await linksOf(db, [ctx.params.id])).children.get(ctx.params.id) ?? [];
      const n = await monitors.deleteMonitor(db, ctx.params.id);
      if (n === 0) notFound();
      ctx.broadcast("monitor.changed", { id: ctx.params.id, deleted: true });
      // Its children lost a parent: their pages change.
      for (const c of children) ctx.broadcast("monitor.changed", { id: c.id });
      return { id: ctx.params.id, deleted: true };
    },

    pause(ctx: Context<{ id: number }>) {
      return transition(ctx, (r) => pause(trackedOf(r)));
    },

    resume(ctx: Context<{ id: number }>) {
      return transition(ctx, (r, now) => resume(trackedOf(r), scheduleOf(r), now));
    },

    pings(ctx: Context<Page>) {
      return history("pings", ctx.params, (p) => ({
        id: Number(p.id),
        kind: p.kind,
        exitStatus: p.exit_status === null ? null : Number(p.exit_status),
        data: p.data ?? null,
        dataTruncated: Boolean(Number(p.data_truncated)),
        durationMs: p.duration_ms === null ? null : Number(p.duration_ms),
        receivedAt: iso(Number(p.received_at)),
        sourceIp: p.source_ip ?? null,
        userAgent: p.user_agent ?? null,
      }));
    },

    flips(ctx: Context<Page>) {
      return history("flips", ctx.params, (f) => ({
        id: Number(f.id),
        from: f.from_status,
        to: f.to_status,
        reason: f.reason,
        at: iso(Number(f.flipped_at)),
        expectedAt: f.expected_at === null ? null : iso(Number(f.expected_at)),
        pingId: f.ping_id === null ? null : Number(f.ping_id),
      }));
    },

    async notifications(ctx: Context<Page>) {
      const p = ctx.params;
      await row(p.id);
      const { total, rows } = await monitors.notificationsPage(db, p.id, p.limit, p.offset);
      const at = (v: unknown) => (v === null || v === undefined ? null : iso(Number(v)));
      return {
        total,
        items: rows.map((d) => ({
          id: Number(d.id),
          flipId: Number(d.flip_id),
          event: d.event,
          reminder: Number(d.round),
          // a deleted channel keeps its type here; its name is gone with it
          channel: {
            id: d.channel_id === null ? null : Number(d.channel_id),
            type: d.channel,
            name: d.channel_name ?? null,
          },
          ...deliveryOutcome(d as unknown as DeliveryOutcomeRow),
          // held now, or held once and released: why (a maintenance window, a snooze, a down parent)
          heldBy: storedHold(d.hold_kind, d.hold_detail),
          createdAt: at(d.created_at),
        })),
      };
    },

    preview(ctx: Context<Record<string, unknown> & { count: number; from?: number | string }>) {
      const { count, from, ...fields } = ctx.params;
      const parsed = parseSchedule(fields, config.defaultTimezone, "");
      const start = from === undefined ? clock.now() : parseInstant(from);
      const errors = parsed.ok ? [] : [...parsed.errors];
      if (Number.isNaN(start))
        errors.push({
          field: "from",
          message: "must be an ISO 8601 time (2026-03-29T00:00:00Z) or epoch milliseconds",
        });
      if (!parsed.ok || errors.length > 0) invalid(errors);
      const runs = preview(parsed.schedule, start, count);
      return {
        schedule: parsed.schedule,
        from: iso(start),
        runs: runs.map((r) => ({
          expectedAt: iso(r.expectedAt),
          lateAt: iso(r.lateAt),
          downAt: iso(r.downAt),
          ...(r.clockChange ? { note: r.clockChange.text, clockChange: r.clockChange } : {}),
        })),
      };
    },

    /**
     * With metrics on: heartbeats_monitors{status}, counted now and every 15 s, and the
     * per-monitor series, read at each scrape. The registry serves them because it reads the
     * database (the truth) and is present in every deployment; the checker's in-memory queue
     * is shared among replicas, so none of them knows every monitor.
     */
    async startGauge(broker: ServiceBroker, logger: Logger) {
      if (!broker.isMetricsEnabled()) return;
      removeSeries = addScrapeSource(broker, async () => renderMonitorSeries(await monitorSeriesRows(db)));
      const byStatus = metric(broker, METRICS.monitors);
      const count = async () => {
        const n = await monitors.monitorCountsByStatus(db);
        for (const status of STATUSES) byStatus.set(n.get(status) ?? 0, { status });
      };
      monitorGauge = setInterval(
        () => count().catch((err) => logger.warn("counting monitors failed:", (err as Error).message)),
        15_000,
      );
      await count();
    },

    stopGauge() {
      if (monitorGauge) clearInterval(monitorGauge);
      removeSeries?.();
    },
  };
}
