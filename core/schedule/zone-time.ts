// Time-zone arithmetic shared by the schedule engines: the timeline of an IANA zone cut into
// constant-offset segments, and proleptic Gregorian calendar arithmetic on "wall times" (local
// time read as if it were UTC, in epoch ms), so that calendar steps need no zone. Pure; cached.

import { IANAZone } from "luxon";

export const SECOND_MS = 1000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic (days since 1970-01-01; H. Hinnant's algorithms)
// ---------------------------------------------------------------------------------------------

export interface Civil {
  year: number;
  month: number; // 1..12
  day: number; // 1..31
}

/** The civil date of a day number. Returns a shared object: read it before the next call. */
const civil: Civil = { year: 1970, month: 1, day: 1 };
export function civilFromDays(days: number): Civil {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  civil.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  civil.month = mp < 10 ? mp + 3 : mp - 9;
  civil.year = yoe + era * 400 + (civil.month <= 2 ? 1 : 0);
  return civil;
}

/** Day number of a civil date; the month may be out of 1..12 and the day out of the month (normalized, as Go's time.Date does). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const m0 = month - 1;
  const y = year + Math.floor(m0 / 12);
  const m = (((m0 % 12) + 12) % 12) + 1;
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5);
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468 + day - 1;
}

export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** 0 = Sunday; 1970-01-01 was a Thursday. */
export function weekday(days: number): number {
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

export interface Segment {
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
export function segmentAt(zone: string, at: number): Segment {
  const year = civilFromDays(Math.floor(at / DAY_MS)).year;
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

/** UTC offset (ms) in force at instant `at`. */
export function offsetAt(zone: string, at: number): number {
  return segmentAt(zone, at).offset;
}

/**
 * The span around `at` over which the offset stays the same, at most `limit` ms either way
 * (segments cut only at a new year are joined).
 */
export function steadySpan(zone: string, at: number, limit: number): { start: number; end: number; offset: number } {
  const seg = segmentAt(zone, at);
  const offset = seg.offset;
  let start = seg.start;
  let end = seg.end;
  let prevOffset = seg.prevOffset;
  while (prevOffset === offset && start > at - limit) {
    const before = segmentAt(zone, start - 1);
    start = before.start;
    prevOffset = before.prevOffset;
  }
  while (end < at + limit) {
    const after = segmentAt(zone, end);
    if (after.offset !== offset) break;
    end = after.end;
  }
  return { start, end, offset };
}

export interface Transition {
  at: number; // instant of the change
  before: number; // offset before, ms
  after: number; // offset after, ms
}

/** The offset changes in [from, to), in order. */
export function transitionsBetween(zone: string, from: number, to: number): Transition[] {
  const out: Transition[] = [];
  let t = from;
  while (t < to) {
    const seg = segmentAt(zone, t);
    if (seg.start >= from && seg.prevOffset !== seg.offset)
      out.push({ at: seg.start, before: seg.prevOffset, after: seg.offset });
    t = seg.end;
  }
  return out;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function buildZoneYear(zoneName: string, year: number): ZoneYear {
  const zone = IANAZone.create(zoneName);
  if (!zone.isValid) throw new RangeError(`invalid time zone "${zoneName}"`);
  const offsetOf = (t: number): number => {
    const minutes = zone.offset(t);
    if (!Number.isFinite(minutes)) throw new RangeError(`no UTC offset for "${zoneName}" at ${t}`);
    return Math.round(minutes * 60_000);
  };
  const start = daysFromCivil(year, 1, 1) * DAY_MS;
  const end = daysFromCivil(year + 1, 1, 1) * DAY_MS;
  const starts = [start];
  const offsets = [offsetOf(start)];
  let lo = start;
  let loOffset = offsets[0];
  while (lo < end - 1) {
    const hi = Math.min(lo + DAY_MS, end - 1);
    const hiOffset = offsetOf(hi);
    while (hiOffset !== loOffset) {
      // first instant in (lo, hi] whose offset differs from loOffset
      let a = lo;
      let b = hi;
      while (b - a > 1) {
        const mid = a + Math.floor((b - a) / 2);
        if (offsetOf(mid) === loOffset) a = mid;
        else b = mid;
      }
      starts.push(b);
      loOffset = offsetOf(b);
      offsets.push(loOffset);
      lo = b;
    }
    lo = hi;
  }
  return { starts, offsets, offsetBefore: offsetOf(start - 1), end };
}
