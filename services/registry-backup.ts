// The registry's import and export (mixed into the registry: registry.import, registry.export).
// import: a plan from core/import/ (the original tool, healthchecks.io, our export) validated
// whole with the rules of the create actions, then written in one transaction; idempotent by
// monitor code and by channel identity; answers a report. export: the sections of a backup.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { Transaction } from "sequelize";
import type { ServiceDeps } from "./deps.ts";
import { parseSchedule, type FieldError, type Schedule } from "../core/schedule/schedule.ts";
import { CODE_PATTERN } from "../core/monitor/code.ts";
import { monitorView } from "../core/monitor/monitor-record.ts";
import { insertMonitor } from "../core/db/monitors.ts";
import { channelIdsOf, defaultChannelIds } from "../core/db/channels.ts";
import { tagsOf } from "../core/db/tags.ts";
import type { ChannelRow, MonitorRow } from "../core/db/models.ts";
import { BACKUP_FORMAT, BACKUP_VERSION } from "../core/import/backup.ts";
import { channelIdentity, type ChannelSpec, type ImportPlan, type ImportReport, type MonitorSpec, type Outcome, type ReportItem } from "../core/import/plan.ts";
import { CHOOSABLE_EVENTS } from "../core/alerts/alert.ts";
import { channelStorage } from "./registry-channels.ts";
import { description, name, repeatEverySeconds, runLimits, tag, tags } from "./registry-params.ts";
import { checkRunLimits, type RunLimitFields } from "../core/monitor/run-limits.ts";
import { runLimitColumns, runLimitsOf } from "../core/monitor/monitor-record.ts";
import { parseWindow, type WindowInput } from "../core/schedule/maintenance.ts";
import { loadWindows, windowColumns, windowView } from "../core/db/maintenance.ts";

const { ValidationError } = Errors;

const MAX_ERRORS = 50;
const PING_CHUNK = 500;
const flag = { type: "boolean", optional: true };
const events = { type: "array", optional: true, max: 3, unique: true, items: { type: "enum", values: [...CHOOSABLE_EVENTS] } };
const ping = {
  type: "object",
  props: {
    kind: { type: "enum", values: ["success", "fail"] },
    data: { type: "string", nullable: true, optional: true },
    receivedAt: { type: "number", integer: true, min: 0 },
    sourceIp: { type: "string", nullable: true, optional: true, max: 64 },
    userAgent: { type: "string", nullable: true, optional: true },
  },
};

const parseJson = (s: string): Record<string, unknown> => (JSON.parse(s || "{}") ?? {}) as Record<string, unknown>;

export function registryBackup(deps: ServiceDeps): Partial<ServiceSchema> {
  const { config, db, clock, channels: catalog, secrets: box } = deps;
  const storage = channelStorage(deps);

  /** A channel spec's full config, or why it cannot be restored here. */
  function fullConfig(c: ChannelSpec): { config: Record<string, unknown> } | { reason: string } {
    let secrets: Record<string, unknown> = {};
    if (c.sealedSecrets) {
      try {
        secrets = parseJson(box.open(c.sealedSecrets));
      } catch (err) {
        return { reason: `its secrets cannot be opened here (${(err as Error).message}): import with the exporting server's SECRET_KEY` };
      }
    }
    const cfg = { ...c.config, ...secrets };
    const problems = storage.problems(c.type, cfg);
    if (problems.length && c.secretsOmitted?.length) return { reason: `the export left its secrets out (${c.secretsOmitted.join(", ")}): add the channel again by hand` };
    return { config: cfg };
  }

  /** Every problem of the plan, each naming its field; nothing is written when there is one. */
  /** What a window is known by: two windows with one name and one rule are one window. */
  const windowIdentity = (w: { name: string; rule: unknown }) => JSON.stringify([w.name.trim(), w.rule]);

  /**
   * The plan's windows checked by the API's own rules (their monitors by code: those of the
   * plan, or already stored); the checked windows come back in `windows`, in plan order.
   */
  async function windowProblems(plan: ImportPlan, windows: WindowInput[]): Promise<FieldError[]> {
    const out: FieldError[] = [];
    const inPlan = new Set(plan.monitors.map((m) => m.code));
    for (const [i, w] of (plan.maintenanceWindows ?? []).entries()) {
      // Scope by code here; parseWindow checks the rest with stand-in ids.
      const parsed = parseWindow({ name: w.name, rule: w.rule, tags: w.tags, monitorIds: w.monitorCodes.map((_, k) => k + 1) }, config.defaultTimezone);
      if (!parsed.ok) out.push(...parsed.errors.map((e) => ({ field: `maintenanceWindows[${i}].${e.field}`, message: e.message })));
      else windows.push(parsed.window);
      const unknown = w.monitorCodes.filter((c) => !inPlan.has(c));
      const stored = new Set(unknown.length ? (await db.select<{ code: string }>("SELECT code FROM monitors WHERE code IN (?)", [unknown])).map((r) => r.code) : []);
      const k = w.monitorCodes.findIndex((c) => !inPlan.has(c) && !stored.has(c));
      if (k >= 0) out.push({ field: `maintenanceWindows[${i}].monitorCodes[${k}]`, message: `no monitor has the code ${w.monitorCodes[k]}` });
    }
    return out;
  }

  async function importWindows(plan: ImportPlan, windows: WindowInput[], items: ReportItem[], t: Transaction): Promise<void> {
    const specs = plan.maintenanceWindows ?? [];
    if (!specs.length) return;
    const known = new Set((await loadWindows(db, t)).map((w) => windowIdentity(windowView(w, 0))));
    const codes = [...new Set(specs.flatMap((w) => w.monitorCodes))];
    const idOf = new Map(codes.length ? (await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors WHERE code IN (?)", [codes], t)).map((r) => [r.code, Number(r.id)]) : []);
    const now = clock.now();
    for (const [i, spec] of specs.entries()) {
      const w = { ...windows[i]!, monitorIds: spec.monitorCodes.map((c) => idOf.get(c)!) };
      const key = windowIdentity(windowView({ id: 0, createdAt: now, updatedAt: now, ...w }, 0));
      if (known.has(key)) {
        items.push({ kind: "maintenance window", name: w.name, outcome: "present" });
        continue;
      }
      known.add(key);
      const cols = windowColumns(w);
      await db.insertRows("maintenance_windows", [...Object.keys(cols), "created_at", "updated_at"], [[...Object.values(cols), now, now]], t);
      items.push({ kind: "maintenance window", name: w.name, outcome: "created" });
    }
  }

  function problems(plan: ImportPlan, channels: (ReturnType<typeof fullConfig>)[], schedules: (Schedule | null)[]): FieldError[] {
    const out: FieldError[] = [];
    channels.forEach((c, i) => {
      if ("config" in c) for (const p of storage.problems(plan.channels[i]!.type, c.config)) out.push({ field: `channels[${i}].${p.field}`, message: p.message });
    });
    plan.monitors.forEach((m, i) => {
      const parsed = parseSchedule(m.schedule, config.defaultTimezone, `monitors[${i}].schedule`);
      if (parsed.ok) schedules.push(parsed.schedule);
      else {
        schedules.push(null);
        out.push(...parsed.errors);
      }
      for (const e of checkRunLimits(m.runLimits ?? {})) out.push({ field: `monitors[${i}].${e.field}`, message: e.message });
    });
    return out.slice(0, MAX_ERRORS);
  }

  async function importChannels(plan: ImportPlan, full: ReturnType<typeof fullConfig>[], items: ReportItem[], t: Transaction): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const r of await db.select<ChannelRow>("SELECT * FROM channels", [], t)) {
      ids.set(channelIdentity({ type: r.type, name: r.name, config: parseJson(r.config), managed: r.managed }), Number(r.id));
    }
    const now = clock.now();
    for (const [i, c] of plan.channels.entries()) {
      const key = channelIdentity(c);
      const f = full[i]!;
      if (ids.has(key)) items.push({ kind: "channel", name: c.name, outcome: "present" });
      else if ("reason" in f) items.push({ kind: "channel", name: c.name, outcome: "skipped", reason: f.reason });
      else {
        const stored = storage.stored(c.type, f.config);
        const [newId] = await db.insertRows(
          "channels",
          ["name", "type", "config", "secrets", "events", "is_default", "enabled", "managed", "created_at", "updated_at"],
          [[c.name, c.type, stored.config, stored.secrets, (c.events ?? [...CHOOSABLE_EVENTS]).join(","), c.isDefault ?? false, c.enabled ?? true, null, now, now]],
          t,
        );
        ids.set(key, newId!);
        items.push({ kind: "channel", name: c.name, outcome: "created" });
      }
    }
    return ids;
  }

  async function importPings(monitorId: number, pings: NonNullable<MonitorSpec["pings"]>, t: Transaction): Promise<void> {
    const cols = ["monitor_id", "kind", "exit_status", "data", "data_truncated", "duration_ms", "received_at", "source_ip", "user_agent"];
    for (let i = 0; i < pings.length; i += PING_CHUNK) {
      const rows = pings.slice(i, i + PING_CHUNK).map((p) => {
        const data = p.data === null || p.data === undefined ? null : p.data.slice(0, config.pingBodyLimit);
        return [monitorId, p.kind, null, data, data !== null && data.length < p.data!.length, null, p.receivedAt, p.sourceIp ?? null, p.userAgent?.slice(0, 200) ?? null];
      });
      await db.insertRows("pings", cols, rows, t);
    }
    await db.change("UPDATE monitors SET ping_count = ? WHERE id = ?", [pings.length, monitorId], t);
  }

  /**
   * The sections of an export, in file order. Each reads one kind of thing; core/import/backup.ts
   * has the matching reader. A new section is one function here and one there.
   */
  const EXPORT_SECTIONS: Record<string, () => Promise<unknown[]>> = {
    async tags() {
      return (await db.select<{ name: string }>("SELECT name FROM tags ORDER BY name")).map((r) => r.name);
    },
    async channels() {
      // The environment's email channel belongs to SMTP_URL/ALERT_TO, not to the backup.
      const rows = await db.select<ChannelRow>("SELECT * FROM channels WHERE managed IS NULL ORDER BY id");
      return rows.map((r) => {
        const secretFields = catalog.secretFields(r.type);
        // Sealed with this server's key when it has one; left out (and named) otherwise, or when this key cannot open them.
        let secrets: { sealedSecrets?: string; secretsOmitted?: string[] } = secretFields.length ? { secretsOmitted: secretFields } : {};
        try {
          if (box.encrypts) secrets = { sealedSecrets: box.seal(box.open(r.secrets)) };
        } catch {
          /* stored under another SECRET_KEY: omitted */
        }
        return {
          name: r.name,
          type: r.type,
          config: parseJson(r.config),
          ...secrets,
          events: r.events.split(",").filter(Boolean),
          isDefault: Boolean(Number(r.is_default)),
          enabled: Boolean(Number(r.enabled)),
        };
      });
    },
    async monitors() {
      const rows = await db.select<MonitorRow>("SELECT * FROM monitors ORDER BY id");
      const ids = rows.map((r) => Number(r.id));
      const [tagMap, chMap] = await Promise.all([tagsOf(db, ids), channelIdsOf(db, ids)]);
      const channelRows = await db.select<ChannelRow>("SELECT * FROM channels");
      const keyOf = new Map(channelRows.map((c) => [Number(c.id), channelIdentity({ type: c.type, name: c.name, config: parseJson(c.config), managed: c.managed })]));
      return rows.map((r) => {
        const v = monitorView(r, tagMap.get(Number(r.id)) ?? [], []);
        const channels = (chMap.get(Number(r.id)) ?? []).map((c) => keyOf.get(c)!);
        return { code: v.code, name: v.name, description: v.description, schedule: v.schedule, tags: v.tags, paused: v.paused, channels, repeatEverySeconds: v.repeatEverySeconds, ...runLimitsOf(r) };
      });
    },
    async maintenanceWindows() {
      const codeOf = new Map((await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors")).map((r) => [Number(r.id), r.code]));
      return (await loadWindows(db)).map((w) => {
        const v = windowView(w, 0);
        // A window's monitors by code: ids are not kept by a restore.
        return { name: v.name, rule: v.rule, monitorCodes: w.monitorIds.map((id) => codeOf.get(id)).filter((c): c is string => c !== undefined), tags: v.tags };
      });
    },
  };

  return {
    actions: {
      import: {
        visibility: "public",
        params: {
          tags: { type: "array", optional: true, items: tag },
          channels: {
            type: "array",
            items: { type: "object", props: { name, type: { type: "string", min: 1, max: 64 }, config: { type: "object" }, sealedSecrets: { type: "string", optional: true }, events, isDefault: flag, enabled: flag } },
          },
          monitors: {
            type: "array",
            items: {
              type: "object",
              props: {
                code: { type: "string", pattern: CODE_PATTERN, messages: { stringPattern: "a code is 1 to 36 of A-Z a-z 0-9 _ -" } },
                name,
                description,
                schedule: { type: "object" },
                tags: { ...tags, optional: false },
                paused: { type: "boolean" },
                channels: { type: "array", optional: true, items: { type: "string" } },
                repeatEverySeconds,
                runLimits: { type: "object", optional: true, props: runLimits },
                pings: { type: "array", optional: true, items: ping },
              },
            },
          },
          maintenanceWindows: {
            type: "array",
            optional: true,
            items: { type: "object", props: { name: { type: "string", max: 200 }, rule: { type: "object" }, monitorCodes: { type: "array", items: "string" }, tags: { type: "array", items: "string" } } },
          },
          skipped: { type: "array", optional: true },
        },
        async handler(ctx: Context<ImportPlan>): Promise<ImportReport> {
          const plan = ctx.params;
          const full = plan.channels.map(fullConfig);
          const schedules: (Schedule | null)[] = [];
          const windows: WindowInput[] = [];
          const errors = [...problems(plan, full, schedules), ...(await windowProblems(plan, windows))].slice(0, MAX_ERRORS);
          if (errors.length) throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", errors.map((e) => ({ type: "invalid", ...e })));
          const items: ReportItem[] = [];
          const created: number[] = [];
          await db.write(async (t) => {
            // A transaction rolled back by a deadlock runs again (core/db/connect.ts): start clean.
            items.length = 0;
            created.length = 0;
            if (plan.tags?.length) await db.models.Tag.bulkCreate([...new Set(plan.tags)].map((n) => ({ name: n })), { ignoreDuplicates: true, transaction: t });
            const channelIds = await importChannels(plan, full, items, t);
            const defaults = await defaultChannelIds(db, t);
            const codes = plan.monitors.map((m) => m.code);
            const present = new Set<string>();
            for (let i = 0; i < codes.length; i += 1000) {
              for (const r of await db.select<{ code: string }>("SELECT code FROM monitors WHERE code IN (?)", [codes.slice(i, i + 1000)], t)) present.add(r.code);
            }
            const now = clock.now();
            for (const [i, m] of plan.monitors.entries()) {
              const base = { kind: "monitor" as const, name: m.name, code: m.code };
              if (present.has(m.code)) {
                items.push({ ...base, outcome: "present" });
                continue;
              }
              present.add(m.code);
              const channels = m.channels === undefined ? defaults : m.channels.map((k) => channelIds.get(k)).filter((c): c is number => c !== undefined);
              const fields = { code: m.code, name: m.name, description: m.description ?? null, schedule: schedules[i]!, tags: m.tags, paused: m.paused };
              const monitorId = await insertMonitor(
                db,
                { ...fields, channels, repeatEverySeconds: m.repeatEverySeconds ?? null, runLimits: runLimitColumns((m.runLimits ?? {}) as Partial<RunLimitFields>) },
                config.defaultTimezone,
                now,
                t,
              );
              if (m.pings?.length) await importPings(monitorId, m.pings, t);
              created.push(monitorId);
              items.push({ ...base, outcome: "created" });
            }
            await importWindows(plan, windows, items, t);
          });
          for (const monitorId of created) ctx.broadcast("monitor.changed", { id: monitorId });
          for (const s of plan.skipped ?? []) items.push({ kind: s.kind, name: s.item, outcome: "skipped", reason: s.reason });
          const counts: Record<Outcome, number> = { created: 0, present: 0, skipped: 0 };
          for (const it of items) counts[it.outcome]++;
          return { items, counts };
        },
      },

      export: {
        visibility: "public",
        async handler() {
          const out: Record<string, unknown> = { format: BACKUP_FORMAT, version: BACKUP_VERSION, exportedAt: new Date(clock.now()).toISOString() };
          for (const [section, read] of Object.entries(EXPORT_SECTIONS)) out[section] = await read();
          return out;
        },
      },
    },
  };
}
