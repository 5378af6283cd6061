// The registry's import and export. import: a plan from core/import/ (the original tool,
// healthchecks.io, our export) validated whole with the rules of the create actions, then written
// in one transaction; idempotent by monitor code and by channel identity; answers a report.
// export: the sections of a backup. The SQL is core/db/backup.ts and the areas' repositories.

import { Errors, type Context } from "moleculer";
import type { Transaction } from "sequelize";
import type { ServiceDeps } from "../deps.ts";
import { parseSchedule, type FieldError, type Schedule } from "../../core/schedule/schedule.ts";
import { checkDependsOn } from "../../core/monitor/dependencies.ts";
import { allEdges, setParents } from "../../core/db/dependencies.ts";
import { monitorView, runLimitColumns, runLimitsOf } from "../../core/monitor/monitor-record.ts";
import { insertMonitor } from "../../core/db/monitors.ts";
import {
  allChannels,
  channelIdsOf,
  defaultChannelIds,
  insertChannel,
  unmanagedChannels,
} from "../../core/db/channels.ts";
import { createTags, tagsOf } from "../../core/db/tags.ts";
import {
  allMonitors,
  insertPings,
  monitorCodes,
  monitorIdsByCode,
  storedCodes,
  tagNames,
} from "../../core/db/backup.ts";
import { BACKUP_FORMAT, BACKUP_VERSION } from "../../core/import/backup.ts";
import {
  channelIdentity,
  type ChannelSpec,
  type CodedPing,
  type ImportPlan,
  type PingSpec,
  type ImportReport,
  type Outcome,
  type ReportItem,
} from "../../core/import/plan.ts";
import { CHOOSABLE_EVENTS } from "../../core/alerts/alert.ts";
import { channelStorage } from "./channels.ts";
import { checkRunLimits, type RunLimitFields } from "../../core/monitor/run-limits.ts";
import { parseWindow, type WindowInput } from "../../core/schedule/maintenance.ts";
import { insertWindow, loadWindows, windowView } from "../../core/db/maintenance.ts";

const { ValidationError } = Errors;

const MAX_ERRORS = 50;

/** Thrown at the end of a dry run's transaction, to roll back what it did. */
class DryRunDone extends Error {}

const parseJson = (s: string): Record<string, unknown> => (JSON.parse(s || "{}") ?? {}) as Record<string, unknown>;

export function backupArea(deps: ServiceDeps) {
  const { config, db, clock, channels: catalog, secrets: box } = deps;
  const storage = channelStorage(deps);

  /** A channel spec's full config, or why it cannot be restored here. */
  function fullConfig(c: ChannelSpec): { config: Record<string, unknown> } | { reason: string } {
    let secrets: Record<string, unknown> = {};
    if (c.sealedSecrets) {
      try {
        secrets = parseJson(box.open(c.sealedSecrets));
      } catch (err) {
        return {
          reason: `its secrets cannot be opened here (${(err as Error).message}): import with the exporting server's SECRET_KEY`,
        };
      }
    }
    const cfg = { ...c.config, ...secrets };
    const problems = storage.problems(c.type, cfg);
    if (problems.length && c.secretsOmitted?.length)
      return {
        reason: `the export left its secrets out (${c.secretsOmitted.join(", ")}): add the channel again by hand`,
      };
    return { config: cfg };
  }

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
      const parsed = parseWindow(
        { name: w.name, rule: w.rule, tags: w.tags, monitorIds: w.monitorCodes.map((_, k) => k + 1) },
        config.defaultTimezone,
      );
      if (!parsed.ok)
        out.push(...parsed.errors.map((e) => ({ field: `maintenanceWindows[${i}].${e.field}`, message: e.message })));
      else windows.push(parsed.window);
      const unknown = w.monitorCodes.filter((c) => !inPlan.has(c));
      const stored = new Set(unknown.length ? await storedCodes(db, unknown) : []);
      const k = w.monitorCodes.findIndex((c) => !inPlan.has(c) && !stored.has(c));
      if (k >= 0)
        out.push({
          field: `maintenanceWindows[${i}].monitorCodes[${k}]`,
          message: `no monitor has the code ${w.monitorCodes[k]}`,
        });
    }
    return out;
  }

  async function importWindows(
    plan: ImportPlan,
    windows: WindowInput[],
    items: ReportItem[],
    t: Transaction,
  ): Promise<void> {
    const specs = plan.maintenanceWindows ?? [];
    if (!specs.length) return;
    const known = new Set((await loadWindows(db, t)).map((w) => windowIdentity(windowView(w, 0))));
    const codes = [...new Set(specs.flatMap((w) => w.monitorCodes))];
    const idOf = codes.length ? await monitorIdsByCode(db, codes, t) : new Map<string, number>();
    const now = clock.now();
    for (const [i, spec] of specs.entries()) {
      const w = { ...windows[i]!, monitorIds: spec.monitorCodes.map((c) => idOf.get(c)!) };
      const key = windowIdentity(windowView({ id: 0, createdAt: now, updatedAt: now, ...w }, 0));
      if (known.has(key)) {
        items.push({ kind: "maintenance window", name: w.name, outcome: "present" });
        continue;
      }
      known.add(key);
      await insertWindow(db, w, now, t);
      items.push({ kind: "maintenance window", name: w.name, outcome: "created" });
    }
  }

  /**
   * The parents of the monitors this import created, by code (of the plan or already stored), once
   * every monitor exists; checked by the API's rule (no unknown code, no cycle) — a problem is a
   * 422 naming the monitor's dependsOn and undoes the whole import. Monitors already present keep theirs.
   */
  async function importParents(plan: ImportPlan, created: number[], t: Transaction): Promise<void> {
    const withParents = plan.monitors.map((m, i) => ({ m, i })).filter(({ m }) => m.dependsOn?.length);
    if (!withParents.length) return;
    const codes = [...new Set(withParents.flatMap(({ m }) => [m.code, ...m.dependsOn!]))];
    const idOf = await monitorIdsByCode(db, codes, t);
    const edges = await allEdges(db, t);
    const fail = (i: number, message: string): never => {
      throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", [
        { type: "invalid", field: `monitors[${i}].dependsOn`, message },
      ]);
    };
    for (const { m, i } of withParents) {
      // Created by this import only: a monitor present before keeps its own parents.
      const id = idOf.get(m.code)!;
      if (!created.includes(id)) continue;
      const missing = m.dependsOn!.find((c) => !idOf.has(c));
      if (missing !== undefined) fail(i, `no monitor has the code ${missing}`);
      const parents = m.dependsOn!.map((c) => idOf.get(c)!);
      const errors = checkDependsOn(id, parents, new Set(idOf.values()), edges);
      if (errors.length) fail(i, errors[0]!.message);
      await setParents(db, id, parents, t, true);
      edges.push(...parents.map((p) => ({ monitor_id: id, parent_id: p })));
    }
  }

  /** Every problem of the plan, each naming its field; nothing is written when there is one. */
  function problems(
    plan: ImportPlan,
    channels: ReturnType<typeof fullConfig>[],
    schedules: (Schedule | null)[],
  ): FieldError[] {
    const out: FieldError[] = [];
    channels.forEach((c, i) => {
      if ("config" in c)
        for (const p of storage.problems(plan.channels[i]!.type, c.config))
          out.push({ field: `channels[${i}].${p.field}`, message: p.message });
    });
    plan.monitors.forEach((m, i) => {
      const parsed = parseSchedule(m.schedule, config.defaultTimezone, `monitors[${i}].schedule`);
      if (parsed.ok) schedules.push(parsed.schedule);
      else {
        schedules.push(null);
        out.push(...parsed.errors);
      }
      for (const e of checkRunLimits(m.runLimits ?? {}))
        out.push({ field: `monitors[${i}].${e.field}`, message: e.message });
    });
    return out.slice(0, MAX_ERRORS);
  }

  async function importChannels(
    plan: ImportPlan,
    full: ReturnType<typeof fullConfig>[],
    items: ReportItem[],
    t: Transaction,
  ): Promise<Map<string, number>> {
    const ids = new Map<string, number>();
    for (const r of await allChannels(db, t)) {
      ids.set(
        channelIdentity({ type: r.type, name: r.name, config: parseJson(r.config), managed: r.managed }),
        Number(r.id),
      );
    }
    const now = clock.now();
    for (const [i, c] of plan.channels.entries()) {
      const key = channelIdentity(c);
      const f = full[i]!;
      if (ids.has(key)) items.push({ kind: "channel", name: c.name, outcome: "present" });
      else if ("reason" in f) items.push({ kind: "channel", name: c.name, outcome: "skipped", reason: f.reason });
      else {
        const stored = storage.stored(c.type, f.config);
        const events = (c.events ?? [...CHOOSABLE_EVENTS]).join(",");
        const newId = await insertChannel(
          db,
          {
            name: c.name,
            type: c.type,
            ...stored,
            events,
            is_default: c.isDefault ?? false,
            enabled: c.enabled ?? true,
            locale: null,
            created_at: now,
            updated_at: now,
          },
          t,
        );
        ids.set(key, newId);
        items.push({ kind: "channel", name: c.name, outcome: "created" });
      }
    }
    return ids;
  }

  /**
   * The sections of an export, in file order. Each reads one kind of thing; core/import/backup.ts
   * has the matching reader. A new section is one function here and one there.
   */
  const EXPORT_SECTIONS: Record<string, () => Promise<unknown[]>> = {
    async tags() {
      return tagNames(db);
    },
    async channels() {
      // The environment's email channel belongs to SMTP_URL/ALERT_TO, not to the backup.
      const rows = await unmanagedChannels(db);
      return rows.map((r) => {
        const secretFields = catalog.secretFields(r.type);
        // Sealed with this server's key when it has one; left out (and named) otherwise, or when this key cannot open them.
        let secrets: { sealedSecrets?: string; secretsOmitted?: string[] } = secretFields.length
          ? { secretsOmitted: secretFields }
          : {};
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
      const rows = await allMonitors(db);
      const ids = rows.map((r) => Number(r.id));
      const [tagMap, chMap, edges] = await Promise.all([tagsOf(db, ids), channelIdsOf(db, ids), allEdges(db)]);
      // Parents by code: ids are not kept by a restore.
      const codeOf = new Map(rows.map((r) => [Number(r.id), r.code]));
      const parentCodes = new Map<number, string[]>();
      for (const e of edges)
        parentCodes.set(Number(e.monitor_id), [
          ...(parentCodes.get(Number(e.monitor_id)) ?? []),
          codeOf.get(Number(e.parent_id))!,
        ]);
      const channelRows = await allChannels(db);
      const keyOf = new Map(
        channelRows.map((c) => [
          Number(c.id),
          channelIdentity({ type: c.type, name: c.name, config: parseJson(c.config), managed: c.managed }),
        ]),
      );
      return rows.map((r) => {
        const v = monitorView(r, tagMap.get(Number(r.id)) ?? [], [], clock.now());
        const channels = (chMap.get(Number(r.id)) ?? []).map((c) => keyOf.get(c)!);
        return {
          code: v.code,
          name: v.name,
          description: v.description,
          schedule: v.schedule,
          tags: v.tags,
          paused: v.paused,
          channels,
          repeatEverySeconds: v.repeatEverySeconds,
          ...runLimitsOf(r),
          dependsOn: (parentCodes.get(Number(r.id)) ?? []).sort(),
          snoozedUntil: v.snoozedUntil,
        };
      });
    },
    async maintenanceWindows() {
      const codeOf = await monitorCodes(db);
      return (await loadWindows(db)).map((w) => {
        const v = windowView(w, 0);
        // A window's monitors by code: ids are not kept by a restore.
        return {
          name: v.name,
          rule: v.rule,
          monitorCodes: w.monitorIds.map((id) => codeOf.get(id)).filter((c): c is string => c !== undefined),
          tags: v.tags,
        };
      });
    },
  };

  return {
    async import(ctx: Context<ImportPlan>): Promise<ImportReport> {
      const plan = ctx.params;
      const full = plan.channels.map(fullConfig);
      const schedules: (Schedule | null)[] = [];
      const windows: WindowInput[] = [];
      const errors = [...problems(plan, full, schedules), ...(await windowProblems(plan, windows))].slice(
        0,
        MAX_ERRORS,
      );
      if (errors.length)
        throw new ValidationError(
          "Parameters validation error!",
          "VALIDATION_ERROR",
          errors.map((e) => ({ type: "invalid", ...e })),
        );
      const items: ReportItem[] = [];
      const created: number[] = [];
      // A dry run does all of it and rolls back: its report is what a real run would do now.
      const run = db.write(async (t) => {
        // A transaction rolled back by a deadlock runs again (core/db/connect.ts): start clean.
        items.length = 0;
        created.length = 0;
        if (plan.tags?.length) await createTags(db, plan.tags, t);
        const channelIds = await importChannels(plan, full, items, t);
        const defaults = await defaultChannelIds(db, t);
        const codes = plan.monitors.map((m) => m.code);
        const present = new Set<string>();
        for (let i = 0; i < codes.length; i += 1000) {
          for (const code of await storedCodes(db, codes.slice(i, i + 1000), t)) present.add(code);
        }
        const now = clock.now();
        for (const [i, m] of plan.monitors.entries()) {
          const base = { kind: "monitor" as const, name: m.name, code: m.code };
          if (present.has(m.code)) {
            items.push({ ...base, outcome: "present" });
            continue;
          }
          present.add(m.code);
          const channels =
            m.channels === undefined
              ? defaults
              : m.channels.map((k) => channelIds.get(k)).filter((c): c is number => c !== undefined);
          const fields = {
            code: m.code,
            name: m.name,
            description: m.description ?? null,
            schedule: schedules[i]!,
            tags: m.tags,
            paused: m.paused,
          };
          const monitorId = await insertMonitor(
            db,
            {
              ...fields,
              channels,
              repeatEverySeconds: m.repeatEverySeconds ?? null,
              runLimits: runLimitColumns((m.runLimits ?? {}) as Partial<RunLimitFields>),
              snoozedUntil:
                m.snoozedUntil !== undefined && m.snoozedUntil !== null && m.snoozedUntil > now ? m.snoozedUntil : null,
            },
            config.defaultTimezone,
            now,
            t,
          );
          if (m.pings?.length) await insertPings(db, monitorId, m.pings, config.pingBodyLimit, t);
          created.push(monitorId);
          items.push({ ...base, outcome: "created" });
        }
        await importParents(plan, created, t);
        await importWindows(plan, windows, items, t);
        if (plan.dryRun) throw new DryRunDone();
      });
      await run.catch((err: unknown) => {
        if (!(err instanceof DryRunDone)) throw err;
        created.length = 0;
      });
      for (const monitorId of created) ctx.broadcast("monitor.changed", { id: monitorId });
      for (const s of plan.skipped ?? [])
        items.push({ kind: s.kind, name: s.item, outcome: "skipped", reason: s.reason });
      const counts: Record<Outcome, number> = { created: 0, present: 0, skipped: 0 };
      for (const it of items) counts[it.outcome]++;
      return { items, counts };
    },

    /** A batch of an import's ping history, for monitors by code (those it does not find are counted, not written). */
    async importPings(ctx: Context<{ pings: CodedPing[] }>): Promise<{ inserted: number; unknown: number }> {
      const byCode = new Map<string, PingSpec[]>();
      for (const p of ctx.params.pings) byCode.set(p.code, [...(byCode.get(p.code) ?? []), p]);
      return db.write(async (t) => {
        const ids = await monitorIdsByCode(db, [...byCode.keys()], t);
        let inserted = 0;
        for (const [code, pings] of byCode) {
          const id = ids.get(code);
          if (id === undefined) continue;
          await insertPings(db, id, pings, config.pingBodyLimit, t);
          inserted += pings.length;
        }
        return { inserted, unknown: ctx.params.pings.length - inserted };
      });
    },

    async export() {
      const out: Record<string, unknown> = {
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        exportedAt: new Date(clock.now()).toISOString(),
      };
      for (const [section, read] of Object.entries(EXPORT_SECTIONS)) out[section] = await read();
      return out;
    },
  };
}
