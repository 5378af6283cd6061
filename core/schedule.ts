// Schedule math: when a monitor is expected, when it is late, when it is down.
// Pure and framework-free; every time is epoch milliseconds (UTC), every zone an IANA name.
//
// Interval schedules are plain arithmetic; cron run times come from core/cron.ts.

import { IANAZone } from "luxon";
import { compileCron, endOfLocalDay, nextRun, type CompiledCron } from "./cron.ts";

export type Schedule =
  | { kind: "interval"; periodSeconds: number; graceSeconds: number }
  | { kind: "cron"; expression: string; timezone: string; graceSeconds: number; deadline: "grace" | "end-of-day" };

/** All epoch milliseconds. A ping is expected at `expectedAt`, the monitor is late from `lateAt`, down from `downAt`. */
export interface Deadlines {
  expectedAt: number;
  lateAt: number;
  downAt: number;
}

export interface FieldError {
  field: string;
  message: string;
}

export const MAX_SECONDS = 31_536_000; // one year
export const DEFAULT_CRON_GRACE_SECONDS = 300;

const MAX_EXPRESSION_LENGTH = 200;
const MAX_PREVIEW = 100;
const EARLY_PING_TOLERANCE_MS = 60_000;
const SECOND_MS = 1000;

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/** Deadlines for the next run after a ping received at `pingAt`. */
export function deadlinesAfterPing(schedule: Schedule, pingAt: number): Deadlines {
  assertTime(pingAt, "pingAt");
  if (schedule.kind === "interval") return intervalDeadlines(schedule, pingAt);
  const cron = compileCron(schedule.expression);
  const zone = schedule.timezone;
  const s1 = nextRunOrThrow(cron, zone, pingAt);
  let expected = s1;
  // Early ping: a job whose clock runs slightly fast pings just before its scheduled time; that
  // ping is the s1 run, so the next one expected is s2. Only worth computing s2 if s1 is close.
  const maxTolerance = Math.min(
    schedule.deadline === "end-of-day" ? EARLY_PING_TOLERANCE_MS : schedule.graceSeconds * SECOND_MS,
    EARLY_PING_TOLERANCE_MS,
  );
  if (s1 - pingAt <= maxTolerance) {
    const s2 = nextRunOrThrow(cron, zone, s1);
    if (s1 - pingAt <= Math.min(maxTolerance, (s2 - s1) / 2)) expected = s2;
  }
  return cronDeadlines(schedule, expected);
}

/** Deadlines for a monitor armed (created or resumed, not pinged since) at `armedAt`. */
export function deadlinesAfterArm(schedule: Schedule, armedAt: number): Deadlines {
  assertTime(armedAt, "armedAt");
  if (schedule.kind === "interval") return intervalDeadlines(schedule, armedAt);
  const cron = compileCron(schedule.expression);
  return cronDeadlines(schedule, nextRunOrThrow(cron, schedule.timezone, armedAt));
}

/** The next `count` (clamped to 1..100) expected runs after `from`, as if the monitor were armed at `from`. */
export function preview(schedule: Schedule, from: number, count: number): Deadlines[] {
  assertTime(from, "from");
  let n = Math.trunc(count);
  if (!(n >= 1)) n = 1; // also NaN
  else if (n > MAX_PREVIEW) n = MAX_PREVIEW;
  const out: Deadlines[] = new Array(n);
  if (schedule.kind === "interval") {
    const period = schedule.periodSeconds * SECOND_MS;
    const grace = schedule.graceSeconds * SECOND_MS;
    for (let i = 0; i < n; i++) {
      const at = from + (i + 1) * period;
      out[i] = { expectedAt: at, lateAt: at, downAt: at + grace };
    }
    return out;
  }
  const cron = compileCron(schedule.expression);
  let at = from;
  for (let i = 0; i < n; i++) {
    at = nextRunOrThrow(cron, schedule.timezone, at);
    out[i] = cronDeadlines(schedule, at);
  }
  return out;
}

/**
 * Validates untrusted input (parsed JSON) and returns a normalized schedule, or every field error
 * found, each naming the full field path (`schedule.kind`, `schedule.periodSeconds`, ...).
 * Never throws.
 */
export function parseSchedule(
  input: unknown,
  defaultTimezone: string,
  field = "schedule",
): { ok: true; schedule: Schedule } | { ok: false; errors: FieldError[] } {
  try {
    return parseScheduleUnsafe(input, defaultTimezone, field);
  } catch {
    // Only reachable through exotic objects (throwing getters, proxies); JSON never gets here.
    return { ok: false, errors: [{ field, message: "is not a valid schedule" }] };
  }
}

// ---------------------------------------------------------------------------------------------
// Deadlines
// ---------------------------------------------------------------------------------------------

function intervalDeadlines(schedule: { periodSeconds: number; graceSeconds: number }, from: number): Deadlines {
  const at = from + schedule.periodSeconds * SECOND_MS;
  return { expectedAt: at, lateAt: at, downAt: at + schedule.graceSeconds * SECOND_MS };
}

function cronDeadlines(
  schedule: { timezone: string; graceSeconds: number; deadline: "grace" | "end-of-day" },
  at: number,
): Deadlines {
  const downAt = schedule.deadline === "end-of-day" ? endOfLocalDay(at, schedule.timezone) : at + schedule.graceSeconds * SECOND_MS;
  return { expectedAt: at, lateAt: at, downAt };
}

function assertTime(t: number, name: string): void {
  if (typeof t !== "number" || !Number.isFinite(t)) throw new RangeError(`${name} must be a finite epoch-milliseconds number`);
}

function nextRunOrThrow(cron: CompiledCron, zone: string, after: number): number {
  const at = nextRun(cron, zone, after);
  if (Number.isNaN(at)) throw new RangeError("cron expression never matches");
  return at;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

type ParseResult = { ok: true; schedule: Schedule } | { ok: false; errors: FieldError[] };

// cron-parser's predefined expressions (matched exactly, as cron-parser does)
const CRON_ALIASES = new Set([
  "@yearly",
  "@annually",
  "@monthly",
  "@weekly",
  "@daily",
  "@hourly",
  "@minutely",
  "@secondly",
  "@weekdays",
  "@weekends",
]);

function parseScheduleUnsafe(input: unknown, defaultTimezone: string, field: string): ParseResult {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ field, message: "must be an object" }] };
  }
  const obj = input as Record<string, unknown>;
  const get = (key: string): unknown => (Object.hasOwn(obj, key) ? obj[key] : undefined);
  const errors: FieldError[] = [];
  const kind = get("kind");

  if (kind === "interval") {
    const periodSeconds = checkSeconds(get("periodSeconds"), 1, true, `${field}.periodSeconds`, errors);
    const graceSeconds = checkSeconds(get("graceSeconds"), 0, true, `${field}.graceSeconds`, errors);
    if (errors.length > 0 || periodSeconds === undefined || graceSeconds === undefined) return { ok: false, errors };
    return { ok: true, schedule: { kind: "interval", periodSeconds, graceSeconds } };
  }

  if (kind === "cron") {
    const expression = checkExpression(get("expression"), `${field}.expression`, errors);

    let timezone: string | undefined;
    const tz = get("timezone");
    if (tz === undefined || tz === null) {
      if (IANAZone.isValidZone(defaultTimezone)) timezone = defaultTimezone;
      else errors.push({ field: `${field}.timezone`, message: "is required (no valid default time zone)" });
    } else if (typeof tz !== "string") {
      errors.push({ field: `${field}.timezone`, message: "must be a string" });
    } else if (tz.length > 100 || !IANAZone.isValidZone(tz)) {
      errors.push({ field: `${field}.timezone`, message: "must be a valid IANA time zone, e.g. Europe/Berlin" });
    } else {
      timezone = tz;
    }

    let deadline: "grace" | "end-of-day" | undefined;
    const dl = get("deadline");
    if (dl === undefined || dl === null || dl === "grace") deadline = "grace";
    else if (dl === "end-of-day") deadline = "end-of-day";
    else errors.push({ field: `${field}.deadline`, message: 'must be "grace" or "end-of-day"' });

    let graceSeconds: number | undefined;
    const grace = get("graceSeconds");
    if (grace === undefined || grace === null) {
      graceSeconds = deadline === "end-of-day" ? 0 : DEFAULT_CRON_GRACE_SECONDS;
    } else {
      graceSeconds = checkSeconds(grace, 0, false, `${field}.graceSeconds`, errors);
      if (graceSeconds !== undefined && graceSeconds !== 0 && deadline === "end-of-day") {
        errors.push({
          field: `${field}.graceSeconds`,
          message: 'must be 0 or omitted with deadline "end-of-day" (the end of the day is the deadline)',
        });
        graceSeconds = undefined;
      }
    }

    if (errors.length > 0 || expression === undefined || timezone === undefined || deadline === undefined || graceSeconds === undefined) {
      return { ok: false, errors };
    }
    return { ok: true, schedule: { kind: "cron", expression, timezone, graceSeconds, deadline } };
  }

  errors.push({ field: `${field}.kind`, message: kind === undefined ? 'is required ("interval" or "cron")' : 'must be "interval" or "cron"' });
  return { ok: false, errors };
}

/** A whole number of seconds in [min, MAX_SECONDS]; pushes an error and returns undefined otherwise. */
function checkSeconds(value: unknown, min: number, required: boolean, path: string, errors: FieldError[]): number | undefined {
  if (value === undefined || value === null) {
    if (required) errors.push({ field: path, message: "is required" });
    return undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    errors.push({ field: path, message: "must be a number of seconds" });
    return undefined;
  }
  if (!Number.isInteger(value)) {
    errors.push({ field: path, message: "must be a whole number of seconds" });
    return undefined;
  }
  if (value < min || value > MAX_SECONDS) {
    errors.push({ field: path, message: `must be between ${min} and ${MAX_SECONDS} seconds` });
    return undefined;
  }
  return value === 0 ? 0 : value; // no -0
}

/** A usable cron expression, normalized (trimmed, single spaces); pushes an error and returns undefined otherwise. */
function checkExpression(value: unknown, path: string, errors: FieldError[]): string | undefined {
  if (value === undefined || value === null) {
    errors.push({ field: path, message: "is required" });
    return undefined;
  }
  if (typeof value !== "string") {
    errors.push({ field: path, message: "must be a string" });
    return undefined;
  }
  if (value.length > MAX_EXPRESSION_LENGTH * 4) {
    errors.push({ field: path, message: `must be at most ${MAX_EXPRESSION_LENGTH} characters` });
    return undefined;
  }
  const trimmed = value.trim();
  if (trimmed === "") {
    errors.push({ field: path, message: "must not be empty" });
    return undefined;
  }
  if (trimmed.length > MAX_EXPRESSION_LENGTH) {
    errors.push({ field: path, message: `must be at most ${MAX_EXPRESSION_LENGTH} characters` });
    return undefined;
  }
  let expression: string;
  if (trimmed.startsWith("@")) {
    if (!CRON_ALIASES.has(trimmed)) {
      errors.push({ field: path, message: `unknown predefined expression; use one of ${[...CRON_ALIASES].join(", ")}` });
      return undefined;
    }
    expression = trimmed;
  } else {
    const parts = trimmed.split(/\s+/);
    if (parts.length !== 5 && parts.length !== 6) {
      errors.push({ field: path, message: `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), got ${parts.length}` });
      return undefined;
    }
    for (let i = 0; i < parts.length; i++) {
      // Month and day-of-week names (JAN, THU...) may contain an H; cron-parser replaces any
      // 3-letter word there, so drop those before looking for the random H.
      const isNamed = i >= parts.length - 2;
      const text = isNamed ? parts[i].replace(/[a-z]{3}/gi, "") : parts[i];
      if (/h/i.test(text)) {
        errors.push({ field: path, message: "H (random value) is not supported: the schedule must be the same every time it is evaluated" });
        return undefined;
      }
    }
    expression = parts.join(" ");
  }
  let cron: CompiledCron;
  try {
    cron = compileCron(expression);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/Invalid explicit day of month definition/.test(reason)) {
      errors.push({ field: path, message: "expression never matches" });
    } else {
      errors.push({ field: path, message: `is not a valid cron expression: ${reason}` });
    }
    return undefined;
  }
  // Whether an expression ever matches does not depend on the zone: test it in UTC.
  if (Number.isNaN(nextRun(cron, null, Date.now()))) {
    errors.push({ field: path, message: "expression never matches" });
    return undefined;
  }
  return expression;
}
