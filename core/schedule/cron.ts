// Cron run times in an IANA time zone, by the rules of the scheduler that runs the job. Pure;
// times are epoch milliseconds (UTC).
//
// Away from clock changes every dialect runs a job at each local wall time its expression matches:
// that search (firstMatch) is plain calendar arithmetic on wall times and is what almost every call
// does. Where a clock change is near, the answer is the dialect's own (core/schedule/cron-debian.ts for
// Debian cron / cronie, core/schedule/cron-kubernetes.ts for robfig/cron v3), each a faithful model of its
// reference, checked against that reference's own outputs in test/fixtures/schedule-vectors/.

import { DateTime } from "luxon";
import { parseCronFields, type CronDialect } from "./cron-syntax.ts";
import { nextDebianRun } from "./cron-debian.ts";
import { nextKubernetesRun } from "./cron-kubernetes.ts";
import {
  DAY_MS,
  SECOND_MS,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  segmentAt,
  steadySpan,
  weekday,
} from "./zone-time.ts";

export { CronSyntaxError, CRON_DIALECTS, type CronDialect } from "./cron-syntax.ts";

// Any expression that can match at all matches within a few decades (the rarest, e.g. a fifth
// Monday in February, recur every 28-40 years).
const SEARCH_HORIZON_MS = 100 * 366 * DAY_MS;
// A clock change this close to a search means the dialect's own rules decide.
const CHANGE_MARGIN_MS = 2 * DAY_MS;
const STEADY_LOOKAHEAD_MS = 400 * DAY_MS;

// Start of the local day after the one containing `at` (the end of `at`'s local day): 24 hours
// later on most days, 23 or 25 hours on DST days. `plus({days:1}).startOf("day")` rather than
// `startOf("day").plus({days:1})`: where a DST change skips midnight (America/Santiago, 2026-09-06
// starts at 01:00), luxon's startOf("day") gives 01:00 and adding a day would keep the 01:00.
// Memoized per zone: checking many monitors due the same day costs one luxon computation.
const endOfDayMemo = new Map<string, { day: number; end: number }>();

export function endOfLocalDay(at: number, zone: string): number {
  const seg = segmentAt(zone, at);
  const day = Math.floor((at + seg.offset) / DAY_MS); // local calendar day, as days since 1970-01-01
  const memo = endOfDayMemo.get(zone);
  if (memo !== undefined && memo.day === day) return memo.end;
  const end = DateTime.fromMillis(at, { zone }).plus({ days: 1 }).startOf("day").toMillis();
  if (endOfDayMemo.size >= 1000) endOfDayMemo.clear();
  endOfDayMemo.set(zone, { day, end });
  return end;
}

// ---------------------------------------------------------------------------------------------
// Compiled cron expressions
// ---------------------------------------------------------------------------------------------

export interface CompiledCron {
  dialect: CronDialect;
  /** The expression as written (normalized), aliases not expanded. */
  expression: string;
  hasSeconds: boolean;
  /** next[x] = first allowed value >= x, or -1; one extra slot so next[max + 1] is -1. */
  nextSecond: Int8Array;
  nextMinute: Int8Array;
  nextHour: Int8Array;
  minSecond: number;
  minMinute: number;
  month: Uint8Array; // [1..12]
  dom: Uint8Array; // [1..31]
  domLast: boolean; // L
  domLastWeekday: boolean; // LW
  dow: Uint8Array; // [0..6], Sunday = 0
  dowLast: Uint8Array; // weekdays of the `nL` form
  dowNth: Uint8Array; // per weekday, bit k set for `wd#k`
  dayAnd: boolean;
  fixedTime: boolean;
}

const cronCache = new Map<string, CompiledCron>();

/** Parses (throws CronSyntaxError) and compiles; cached. */
export function compileCron(expression: string, dialect: CronDialect = "cron"): CompiledCron {
  const key = `${dialect}\n${expression}`;
  let compiled = cronCache.get(key);
  if (compiled === undefined) {
    const f = parseCronFields(expression, dialect);
    const flags = (values: readonly number[], size: number): Uint8Array => {
      const a = new Uint8Array(size);
      for (const v of values) a[v] = 1;
      return a;
    };
    const dowNth = new Uint8Array(7);
    for (const [wd, nth] of f.dowNth) dowNth[wd] |= 1 << nth;
    compiled = {
      dialect,
      expression: expression.trim(),
      hasSeconds: f.hasSeconds,
      nextSecond: nextTable(f.seconds, 60),
      nextMinute: nextTable(f.minutes, 60),
      nextHour: nextTable(f.hours, 24),
      minSecond: f.seconds.length > 0 ? Math.min(...f.seconds) : 0,
      minMinute: f.minutes.length > 0 ? Math.min(...f.minutes) : 0,
      month: flags(f.months, 13),
      dom: flags(f.dom, 32),
      domLast: f.domLast,
      domLastWeekday: f.domLastWeekday,
      dow: flags(f.dow, 7),
      dowLast: flags(f.dowLast, 7),
      dowNth,
      dayAnd: f.dayAnd,
      fixedTime: f.fixedTime,
    };
    if (cronCache.size >= 5000) cronCache.clear();
    cronCache.set(key, compiled);
  }
  return compiled;
}

function nextTable(values: readonly number[], size: number): Int8Array {
  const table = new Int8Array(size + 1).fill(-1);
  for (const v of values) if (v >= 0 && v < size) table[v] = v;
  for (let i = size - 1; i >= 0; i--) if (table[i] < 0) table[i] = table[i + 1];
  return table;
}

// ---------------------------------------------------------------------------------------------
// Occurrence search
// ---------------------------------------------------------------------------------------------

/**
 * First run strictly after `after` (whole seconds, epoch ms) by the expression's dialect, NaN if
 * none within the dialect's horizon. zone null = UTC.
 */
export function nextRun(cron: CompiledCron, zone: string | null, after: number): number {
  const from = Math.floor(after / SECOND_MS) * SECOND_MS + SECOND_MS;
  if (zone === null) return firstMatch(cron, from, from + SEARCH_HORIZON_MS);
  const span = steadySpan(zone, from, STEADY_LOOKAHEAD_MS);
  if (span.start <= from - CHANGE_MARGIN_MS) {
    const wall = firstMatch(cron, from + span.offset, span.end - CHANGE_MARGIN_MS + span.offset);
    if (!Number.isNaN(wall)) return wall - span.offset;
  }
  let run = cron.dialect === "kubernetes" ? nextKubernetesRun(cron, zone, after) : nextDebianRun(cron, zone, after);
  // The models can answer a time at or before `after` where `after` lies in the second pass of a
  // repeated hour (cron reads the wall clock, which has been there before); a deadline must be later.
  for (let i = 0; i < 8 && run <= after; i++) {
    run = cron.dialect === "kubernetes" ? nextKubernetesRun(cron, zone, run) : nextDebianRun(cron, zone, run);
  }
  return run <= after ? Number.NaN : run;
}

/**
 * First matching wall time in [from, to): wall times are "local time read as if UTC" milliseconds,
 * so calendar arithmetic is exact and needs no zone. NaN if none.
 */
export function firstMatch(cron: CompiledCron, from: number, to: number): number {
  const start = Math.ceil(from / SECOND_MS) * SECOND_MS;
  if (!(start < to)) return Number.NaN;
  let day = Math.floor(start / DAY_MS);
  let secondOfDay = (start - day * DAY_MS) / SECOND_MS;
  const c = civilFromDays(day);
  let y = c.year;
  let m = c.month;
  let d = c.day;
  for (;;) {
    const dayStart = day * DAY_MS;
    if (dayStart >= to) return Number.NaN;
    const dim = daysInMonth(y, m);
    if (cron.month[m] === 0) {
      day += dim - d + 1;
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
      secondOfDay = 0;
      continue;
    }
    if (dayMatches(cron, y, m, d, dim, weekday(day))) {
      const tod = firstTimeOfDay(cron, secondOfDay);
      if (tod >= 0) {
        const wall = dayStart + tod * SECOND_MS;
        return wall < to ? wall : Number.NaN;
      }
    }
    day++;
    if (++d > dim) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
    secondOfDay = 0;
  }
}

/** Whether the expression matches wall time `wall` (to the second). */
export function matchesWall(cron: CompiledCron, wall: number): boolean {
  return firstMatch(cron, wall, wall + 1) === wall;
}

export function dayMatches(cron: CompiledCron, y: number, m: number, d: number, dim: number, wd: number): boolean {
  const domMatch =
    cron.dom[d] === 1 ||
    (cron.domLast && d === dim) ||
    (cron.domLastWeekday && d >= 26 && d === lastWeekday(y, m, dim));
  const dowMatch =
    cron.dow[wd] === 1 || (cron.dowLast[wd] === 1 && d + 7 > dim) || (cron.dowNth[wd] & (1 << Math.ceil(d / 7))) !== 0;
  return cron.dayAnd ? domMatch && dowMatch : domMatch || dowMatch;
}

function lastWeekday(y: number, m: number, dim: number): number {
  const wd = weekday(daysFromCivil(y, m, dim));
  return wd === 0 ? dim - 2 : wd === 6 ? dim - 1 : dim;
}

/** The time fields match (seconds since midnight). */
export function timeMatches(cron: CompiledCron, h: number, mi: number, s: number): boolean {
  return cron.nextHour[h] === h && cron.nextMinute[mi] === mi && cron.nextSecond[s] === s;
}

/** First allowed time of day (seconds since midnight) at or after `secondOfDay`, or -1. */
function firstTimeOfDay(cron: CompiledCron, secondOfDay: number): number {
  const h = Math.floor(secondOfDay / 3600);
  const mi = Math.floor((secondOfDay % 3600) / 60);
  const s = secondOfDay % 60;
  const hour = cron.nextHour[h];
  if (hour < 0) return -1;
  if (hour > h) return hour * 3600 + cron.minMinute * 60 + cron.minSecond;
  const minute = cron.nextMinute[mi];
  if (minute >= 0) {
    if (minute > mi) return hour * 3600 + minute * 60 + cron.minSecond;
    const second = cron.nextSecond[s];
    if (second >= 0) return hour * 3600 + minute * 60 + second;
    const later = cron.nextMinute[mi + 1];
    if (later >= 0) return hour * 3600 + later * 60 + cron.minSecond;
  }
  const laterHour = cron.nextHour[h + 1];
  if (laterHour < 0) return -1;
  return laterHour * 3600 + cron.minMinute * 60 + cron.minSecond;
}
