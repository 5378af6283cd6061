// Cron run times in an IANA time zone, DST-correct: the occurrence search behind
// core/schedule.ts. Pure; times are epoch milliseconds (UTC).
//
// Interval schedules are plain arithmetic. Cron schedules are parsed (and validated) by cron-parser;
// the occurrences are then computed here from the parsed fields, in the schedule's IANA zone, with
// these wall-clock rules (the same results cron-parser gives away from DST changes):
//
//  * A normal day: the job runs at every local wall time the expression matches.
//  * Spring forward (local times skipped, e.g. 02:00-02:59 on 2026-03-08 in New York): a skipped
//    time runs as far after the change as it was after the last valid local time, i.e. it is read
//    with the offset in force before the change: 02:30 runs at 03:30 EDT (07:30Z), 02:00 at 03:00 EDT.
//    This is also what cron-parser does. Two wall times landing on one instant run once.
//  * Fall back (local times repeated, e.g. 01:00-01:59 on 2026-11-01 in New York): a job whose hour
//    field covers all 24 hours (`*/15 * * * *`, `30 * * * *`) runs by elapsed time, through both
//    copies of the repeated hour; a job pinned to particular hours (`30 1 * * *`, `*/5 1 * * *`)
//    runs only in the first copy, so it runs once that night. (cron-parser's rule too.)
//
// These rules hold for any size of change (Lord Howe's 30 minutes, Troll's 2 hours) and at any hour.
//
// Why not cron-parser's own `next()` (v5.10): around DST changes its answer depends on where the
// search starts (`30 2 * * *` in New York searched from 07:10Z on 2026-03-08 skips the 07:30Z run it
// reports when searched from the day before; `30 1 * * *` searched from inside the repeated hour
// reports a second 01:30); iterating it skips a whole day when the change is at local midnight
// (America/Nuuk 2026-03-28); it throws "loop limit exceeded" for ordinary daily jobs the day before
// Australia/Lord_Howe falls back 30 minutes, and misses real runs when it springs forward; where
// the repeated hour is at midnight (America/Havana, Atlantic/Azores) it picks the second copy instead
// of the first. Heartbeat deadlines must be a pure function of (schedule, time), so cron-parser only
// parses and validates here; the search below works on constant-offset segments of the timeline,
// and gives exactly cron-parser's results wherever cron-parser is consistent (checked in the tests).

import { CronExpressionParser } from "cron-parser";
import { DateTime, IANAZone } from "luxon";

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
// Any expression cron-parser accepts and that can match at all matches within a few decades
// (the rarest, e.g. a fifth Monday in February, recur every 28-40 years).
const SEARCH_HORIZON_MS = 100 * 366 * DAY_MS;

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
  /** next[x] = first allowed value >= x, or -1; one extra slot so next[max + 1] is -1. */
  nextSecond: Int8Array;
  nextMinute: Int8Array;
  nextHour: Int8Array;
  minSecond: number;
  minMinute: number;
  month: Uint8Array; // [1..12]
  dom: Uint8Array; // [1..31]
  domLast: boolean; // `L` in day of month
  domRestricted: boolean; // day-of-month field is not `*`/`?`
  dow: Uint8Array; // [0..6], Sunday = 0
  dowNth: number; // `#n` (1..5), 0 if none
  dowLast: Uint8Array; // weekdays matched by the `nL` form when `dowHasLast`
  dowHasLast: boolean;
  dowRestricted: boolean;
  /** Hour field covers all 24 hours: runs through both copies of a repeated (fall-back) hour. */
  allHours: boolean;
}

const cronCache = new Map<string, CompiledCron>();

export function compileCron(expression: string): CompiledCron {
  let compiled = cronCache.get(expression);
  if (compiled === undefined) {
    const { fields } = CronExpressionParser.parse(expression, { currentDate: 0, tz: "UTC" });
    const hours = numbers(fields.hour.values);
    const dowValues = fields.dayOfWeek.values as readonly (number | string)[];
    const dow = new Uint8Array(7);
    const dowLast = new Uint8Array(7);
    for (const v of dowValues) {
      if (typeof v === "number") dow[v % 7] = 1;
      // cron-parser's `nL` check reads the first character of every value
      const first = Number.parseInt(String(v).charAt(0), 10);
      if (!Number.isNaN(first)) dowLast[first % 7] = 1;
    }
    const dom = new Uint8Array(32);
    for (const v of numbers(fields.dayOfMonth.values)) dom[v] = 1;
    const month = new Uint8Array(13);
    for (const v of numbers(fields.month.values)) month[v] = 1;
    const seconds = numbers(fields.second.values);
    const minutes = numbers(fields.minute.values);
    compiled = {
      nextSecond: nextTable(seconds, 60),
      nextMinute: nextTable(minutes, 60),
      nextHour: nextTable(hours, 24),
      minSecond: Math.min(...seconds),
      minMinute: Math.min(...minutes),
      month,
      dom,
      domLast: fields.dayOfMonth.hasLastChar,
      domRestricted: !fields.dayOfMonth.isWildcard,
      dow,
      dowNth: fields.dayOfWeek.nthDay,
      dowLast,
      dowHasLast: fields.dayOfWeek.hasLastChar,
      dowRestricted: !fields.dayOfWeek.isWildcard,
      allHours: new Set(hours).size === 24,
    };
    if (cronCache.size >= 5000) cronCache.clear();
    cronCache.set(expression, compiled);
  }
  return compiled;
}

function numbers(values: readonly unknown[]): number[] {
  const out: number[] = [];
  for (const v of values) if (typeof v === "number") out.push(v);
  return out;
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

/** First occurrence strictly after `after` (whole seconds, epoch ms), NaN if none within the horizon. zone null = UTC. */
export function nextRun(cron: CompiledCron, zone: string | null, after: number): number {
  const from = Math.floor(after / SECOND_MS) * SECOND_MS + SECOND_MS;
  const limit = from + SEARCH_HORIZON_MS;
  if (zone === null) return firstMatch(cron, from, limit);
  let u = from;
  while (u < limit) {
    const seg = segmentAt(zone, u);
    const end = Math.min(seg.end, limit);
    const { offset, prevOffset } = seg;
    let best = Number.NaN;
    // Wall times of this segment. After a fall-back, its first (prevOffset - offset) ms repeat wall
    // times that already occurred before the change: only all-hours expressions run them again.
    const normalFrom = prevOffset > offset && !cron.allHours ? Math.max(u, seg.start + (prevOffset - offset)) : u;
    if (normalFrom < end) {
      const wall = firstMatch(cron, normalFrom + offset, end + offset);
      if (!Number.isNaN(wall)) best = wall - offset;
    }
    // After a spring-forward, the skipped wall times run during the first (offset - prevOffset) ms,
    // read with the offset in force before the change (02:30 -> 03:30).
    if (prevOffset < offset) {
      const gapEnd = Math.min(seg.start + (offset - prevOffset), end);
      if (u < gapEnd) {
        const wall = firstMatch(cron, u + prevOffset, gapEnd + prevOffset);
        if (!Number.isNaN(wall) && !(wall - prevOffset >= best)) best = wall - prevOffset;
      }
    }
    if (!Number.isNaN(best)) return best;
    u = seg.end;
  }
  return Number.NaN;
}

/**
 * First matching wall time in [from, to): wall times are "local time read as if UTC" milliseconds,
 * so calendar arithmetic is exact and needs no zone. NaN if none.
 */
function firstMatch(cron: CompiledCron, from: number, to: number): number {
  const start = Math.ceil(from / SECOND_MS) * SECOND_MS;
  if (!(start < to)) return Number.NaN;
  let day = Math.floor(start / DAY_MS);
  let secondOfDay = (start - day * DAY_MS) / SECOND_MS;
  civilFromDays(day);
  let y = civilYear;
  let m = civilMonth;
  let d = civilDay;
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
    if (dayMatches(cron, d, dim, weekday(day))) {
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

/** cron-parser's day rules: with both day fields restricted either may match (classic cron OR). */
function dayMatches(cron: CompiledCron, d: number, dim: number, wd: number): boolean {
  const domMatch = cron.dom[d] === 1 || (cron.domLast && d === dim);
  if (!cron.dowRestricted) return domMatch;
  const dowMatch =
    (cron.dow[wd] === 1 && (cron.dowNth <= 0 || Math.ceil(d / 7) === cron.dowNth)) ||
    (cron.dowHasLast && d > dim - 7 && cron.dowLast[wd] === 1);
  return cron.domRestricted ? domMatch || dowMatch : dowMatch;
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

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (proleptic Gregorian, days since 1970-01-01; H. Hinnant's algorithms)
// ---------------------------------------------------------------------------------------------

let civilYear = 1970;
let civilMonth = 1;
let civilDay = 1;

function civilFromDays(days: number): void {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  civilDay = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civilMonth = mp < 10 ? mp + 3 : mp - 9;
  civilYear = yoe + era * 400 + (civilMonth <= 2 ? 1 : 0);
}

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** 0 = Sunday; 1970-01-01 was a Thursday. */
function weekday(days: number): number {
  return (((days + 4) % 7) + 7) % 7;
}

// ---------------------------------------------------------------------------------------------
// Time zone segments: the timeline cut at every UTC offset change (plus every UTC new year), each
// piece with one offset. Built per zone and year from Intl (through luxon): the offset is sampled
// daily and every change located to the millisecond; cached.
// ---------------------------------------------------------------------------------------------

interface ZoneYear {
  starts: number[]; // segment starts; starts[0] = the year's first instant
  offsets: number[]; // UTC offset of each segment, ms
  offsetBefore: number; // offset just before the year starts
  end: number; // first instant of the next year
}

interface Segment {
  start: number;
  end: number;
  offset: number;
  /** Offset just before `start`; differs from `offset` when `start` is a DST (or other) change. */
  prevOffset: number;
}

const zoneCache = new Map<string, Map<number, ZoneYear>>();
let zoneYearsCached = 0;
const segment: Segment = { start: 0, end: 0, offset: 0, prevOffset: 0 };

/** The segment containing `at`. Returns a shared object: read it before the next call. */
function segmentAt(zone: string, at: number): Segment {
  civilFromDays(Math.floor(at / DAY_MS));
  const year = civilYear;
  let years = zoneCache.get(zone);
  let zy = years?.get(year);
  if (zy === undefined) {
    zy = buildZoneYear(zone, year);
    if (zoneYearsCached >= 4000) {
      zoneCache.clear();
      zoneYearsCached = 0;
      years = undefined;
    }
    if (years === undefined) {
      years = new Map();
      zoneCache.set(zone, years);
    }
    years.set(year, zy);
    zoneYearsCached++;
  }
  const { starts, offsets } = zy;
  let i = starts.length - 1;
  while (i > 0 && starts[i] > at) i--;
  segment.start = starts[i];
  segment.end = i + 1 < starts.length ? starts[i + 1] : zy.end;
  segment.offset = offsets[i];
  segment.prevOffset = i > 0 ? offsets[i - 1] : zy.offsetBefore;
  return segment;
}

function buildZoneYear(zoneName: string, year: number): ZoneYear {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`invalid time zone "${zoneName}"`);
  const offsetAt = (t: number): number => {
    const minutes = zone.offset(t);
    if (!Number.isFinite(minutes)) throw new RangeError(`no UTC offset for "${zoneName}" at ${t}`);
    return Math.round(minutes * 60_000);
  };
  const start = daysFromCivil(year, 1, 1) * DAY_MS;
  const end = daysFromCivil(year + 1, 1, 1) * DAY_MS;
  const starts = [start];
  const offsets = [offsetAt(start)];
  let lo = start;
  let loOffset = offsets[0];
  while (lo < end - 1) {
    const hi = Math.min(lo + DAY_MS, end - 1);
    const hiOffset = offsetAt(hi);
    while (hiOffset !== loOffset) {
      // first instant in (lo, hi] whose offset differs from loOffset
      let a = lo;
      let b = hi;
      while (b - a > 1) {
        const mid = a + Math.floor((b - a) / 2);
        if (offsetAt(mid) === loOffset) a = mid;
        else b = mid;
      }
      starts.push(b);
      loOffset = offsetAt(b);
      offsets.push(loOffset);
      lo = b;
    }
    lo = hi;
  }
  return { starts, offsets, offsetBefore: offsetAt(start - 1), end };
}
