// Maintenance windows: when they are active and whom they cover. Pure; times are epoch ms (UTC).
//
// A window is one-off (start, end) or recurring (a cron expression evaluated in an IANA zone,
// DST-correct through core/schedule/cron.ts, each run opening an occurrence of `durationSeconds`).
// Occurrences are half-open [start, end). Overlapping or touching occurrences of one window
// count as one stretch: its end is where the last of them ends.
// A monitor is covered when its id is listed or it carries any listed tag.

import { compileCron, nextRun } from "./cron.ts";
import { parseSchedule, MAX_SECONDS, type FieldError } from "./schedule.ts";

export type WindowRule =
  | { kind: "once"; startsAt: number; endsAt: number }
  | { kind: "recurring"; expression: string; durationSeconds: number; timezone: string };

export interface WindowScope {
  monitorIds: number[];
  tags: string[];
}

export interface MaintenanceWindow extends WindowScope {
  id: number;
  rule: WindowRule;
}

// How many chained occurrences are followed to find where a stretch ends (a minutely cron with a
// week-long duration would otherwise be followed forever); past it, the stretch ends there.
const MAX_CHAIN = 10_000;

function cronRun(rule: Extract<WindowRule, { kind: "recurring" }>, after: number): number {
  return nextRun(compileCron(rule.expression), rule.timezone, after);
}

/** The latest occurrence start ≤ t whose occurrence contains t, or null. */
function openRunAt(rule: Extract<WindowRule, { kind: "recurring" }>, t: number): number | null {
  const d = rule.durationSeconds * 1000;
  let run = cronRun(rule, t - d); // first run strictly after t - d: it (and later ones ≤ t) still cover t
  if (Number.isNaN(run) || run > t) return null;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = cronRun(rule, run);
    if (Number.isNaN(next) || next > t) break;
    run = next;
  }
  return run;
}

/** Whether the window is active at t. */
export function activeAt(rule: WindowRule, t: number): boolean {
  if (rule.kind === "once") return rule.startsAt <= t && t < rule.endsAt;
  return openRunAt(rule, t) !== null;
}

/** When the stretch active at t ends (overlapping occurrences merged), or null when not active at t. */
export function activeUntil(rule: WindowRule, t: number): number | null {
  if (rule.kind === "once") return activeAt(rule, t) ? rule.endsAt : null;
  const run = openRunAt(rule, t);
  if (run === null) return null;
  const d = rule.durationSeconds * 1000;
  let last = run;
  let end = run + d;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const next = cronRun(rule, last); // a run at or before the end extends the stretch
    if (Number.isNaN(next) || next > end) break;
    last = next;
    end = next + d;
  }
  return end;
}

/** The next time after t at which the window starts or stops being active, or null if never again. */
export function nextChange(rule: WindowRule, t: number): number | null {
  const until = activeUntil(rule, t);
  if (until !== null) return until;
  if (rule.kind === "once") return rule.startsAt > t ? rule.startsAt : null;
  const next = cronRun(rule, t);
  return Number.isNaN(next) ? null : next;
}

export function covers(scope: WindowScope, monitorId: number, monitorTags: readonly string[]): boolean {
  return scope.monitorIds.includes(monitorId) || monitorTags.some((tag) => scope.tags.includes(tag));
}

/** Ids of the windows active at t that cover the monitor. */
export function activeWindowsFor(
  windows: readonly MaintenanceWindow[],
  monitorId: number,
  monitorTags: readonly string[],
  t: number,
): number[] {
  return windows.filter((w) => covers(w, monitorId, monitorTags) && activeAt(w.rule, t)).map((w) => w.id);
}

// ---------------------------------------------------------------------------------------------
// Validation of untrusted input
// ---------------------------------------------------------------------------------------------

export interface WindowInput {
  name: string;
  rule: WindowRule;
  monitorIds: number[];
  tags: string[];
}

const MAX_NAME = 100;
const MAX_SCOPE = 1000;

/**
 * Validates a window as sent to the API (times as ISO strings or epoch ms); every field error
 * is named by its path (`rule.expression`, `rule.endsAt`, `monitorIds`…). Never throws.
 */
export function parseWindow(
  input: unknown,
  defaultTimezone: string,
): { ok: true; window: WindowInput } | { ok: false; errors: FieldError[] } {
  if (typeof input !== "object" || input === null || Array.isArray(input))
    return { ok: false, errors: [{ field: "body", message: "must be an object" }] };
  const o = input as Record<string, unknown>;
  const errors: FieldError[] = [];
  const name = typeof o.name === "string" ? o.name.trim() : "";
  if (!name) errors.push({ field: "name", message: "is required" });
  else if (name.length > MAX_NAME) errors.push({ field: "name", message: `must be at most ${MAX_NAME} characters` });

  const rule = parseRule(o.rule, defaultTimezone, errors);

  const monitorIds = o.monitorIds ?? [];
  const tags = o.tags ?? [];
  if (
    !Array.isArray(monitorIds) ||
    monitorIds.length > MAX_SCOPE ||
    !monitorIds.every((m) => Number.isInteger(m) && (m as number) > 0)
  ) {
    errors.push({ field: "monitorIds", message: `must be a list of at most ${MAX_SCOPE} monitor ids` });
  }
  if (
    !Array.isArray(tags) ||
    tags.length > MAX_SCOPE ||
    !tags.every((t) => typeof t === "string" && t.trim() !== "" && t.length <= 50)
  ) {
    errors.push({ field: "tags", message: `must be a list of at most ${MAX_SCOPE} tag names` });
  }
  if (
    !errors.some((e) => e.field === "monitorIds" || e.field === "tags") &&
    !(monitorIds as unknown[]).length &&
    !(tags as unknown[]).length
  ) {
    errors.push({ field: "monitorIds", message: "a window must cover at least one monitor or tag" });
  }
  if (errors.length || !rule) return { ok: false, errors };
  return {
    ok: true,
    window: {
      name,
      rule,
      monitorIds: [...new Set(monitorIds as number[])],
      tags: [...new Set((tags as string[]).map((t) => t.trim().toLowerCase()))],
    },
  };
}

function time(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return Math.round(v);
  if (typeof v === "string" && v.length <= 40 && /^\d{4}-\d\d-\d\d[T ]/.test(v)) {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : null;
  }
  return null;
}

function parseRule(input: unknown, defaultTimezone: string, errors: FieldError[]): WindowRule | null {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    errors.push({ field: "rule", message: "must be an object" });
    return null;
  }
  const r = input as Record<string, unknown>;
  if (r.kind === "once") {
    const startsAt = time(r.startsAt);
    const endsAt = time(r.endsAt);
    if (startsAt === null) errors.push({ field: "rule.startsAt", message: "must be a date-time (ISO 8601)" });
    if (endsAt === null) errors.push({ field: "rule.endsAt", message: "must be a date-time (ISO 8601)" });
    if (startsAt === null || endsAt === null) return null;
    if (endsAt <= startsAt) {
      errors.push({ field: "rule.endsAt", message: "must be after rule.startsAt" });
      return null;
    }
    return { kind: "once", startsAt, endsAt };
  }
  if (r.kind === "recurring") {
    // The cron and zone checks are the monitors' own.
    const parsed = parseSchedule(
      { kind: "cron", expression: r.expression, timezone: r.timezone },
      defaultTimezone,
      "rule",
    );
    const d = r.durationSeconds;
    let ok = parsed.ok;
    if (!parsed.ok)
      errors.push(...parsed.errors.filter((e) => e.field === "rule.expression" || e.field === "rule.timezone"));
    if (typeof d !== "number" || !Number.isInteger(d) || d <= 0 || d > MAX_SECONDS) {
      errors.push({
        field: "rule.durationSeconds",
        message: `must be a whole number of seconds between 1 and ${MAX_SECONDS}`,
      });
      ok = false;
    }
    if (!ok || !parsed.ok || parsed.schedule.kind !== "cron") return null;
    return {
      kind: "recurring",
      expression: parsed.schedule.expression,
      durationSeconds: d as number,
      timezone: parsed.schedule.timezone,
    };
  }
  errors.push({ field: "rule.kind", message: 'must be "once" or "recurring"' });
  return null;
}

// ---------------------------------------------------------------------------------------------
// What becomes of held alerts when no window covers their monitor any more
// ---------------------------------------------------------------------------------------------

export interface HeldAlert {
  flipId: number;
  /** 0: the flip's own alert; n: the n-th reminder */
  round: number;
  channelId: number | null;
}

export interface MonitorAtEnd {
  status: string;
  lastDownFlipId: number | null;
  lastUpFlipId: number | null;
  /** channels that were told of the last down flip (its alert not held or suppressed) */
  toldOfLastDown: ReadonlySet<number>;
}

/**
 * A monitor still down sends the alert of its last down flip; a monitor that is up again sends
 * its recovery only to channels that were told it was down (so an incident opened before the
 * window gets closed); everything else held — reminders, earlier flips, a down-and-up inside
 * the window — is suppressed.
 */
export function fateOfHeld(h: HeldAlert, m: MonitorAtEnd): "release" | "suppress" {
  if (h.round !== 0) return "suppress";
  if (m.status === "down") return h.flipId === m.lastDownFlipId ? "release" : "suppress";
  const upNow = m.status === "up" || m.status === "late";
  if (upNow && h.flipId === m.lastUpFlipId && h.channelId !== null && m.toldOfLastDown.has(h.channelId))
    return "release";
  return "suppress";
}
