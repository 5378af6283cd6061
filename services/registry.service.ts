// registry: monitors, tags, channels and users — create, read, update, delete and search.
// Thin adapter: schedule rules and transitions come from core/, this file stores them.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import { UniqueConstraintError, type Transaction } from "sequelize";
import type { ServiceDeps } from "./deps.ts";
import { parseInstant, parseSchedule, preview, type FieldError } from "../core/schedule/schedule.ts";
import { pause, resume, rescheduled, STATUSES, type Tracked } from "../core/monitor/monitor-status.ts";
import { monitorView, runLimitColumns, scheduleColumns, scheduleOf, trackedOf, type MonitorView } from "../core/monitor/monitor-record.ts";
import { checkRunLimits, type RunLimitFields } from "../core/monitor/run-limits.ts";
import { recordFlip } from "../core/db/flips.ts";
import { CODE_PATTERN, newCode } from "../core/monitor/code.ts";
import type { MonitorRow } from "../core/db/models.ts";
import { checkCredentials, countUsers, createUser } from "../core/db/users.ts";
import { tagsOf } from "../core/db/tags.ts";
import { channelIdsOf, defaultChannelIds, setChannels, syncEnvEmailChannel, unknownChannels } from "../core/db/channels.ts";
import { insertMonitor, setTags } from "../core/db/monitors.ts";
import { registryChannels } from "./registry-channels.ts";
import { registryUsers } from "./registry-users.ts";
import { registryHosts } from "./registry-hosts.ts";
import { registryKeys } from "./registry-keys.ts";
import { badgeUrlOf, registryBadges } from "./registry-badges.ts";
import { registryBackup } from "./registry-backup.ts";
import { id, page, tags, name, description, channels, repeatEverySeconds, runLimits } from "./registry-params.ts";
import { registryMaintenance } from "./registry-maintenance.ts";
import { loadWindows } from "../core/db/maintenance.ts";
import { activeWindowsFor } from "../core/schedule/maintenance.ts";
import { METRICS, metric } from "./metrics.ts";
import { sealStoredSecrets } from "../core/db/sealing.ts";

const { MoleculerClientError, ValidationError } = Errors;

/** The list's sort keys and their columns (a monitor's next due time is its late_at). */
const SORTS = { name: "m.name", status: "m.status", lastPingAt: "m.last_ping_at", nextDueAt: "m.late_at", createdAt: "m.created_at" } as const;
type RunLimitParams = Partial<RunLimitFields>;

function invalid(errors: FieldError[]): never {
  // Preview takes the schedule's fields at the top level: parsed with an empty prefix, they start with a dot.
  throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", errors.map((e) => ({ type: "invalid", ...e, field: e.field.replace(/^\./, "") })));
}

function notFound(): never {
  throw new MoleculerClientError("monitor not found", 404, "NOT_FOUND", { field: "id" });
}

const iso = (ms: number) => new Date(ms).toISOString();

export default function registryService(deps: ServiceDeps): ServiceSchema {
  const { config, db, clock } = deps;
  let monitorGauge: NodeJS.Timeout | null = null;
  async function row(monitorId: number, t?: Transaction, lock = false): Promise<MonitorRow> {
    const [r] = await db.select<MonitorRow>(`SELECT * FROM monitors WHERE id = ?${lock ? db.forUpdate : ""}`, [monitorId], t);
    return r ?? notFound();
  }

  /** Monitors as the API shows them, each with the ids of the maintenance windows covering it now. */
  async function views(rows: MonitorRow[]): Promise<(MonitorView & { maintenance: number[] })[]> {
    const ids = rows.map((r) => Number(r.id));
    const [byId, chById, windows] = await Promise.all([tagsOf(db, ids), channelIdsOf(db, ids), loadWindows(db)]);
    const now = clock.now();
    return rows.map((r) => {
      const tags = byId.get(Number(r.id)) ?? [];
      return { ...monitorView(r, tags, chById.get(Number(r.id)) ?? []), maintenance: activeWindowsFor(windows, Number(r.id), tags, now) };
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

  /** One page of a monitor's pings or flips, newest first, with the total. */
  async function history<T>(table: "pings" | "flips", p: { id: number; limit: number; offset: number }, view: (r: Record<string, unknown>) => T) {
    await row(p.id);
    const [{ n }] = await db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE monitor_id = ?`, [p.id]);
    const rows = await db.select<Record<string, unknown>>(`SELECT * FROM ${table} WHERE monitor_id = ? ORDER BY id DESC LIMIT ? OFFSET ?`, [p.id, p.limit, p.offset]);
    return { total: Number(n), items: rows.map(view) };
  }

  function trackedColumns(s: Tracked) {
    return { status: s.status, late_at: s.lateAt, down_at: s.downAt };
  }

  /** Pause and resume: one conditional transition, its flip stored in the same transaction. */
  async function transition(ctx: Context<{ id: number }>, change: (r: MonitorRow, now: number) => { next: Tracked; flip: ReturnType<typeof pause>["flip"] }) {
    const monitorId = ctx.params.id;
    const now = clock.now();
    const flipped = await db.write(async (t) => {
      const r = await row(monitorId, t, true);
      const { next, flip } = change(r, now);
      if (!flip) return false;
      await db.change(
        `UPDATE monitors SET status = ?, late_at = ?, down_at = ?, run_deadline_at = ?, consecutive_failures = ?, consecutive_successes = ?,
           armed_at = ?, status_changed_at = ?, updated_at = ? WHERE id = ?`,
        [next.status, next.lateAt, next.downAt, next.runDeadlineAt, next.failures, next.successes, next.status === "new" ? now : r.armed_at, now, now, monitorId],
        t,
      );
      await recordFlip(db, t, monitorId, flip, now, null);
      return true;
    });
    if (flipped) ctx.broadcast("monitor.changed", { id: monitorId });
    return view(monitorId);
  }

  type NewMonitor = { name: string; description?: string | null; schedule: unknown; tags?: string[]; channels?: number[]; repeatEverySeconds?: number | null } & RunLimitParams;

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
      const fields = { code, name: p.name, description: p.description ?? null, schedule: parsed.schedule, tags: p.tags ?? [] };
      // Left out: the channels marked default. An empty list means none.
      const channels = p.channels ?? (await defaultChannelIds(db, t));
      return insertMonitor(db, { ...fields, channels, repeatEverySeconds: p.repeatEverySeconds ?? null, runLimits: runLimitColumns(p) }, config.defaultTimezone, now, t);
    });
  }

  return {
    name: "registry",
    mixins: [registryChannels(deps) as ServiceSchema, registryUsers(deps) as ServiceSchema, registryHosts(deps) as ServiceSchema, registryKeys(deps) as ServiceSchema, registryBadges(deps) as ServiceSchema, registryBackup(deps) as ServiceSchema, registryMaintenance(deps) as ServiceSchema],

    actions: {
      create: {
        params: { name, description, schedule: { type: "object" }, tags, channels, repeatEverySeconds, ...runLimits },
        async handler(ctx: Context<NewMonitor>) {
          const monitorId = await createMonitor(ctx.params, newCode());
          ctx.broadcast("monitor.changed", { id: monitorId });
          Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/monitors/${monitorId}` });
          return view(monitorId);
        },
      },

      /**
       * Auto-provisioning (AUTO_PROVISION=true): the monitor whose code is this slug, created from
       * the defaults when there is none. Called by ingest for an authenticated `?create=1` ping;
       * of two concurrent calls for one slug, one creates and both get its id.
       */
      provision: {
        params: { code: { type: "string", pattern: CODE_PATTERN } },
        async handler(ctx: Context<{ code: string }>): Promise<{ id: number; created: boolean }> {
          if (!config.autoProvision) throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
          const existing = async () => {
            const [r] = await db.select<{ id: number }>("SELECT id FROM monitors WHERE code = ?", [ctx.params.code]);
            return r ? Number(r.id) : null;
          };
          const found = await existing();
          if (found !== null) return { id: found, created: false };
          let monitorId: number;
          try {
            const { periodSeconds, graceSeconds } = config.autoProvision;
            monitorId = await createMonitor({ name: ctx.params.code, schedule: { kind: "interval", periodSeconds, graceSeconds } }, ctx.params.code);
          } catch (err) {
            // Another ping (on this or another registry) created it first: the code is unique.
            if (!(err instanceof UniqueConstraintError)) throw err;
            const raced = await existing();
            if (raced === null) throw err;
            return { id: raced, created: false };
          }
          this.logger.info(`auto-provisioned monitor ${monitorId} for code ${ctx.params.code}`);
          ctx.broadcast("monitor.changed", { id: monitorId });
          return { id: monitorId, created: true };
        },
      },

      list: {
        params: {
          tags: { type: "string", optional: true, max: 2000 },
          q: { type: "string", optional: true, trim: true, max: 200 },
          status: { type: "enum", optional: true, values: [...STATUSES] },
          sort: { type: "enum", optional: true, values: Object.keys(SORTS), default: "name" },
          order: { type: "enum", optional: true, values: ["asc", "desc"], default: "asc" },
          ...page,
        },
        async handler(ctx: Context<{ tags?: string; q?: string; status?: string; sort: keyof typeof SORTS; order: "asc" | "desc"; limit: number; offset: number }>) {
          const where: string[] = [];
          const args: Record<string, unknown> = {};
          // The original tool's tag search: comma-separated tags, a monitor must carry all of them.
          const wanted = [...new Set((ctx.params.tags ?? "").split(",").map((s) => s.trim().toLowerCase()).filter(Boolean))];
          if (wanted.length) {
            where.push(
              "m.id IN (SELECT mt.monitor_id FROM monitor_tags mt JOIN tags t ON t.id = mt.tag_id WHERE t.name IN (:tags) GROUP BY mt.monitor_id HAVING COUNT(*) = :ntags)",
            );
            args.tags = wanted;
            args.ntags = wanted.length;
          }
          if (ctx.params.q) {
            where.push("(m.name LIKE :like ESCAPE '!' OR m.description LIKE :like ESCAPE '!' OR m.code = :q)");
            args.like = `%${ctx.params.q.replace(/[!%_]/g, "!$&")}%`;
            args.q = ctx.params.q;
          }
          // Counts per status under the tag and text filters, whatever status is picked: the dashboard's header.
          const countFilter = where.length ? `WHERE ${where.join(" AND ")}` : "";
          const counted = await db.select<{ status: string; n: number }>(`SELECT m.status, COUNT(*) AS n FROM monitors m ${countFilter} GROUP BY m.status`, args);
          const counts = Object.fromEntries(STATUSES.map((st) => [st, Number(counted.find((c) => c.status === st)?.n ?? 0)]));
          if (ctx.params.status) {
            where.push("m.status = :status");
            args.status = ctx.params.status;
          }
          const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
          const [{ n }] = await db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM monitors m ${filter}`, args);
          const dir = ctx.params.order === "desc" ? "DESC" : "ASC";
          const orderBy = `${SORTS[ctx.params.sort]} ${dir}, m.id ${dir}`;
          const rows = await db.select<MonitorRow>(`SELECT m.* FROM monitors m ${filter} ORDER BY ${orderBy} LIMIT :limit OFFSET :offset`, {
            ...args,
            limit: ctx.params.limit,
            offset: ctx.params.offset,
          });
          return { total: Number(n), counts, items: await views(rows) };
        },
      },

      /** Several monitors by id (for the gateway's live updates); ids that name none are left out. */
      views: {
        visibility: "public",
        params: { ids: { type: "array", max: 1000, items: { type: "number", integer: true, positive: true } } },
        async handler(ctx: Context<{ ids: number[] }>) {
          if (!ctx.params.ids.length) return [];
          const rows = await db.select<MonitorRow>("SELECT * FROM monitors WHERE id IN (?)", [ctx.params.ids]);
          return views(rows);
        },
      },

      get: {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          // The badge URL once the monitor has a badge key (GET /monitors/:id/badge makes one).
          return { ...(await view(ctx.params.id)), badgeUrl: await badgeUrlOf(db, config.publicUrl, ctx.params.id) };
        },
      },

      update: {
        params: { id, name: { ...name, optional: true }, description, schedule: { type: "object", optional: true }, tags, channels, repeatEverySeconds, ...runLimits },
        async handler(
          ctx: Context<{ id: number; name?: string; description?: string | null; schedule?: unknown; tags?: string[]; channels?: number[]; repeatEverySeconds?: number | null } & RunLimitParams>,
        ) {
          const p = ctx.params;
          const parsed = p.schedule === undefined ? null : parseSchedule(p.schedule, config.defaultTimezone);
          if (parsed && !parsed.ok) invalid(parsed.errors);
          const limitErrors = checkRunLimits(p);
          if (limitErrors.length) invalid(limitErrors);
          const now = clock.now();
          await db.write(async (t) => {
            const r = await row(p.id, t, true);
            await checkChannels(p.channels, t);
            const set: Record<string, unknown> = { updated_at: now };
            if (p.name !== undefined) set.name = p.name;
            if (p.description !== undefined) set.description = p.description;
            if (p.repeatEverySeconds !== undefined) {
              set.repeat_every_seconds = p.repeatEverySeconds;
              // A monitor that is down now starts reminding one period from now; null stops it.
              set.next_reminder_at = p.repeatEverySeconds !== null && r.status === "down" ? now + p.repeatEverySeconds * 1000 : null;
            }
            Object.assign(set, runLimitColumns(p));
            // No limit any more: a run being timed is no longer watched.
            if (p.maxRunSeconds === null) set.run_deadline_at = null;
            if (parsed?.ok) {
              Object.assign(set, scheduleColumns(parsed.schedule, config.defaultTimezone));
              Object.assign(set, trackedColumns(rescheduled(trackedOf(r), parsed.schedule, Number(r.armed_at))));
            }
            const cols = Object.keys(set);
            await db.change(`UPDATE monitors SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`, [...cols.map((c) => set[c]), p.id], t);
            if (p.tags !== undefined) await setTags(db, p.id, p.tags, t);
            if (p.channels !== undefined) await setChannels(db, p.id, p.channels, t);
          });
          ctx.broadcast("monitor.changed", { id: p.id });
          return view(p.id);
        },
      },

      remove: {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          const n = await db.write(async (t) => {
            // Children first: SQLite enforces the foreign keys only when the pragma is on.
            for (const table of ["deliveries", "flips", "pings", "monitor_tags", "monitor_channels", "badge_keys"]) {
              await db.change(`DELETE FROM ${table} WHERE monitor_id = ?`, [ctx.params.id], t);
            }
            return db.change("DELETE FROM monitors WHERE id = ?", [ctx.params.id], t);
          });
          if (n === 0) notFound();
          ctx.broadcast("monitor.changed", { id: ctx.params.id, deleted: true });
          return { id: ctx.params.id, deleted: true };
        },
      },

      pause: {
        params: { id },
        handler(ctx: Context<{ id: number }>) {
          return transition(ctx, (r) => pause(trackedOf(r)));
        },
      },

      resume: {
        params: { id },
        handler(ctx: Context<{ id: number }>) {
          return transition(ctx, (r, now) => resume(trackedOf(r), scheduleOf(r), now));
        },
      },

      pings: {
        params: { id, ...page },
        handler(ctx: Context<{ id: number; limit: number; offset: number }>) {
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
      },

      flips: {
        params: { id, ...page },
        handler(ctx: Context<{ id: number; limit: number; offset: number }>) {
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
      },

      notifications: {
        params: { id, ...page },
        async handler(ctx: Context<{ id: number; limit: number; offset: number }>) {
          const p = ctx.params;
          await row(p.id);
          const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries WHERE monitor_id = ?", [p.id]);
          const rows = await db.select<Record<string, unknown>>(
            `SELECT d.*, c.name AS channel_name FROM deliveries d LEFT JOIN channels c ON c.id = d.channel_id
              WHERE d.monitor_id = ? ORDER BY d.id DESC LIMIT ? OFFSET ?`,
            [p.id, p.limit, p.offset],
          );
          const at = (v: unknown) => (v === null || v === undefined ? null : iso(Number(v)));
          return {
            total: Number(n),
            items: rows.map((d) => ({
              id: Number(d.id),
              flipId: Number(d.flip_id),
              event: d.event,
              reminder: Number(d.round),
              // a deleted channel keeps its type here; its name is gone with it
              channel: { id: d.channel_id === null ? null : Number(d.channel_id), type: d.channel, name: d.channel_name ?? null },
              state: d.state,
              attempts: Number(d.attempts),
              lastError: d.last_error ?? null,
              lastAttemptAt: at(d.last_attempt_at),
              nextAttemptAt: d.state === "pending" ? at(d.next_attempt_at) : null,
              sentAt: at(d.sent_at),
              createdAt: at(d.created_at),
            })),
          };
        },
      },

      preview: {
        params: {
          kind: { type: "string", max: 16 },
          periodSeconds: { type: "number", optional: true, convert: true },
          graceSeconds: { type: "number", optional: true, convert: true },
          expression: { type: "string", optional: true, max: 200 },
          // OnCalendar: a list, or one string with one expression a line (a query string's form)
          expressions: [
            { type: "array", optional: true, max: 10, items: { type: "string", max: 200 } },
            { type: "string", optional: true, max: 2100 },
          ],
          dialect: { type: "string", optional: true, max: 16 },
          timezone: { type: "string", optional: true, max: 64 },
          deadline: { type: "string", optional: true, max: 16 },
          // where the listing starts: epoch ms, or ISO 8601 with an offset; default now
          from: [
            { type: "number", optional: true, integer: true, min: 0, max: 8_640_000_000_000 },
            { type: "string", optional: true, max: 40 },
          ],
          count: { type: "number", optional: true, convert: true, integer: true, min: 1, max: 100, default: 10 },
        },
        handler(ctx: Context<Record<string, unknown> & { count: number; from?: number | string }>) {
          const { count, from, ...fields } = ctx.params;
          const parsed = parseSchedule(fields, config.defaultTimezone, "");
          const start = from === undefined ? clock.now() : parseInstant(from);
          const errors = parsed.ok ? [] : [...parsed.errors];
          if (Number.isNaN(start)) errors.push({ field: "from", message: "must be an ISO 8601 time (2026-03-29T00:00:00Z) or epoch milliseconds" });
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
      },

      authenticate: {
        visibility: "public",
        params: { username: { type: "string", max: 1024 }, password: { type: "string", max: 1024 } },
        handler(ctx: Context<{ username: string; password: string }>) {
          return checkCredentials(db, ctx.params.username, ctx.params.password);
        },
      },

      ready: {
        visibility: "public",
        async handler() {
          await db.ping();
          return { database: "ok" };
        },
      },
    },

    async started() {
      if (this.broker.isMetricsEnabled()) {
        const byStatus = metric(this.broker, METRICS.monitors);
        const count = async () => {
          const rows = await db.select<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM monitors GROUP BY status");
          const n = new Map(rows.map((r) => [r.status, Number(r.n)]));
          for (const status of STATUSES) byStatus.set(n.get(status) ?? 0, { status });
        };
        const logger = this.logger;
        monitorGauge = setInterval(() => count().catch((err) => logger.warn("counting monitors failed:", (err as Error).message)), 15_000);
        await count();
      }
      const sealed = await sealStoredSecrets(db, deps.secrets);
      if (sealed) this.logger.info(`sealed ${sealed} stored secrets with the secret key`);
      const env = await syncEnvEmailChannel(db, config.smtp !== null, clock.now());
      if (env === "created") this.logger.info("email from SMTP_URL/ALERT_TO is now the channel \"Email (environment)\", a default attached to every monitor");
      if (env === "disabled") this.logger.warn("SMTP_URL is not set: the channel \"Email (environment)\" is disabled");
      // The original tool's createsuperuser, for containers: the first admin from the environment.
      if (config.admin && (await countUsers(db)) === 0) {
        try {
          await createUser(db, config.admin.username, config.admin.password, "admin", clock.now());
          this.logger.info(`created admin user "${config.admin.username}" from ADMIN_USERNAME`);
        } catch (err) {
          // Another registry replica starting at the same moment created it first.
          if ((await countUsers(db)) === 0) throw err;
        }
      }
    },

    stopped() {
      if (monitorGauge) clearInterval(monitorGauge);
    },
  };
}
