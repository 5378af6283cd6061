// Schedule math: when a monitor is expected, when it is late, when it is down.
// Pure and framework-free; every time is epoch milliseconds (UTC), every zone an IANA name.
//
// Interval schedules are plain arithmetic; cron run times come from core/schedule/cron.ts (by the rules of
// the expression's dialect), systemd calendar events from core/schedule/oncalendar.ts.

import { IANAZone } from "luxon";
import {
  CRON_DIALECTS,
  CronSyntaxError,
  compileCron,
  endOfLocalDay,
  firstMatch,
  nextRun,
  type CronDialect,
} from "./cron.ts";
import { CalendarSyntaxError, compileOnCalendar, firstCalendarWall, nextCalendarRun } from "./oncalendar.ts";
import { clockChangeNote, type ClockChangeNote, type RunModel } from "./clock-change-note.ts";

export type { CronDialect } from "./cron.ts";
export type { ClockChangeNote } from "./clock-change-note.ts";

export type Deadline = "grace" | "end-of-day";
export type Schedule =
  | { kind: "interval"; periodSeconds: number; graceSeconds: number }
  | {
      kind: "cron";
      expression: string;
      timezone: string;
      dialect: CronDialect;
      graceSeconds: number;
      deadline: Deadline;
    }
  | { kind: "oncalendar"; expressions: string[]; timezone: string; graceSeconds: number; deadline: Deadline };

/** A schedule whose runs are calendar times in a zone. */
export type CalendarSchedule = Exclude<Schedule, { kind: "interval" }>;

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
export const MAX_CALENDAR_EXPRESSIONS = 10;

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
  const runs = runModel(schedule);
  const s1 = nextOrThrow(runs, pingAt);
  let expected = s1;
  // Early ping: a job whose clock runs slightly fast pings just before its scheduled time; that
  // ping is the s1 run, so the next one expected is s2. Only worth computing s2 if s1 is close.
  const maxTolerance = Math.min(
    schedule.deadline === "end-of-day" ? EARLY_PING_TOLERANCE_MS : schedule.graceSeconds * SECOND_MS,
    EARLY_PING_TOLERANCE_MS,
  );
  if (s1 - pingAt <= maxTolerance) {
    const s2 = nextOrThrow(runs, s1);
    if (s1 - pingAt <= Math.min(maxTolerance, (s2 - s1) / 2)) expected = s2;
  }
  return calendarDeadlines(schedule, expected);
}

/** Deadlines for a monitor armed (created or resumed, not pinged since) at `armedAt`. */
export function deadlinesAfterArm(schedule: Schedule, armedAt: number): Deadlines {
  assertTime(armedAt, "armedAt");
  if (schedule.kind === "interval") return intervalDeadlines(schedule, armedAt);
  return calendarDeadlines(schedule, nextOrThrow(runModel(schedule), armedAt));
}

export interface PreviewRun extends Deadlines {
  /** Set where a clock change moved, merged, repeated or dropped runs around this one. */
  clockChange?: ClockChangeNote;
}

/** The next `count` (clamped to 1..100) expected runs after `from`, as if the monitor were armed at `from`. */
export function preview(schedule: Schedule, from: number, count: number): PreviewRun[] {
  assertTime(from, "from");
  let n = Math.trunc(count);
  if (!(n >= 1))
    n = 1; // also NaN
  else if (n > MAX_PREVIEW) n = MAX_PREVIEW;
  const out: PreviewRun[] = [];
  if (schedule.kind === "interval") {
    const period = schedule.periodSeconds * SECOND_MS;
    const grace = schedule.graceSeconds * SECOND_MS;
    for (let i = 0; i < n; i++) {
      const at = from + (i + 1) * period;
      out.push({ expectedAt: at, lateAt: at, downAt: at + grace });
    }
    return out;
  }
  const runs = runModel(schedule);
  let previous = from;
  for (let i = 0; i < n; i++) {
    const at = runs.next(previous);
    if (Number.isNaN(at)) break; // a calendar event with no further run (a date in the past)
    const run: PreviewRun = calendarDeadlines(schedule, at);
    const note = clockChangeNote(runs, previous, at);
    if (note !== undefined) run.clockChange = note;
    out.push(run);
    previous = at;
  }
  return out;
}

/** How a calendar schedule's runs are found: the dialect's next run, and its wall-clock matcher. */
export function runModel(schedule: CalendarSchedule): RunModel {
  const zone = schedule.timezone;
  if (schedule.kind === "oncalendar") {
    const cal = compileOnCalendar(schedule.expressions);
    return {
      runner: "systemd",
      zone,
      next: (after) => nextCalendarRun(cal, zone, after),
      firstWall: (from, to) => firstCalendarWall(cal, from, to),
    };
  }
  const cron = compileCron(schedule.expression, schedule.dialect);
  return {
    runner: schedule.dialect,
    zone,
    next: (after) => nextRun(cron, zone, after),
    firstWall: (from, to) => firstMatch(cron, from, to),
  };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * An instant given as epoch milliseconds (a number, or a string of digits) or as ISO 8601 with a
 * UTC offset (a date alone is its UTC midnight); NaN otherwise. A time without an offset is
 * refused: it would be read in the server's zone, not the schedule's.
 */
export function parseInstant(value: number | string): number {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? value : Number.NaN;
  const text = value.trim();
  if (/^\d{1,16}$/.test(text)) return parseInstant(Number(text));
  if (!ISO_INSTANT.test(text)) return Number.NaN;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : Number.NaN;
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

function calendarDeadlines(
  schedule: { timezone: string; graceSeconds: number; deadline: Deadline },
  at: number,
): Deadlines {
  const downAt =
    schedule.deadline === "end-of-day" ? endOfLocalDay(at, schedule.timezone) : at + schedule.graceSeconds * SECOND_MS;
  return { expectedAt: at, lateAt: at, downAt };
}

function assertTime(t: number, name: string): void {
  if (typeof t !== "number" || !Number.isFinite(t))
    throw new RangeError(`${name} must be a finite epoch-milliseconds number`);
}

function nextOrThrow(runs: RunModel, after: number): number {
  const at = runs.next(after);
  if (Number.isNaN(at)) throw new RangeError("schedule has no run after this time");
  return at;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

type ParseResult = { ok: true; schedule: Schedule } | { ok: false; errors: FieldError[] };

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

  if (kind === "cron" || kind === "oncalendar") {
    let dialect: CronDialect = "cron";
    const d = get("dialect");
    if (kind === "cron" && d !== undefined && d !== null) {
      if (typeof d === "string" && (CRON_DIALECTS as readonly string[]).includes(d)) dialect = d as CronDialect;
      else
        errors.push({
          field: `${field}.dialect`,
          message: `must be ${CRON_DIALECTS.map((x) => `"${x}"`).join(" or ")}`,
        });
    } else if (kind === "oncalendar" && d !== undefined && d !== null) {
      errors.push({
        field: `${field}.dialect`,
        message: "applies to cron schedules only (systemd computes OnCalendar times)",
      });
    }
    const expression =
      kind === "cron" ? checkCronExpression(get("expression"), dialect, `${field}.expression`, errors) : undefined;
    const expressions =
      kind === "oncalendar" ? checkCalendarExpressions(get("expressions"), `${field}.expressions`, errors) : undefined;
    const timezone = checkTimezone(get("timezone"), defaultTimezone, `${field}.timezone`, errors);

    let deadline: Deadline | undefined;
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

    if (errors.length > 0 || timezone === undefined || deadline === undefined || graceSeconds === undefined) {
      return { ok: false, errors };
    }
    if (expression !== undefined) {
      return { ok: true, schedule: { kind: "cron", expression, timezone, dialect, graceSeconds, deadline } };
    }
    if (expressions !== undefined) {
      return { ok: true, schedule: { kind: "oncalendar", expressions, timezone, graceSeconds, deadline } };
    }
    return { ok: false, errors };
  }

  errors.push({
    field: `${field}.kind`,
    message:
      kind === undefined
        ? 'is required ("interval", "cron" or "oncalendar")'
        : 'must be "interval", "cron" or "oncalendar"',
  });
  return { ok: false, errors };
}

function checkTimezone(tz: unknown, defaultTimezone: string, path: string, errors: FieldError[]): string | undefined {
  if (tz === undefined || tz === null) {
    if (IANAZone.isValidZone(defaultTimezone)) return defaultTimezone;
    errors.push({ field: path, message: "is required (no valid default time zone)" });
  } else if (typeof tz !== "string") {
    errors.push({ field: path, message: "must be a string" });
  } else if (tz.length > 100 || !IANAZone.isValidZone(tz)) {
    errors.push({ field: path, message: "must be a valid IANA time zone, e.g. Europe/Berlin" });
  } else {
    return tz;
  }
  return undefined;
}

/** A whole number of seconds in [min, MAX_SECONDS]; pushes an error and returns undefined otherwise. */
function checkSeconds(
  value: unknown,
  min: number,
  required: boolean,
  path: string,
  errors: FieldError[],
): number | undefined {
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

/** A string of 1..200 characters, trimmed; pushes an error and returns undefined otherwise. */
function checkText(value: unknown, path: string, errors: FieldError[]): string | undefined {
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
  return trimmed;
}

/** A usable cron expression of the dialect, normalized (trimmed, single spaces); pushes an error and returns undefined otherwise. */
function checkCronExpression(
  value: unknown,
  dialect: CronDialect,
  path: string,
  errors: FieldError[],
): string | undefined {
  const trimmed = checkText(value, path, errors);
  if (trimmed === undefined) return undefined;
  const expression = trimmed.startsWith("@") ? trimmed : trimmed.split(/\s+/).join(" ");
  if (!expression.startsWith("@")) {
    const parts = expression.split(" ");
    for (let i = 0; i < parts.length; i++) {
      // Month and day-of-week names (JAN, THU...) may contain an H; drop those before looking for
      // Jenkins' random H, which would make the deadline differ each time it is computed.
      const isNamed = i >= parts.length - 2;
      const text = isNamed ? parts[i].replace(/[a-z]{3}/gi, "") : parts[i];
      if (/h/i.test(text)) {
        errors.push({
          field: path,
          message: "H (random value) is not supported: the schedule must be the same every time it is evaluated",
        });
        return undefined;
      }
    }
  }
  let compiled;
  try {
    compiled = compileCron(expression, dialect);
  } catch (err) {
    if (!(err instanceof CronSyntaxError)) throw err;
    if (/never matches|unknown predefined|unknown descriptor|fields/.test(err.message))
      errors.push({ field: path, message: err.message });
    else errors.push({ field: path, message: `is not a valid cron expression: ${err.message}` });
    return undefined;
  }
  // Whether an expression ever matches does not depend on the zone: test it in UTC.
  if (Number.isNaN(nextRun(compiled, null, Date.now()))) {
    errors.push({ field: path, message: "expression never matches" });
    return undefined;
  }
  return expression;
}

/** One or more systemd calendar events (an array, or one string with one per line); pushes errors and returns undefined otherwise. */
function checkCalendarExpressions(value: unknown, path: string, errors: FieldError[]): string[] | undefined {
  if (value === undefined || value === null) {
    errors.push({ field: path, message: 'is required: one or more OnCalendar expressions, e.g. ["Mon..Fri 09:00"]' });
    return undefined;
  }
  const list = typeof value === "string" ? value.split("\n").filter((l) => l.trim() !== "") : value;
  if (!Array.isArray(list)) {
    errors.push({ field: path, message: "must be an array of strings" });
    return undefined;
  }
  if (list.length === 0 || list.length > MAX_CALENDAR_EXPRESSIONS) {
    errors.push({ field: path, message: `must have 1 to ${MAX_CALENDAR_EXPRESSIONS} expressions` });
    return undefined;
  }
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) {
    const text = checkText(list[i], `${path}[${i}]`, errors);
    if (text === undefined) continue;
    if (text.includes("\n")) {
      errors.push({ field: `${path}[${i}]`, message: "must be one expression (one line)" });
      continue;
    }
    out.push(text.split(/\s+/).join(" "));
  }
  if (out.length !== list.length) return undefined;
  let cal;
  try {
    cal = compileOnCalendar(out);
  } catch (err) {
    if (!(err instanceof CalendarSyntaxError)) throw err;
    errors.push({ field: `${path}[${err.index}]`, message: `is not a valid OnCalendar expression: ${err.message}` });
    return undefined;
  }
  // A schedule that stops running would leave its monitor without a deadline: it must still run
  // a century from now (no fixed year, no date that never comes).
  if (Number.isNaN(nextCalendarRun(cal, "UTC", Date.now() + 100 * 365 * 86_400_000))) {
    errors.push({
      field: path,
      message: "must keep running: a calendar event that ends (a fixed year) or never matches has no deadline to watch",
    });
    return undefined;
  }
  return out;
}
