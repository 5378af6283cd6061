// Our own export file ("npm run export"): what it holds, and reading it back into an import
// plan. Each section is one entry of BACKUP_SECTIONS: a reader from the file into the plan.
// The registry's EXPORT_SECTIONS (services/registry/backup.ts) writes the same sections.

import {
  ImportInputError,
  isObject,
  type ChannelSpec,
  type ImportPlan,
  type MonitorSpec,
  type WindowSpec,
} from "./plan.ts";

const RUN_LIMITS = [
  "maxRunSeconds",
  "slowFactor",
  "slowWindow",
  "failureThreshold",
  "recoveryThreshold",
  "failureRate",
  "minRunSeconds",
  "minGapSeconds",
  "reportUnexpectedRuns",
] as const;

export const BACKUP_FORMAT = "heartbeats-backup";
export const BACKUP_VERSION = 1;

function list(v: unknown, field: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new ImportInputError(field, "must be a list");
  return v;
}

function objects(v: unknown, field: string): Record<string, unknown>[] {
  return list(v, field).map((o, i) => {
    if (!isObject(o)) throw new ImportInputError(`${field}[${i}]`, "must be an object");
    return o;
  });
}

function text(o: Record<string, unknown>, key: string, field: string): string {
  if (typeof o[key] !== "string") throw new ImportInputError(`${field}.${key}`, "must be a string");
  return o[key] as string;
}

/**
 * Section readers: each fills its part of the plan from the file's section of that name.
 * Field types are checked here only as far as needed to build the plan; the registry's import
 * action validates every value with the rules of its create actions.
 */
export const BACKUP_SECTIONS: Record<string, (section: unknown, plan: ImportPlan) => void> = {
  tags(section, plan) {
    plan.tags = list(section, "tags").map((t, i) => {
      if (typeof t !== "string") throw new ImportInputError(`tags[${i}]`, "must be a string");
      return t;
    });
  },
  channels(section, plan) {
    plan.channels = objects(section, "channels").map((c, i): ChannelSpec => {
      const at = `channels[${i}]`;
      if (!isObject(c.config)) throw new ImportInputError(`${at}.config`, "must be an object");
      return {
        ...(c as unknown as ChannelSpec),
        name: text(c, "name", at),
        type: text(c, "type", at),
        config: c.config,
      };
    });
  },
  monitors(section, plan) {
    plan.monitors = objects(section, "monitors").map((m, i): MonitorSpec => {
      const at = `monitors[${i}]`;
      if (!isObject(m.schedule)) throw new ImportInputError(`${at}.schedule`, "must be an object");
      const tags = list(m.tags, `${at}.tags`) as string[];
      const channels = list(m.channels, `${at}.channels`) as string[];
      return {
        code: text(m, "code", at),
        name: text(m, "name", at),
        description: typeof m.description === "string" ? m.description : null,
        schedule: m.schedule,
        tags,
        paused: m.paused === true,
        channels,
        repeatEverySeconds: typeof m.repeatEverySeconds === "number" ? m.repeatEverySeconds : null,
        // Written since run limits (and, later, run rules) existed; an older file's monitors get the defaults.
        runLimits: Object.fromEntries(RUN_LIMITS.filter((k) => m[k] !== undefined).map((k) => [k, m[k]])),
        // Written since dependencies and snoozes existed (migration 018): parents by code.
        ...(m.dependsOn === undefined ? {} : { dependsOn: list(m.dependsOn, `${at}.dependsOn`) as string[] }),
        ...snoozeOf(m.snoozedUntil, `${at}.snoozedUntil`),
        origin: `${at} "${String(m.name)}"`,
      };
    });
  },
  maintenanceWindows(section, plan) {
    plan.maintenanceWindows = objects(section, "maintenanceWindows").map((w, i): WindowSpec => {
      const at = `maintenanceWindows[${i}]`;
      if (!isObject(w.rule)) throw new ImportInputError(`${at}.rule`, "must be an object");
      return {
        name: text(w, "name", at),
        rule: w.rule,
        monitorCodes: list(w.monitorCodes, `${at}.monitorCodes`) as string[],
        tags: list(w.tags, `${at}.tags`) as string[],
      };
    });
  },
};

/** An exported snooze (ISO 8601, or null): epoch ms for the plan. */
function snoozeOf(v: unknown, field: string): { snoozedUntil?: number | null } {
  if (v === undefined || v === null) return {};
  const ms = typeof v === "string" ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw new ImportInputError(field, "must be an ISO 8601 time or null");
  return { snoozedUntil: ms };
}

export function mapBackup(input: unknown): ImportPlan {
  if (!isObject(input) || input.format !== BACKUP_FORMAT)
    throw new ImportInputError("format", `must be "${BACKUP_FORMAT}" (a file written by npm run export)`);
  if (input.version !== BACKUP_VERSION) throw new ImportInputError("version", `must be ${BACKUP_VERSION}`);
  const plan: ImportPlan = { channels: [], monitors: [], skipped: [] };
  for (const [name, read] of Object.entries(BACKUP_SECTIONS)) read(input[name], plan);
  return plan;
}
