// systemd timers' calendar events (systemd.time(7), `OnCalendar=`) and their run times in an IANA
// zone, as systemd computes them. Pure; times are epoch milliseconds (UTC).
//
// systemd searches on the wall clock, field by field (year, month, day, weekday, hour, minute,
// second), and lets the C library's mktime() tell it when a wall time it built is not what the
// clock shows: a wall time that a spring-forward skipped comes back moved past the gap, so the
// search goes on from there (02:30 does not run that night; 03:15 does); a wall time that a
// fall-back repeats runs once, in the pass the search is in (the first, unless the search started
// inside the second). glibc's mktime() resolves a repeated time with the offset it found last, a
// detail this module keeps (Mktime below), because that is what makes the pass depend on where
// the search is. Checked against `systemd-analyze calendar` (systemd 252) on the reference vectors
// and on random expressions.

import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, civilFromDays, daysFromCivil, offsetAt, weekday } from "./zone-time.ts";

export class CalendarSyntaxError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.index = index;
  }
}

/** One comma item of a field: start, start+repeat, … up to stop (-1: the field's end); repeat 0 = start only. */
interface Item {
  start: number;
  stop: number;
  repeat: number;
}

/** One calendar event; null fields match anything. */
interface CalendarEvent {
  weekdays: number; // bit k = Monday + k; -1 any
  year: Item[] | null;
  month: Item[] | null;
  day: Item[] | null;
  endOfMonth: boolean; // day counted from the month's end (`~`)
  hour: Item[] | null;
  minute: Item[] | null;
  second: Item[] | null; // in microseconds, as systemd keeps them
}

export interface CompiledCalendar {
  events: CalendarEvent[];
}

const MIN_YEAR = 1970;
const MAX_YEAR = 2199;
const MAX_LENGTH = 200;
const USEC = 1_000_000;
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
const SHORTHANDS: Record<string, string> = {
  minutely: "*-*-* *:*:00",
  hourly: "*-*-* *:00:00",
  daily: "*-*-* 00:00:00",
  monthly: "*-*-01 00:00:00",
  weekly: "Mon *-*-* 00:00:00",
  yearly: "*-01-01 00:00:00",
  annually: "*-01-01 00:00:00",
  quarterly: "*-01,04,07,10-01 00:00:00",
  semiannually: "*-01,07-01 00:00:00",
};

const cache = new Map<string, CompiledCalendar>();

/** Parses and validates one or more calendar events; throws CalendarSyntaxError naming the one that is wrong. */
export function compileOnCalendar(expressions: readonly string[]): CompiledCalendar {
  const key = expressions.join("\n");
  let compiled = cache.get(key);
  if (compiled === undefined) {
    compiled = { events: expressions.map((e, i) => parseEvent(e, i)) };
    if (cache.size >= 5000) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}

/** The first run strictly after `after` of the earliest of the events, in `zone`; NaN if none (before 2200). */
export function nextCalendarRun(cal: CompiledCalendar, zone: string, after: number): number {
  let best = Number.NaN;
  for (const e of cal.events) {
    const t = nextRun(e, zone, after);
    if (!Number.isNaN(t) && !(t >= best)) best = t;
  }
  return best;
}

/** The first wall time in [fromWall, toWall) that any event matches, zones aside (wall times read as UTC); NaN if none. */
export function firstCalendarWall(cal: CompiledCalendar, fromWall: number, toWall: number): number {
  const t = nextCalendarRun(cal, "UTC", fromWall - 1);
  return t < toWall ? t : Number.NaN;
}

// ---------------------------------------------------------------------------------------------
// Parsing (systemd.time(7): "[weekdays] [[year-]month-day] [hour:minute[:second]]")
// ---------------------------------------------------------------------------------------------

function parseEvent(text: string, index: number): CalendarEvent {
  const fail = (why: string): never => {
    throw new CalendarSyntaxError(why, index);
  };
  if (typeof text !== "string" || text.trim() === "") fail("is empty");
  if (text.length > MAX_LENGTH) fail(`is longer than ${MAX_LENGTH} characters`);
  let tokens = text.trim().split(/\s+/);
  const shorthand = SHORTHANDS[tokens[0].toLowerCase()];
  if (shorthand !== undefined) tokens = [...shorthand.split(" "), ...tokens.slice(1)];
  const event: CalendarEvent = {
    weekdays: -1,
    year: null,
    month: null,
    day: null,
    endOfMonth: false,
    hour: null,
    minute: null,
    second: null,
  };
  let i = 0;
  if (
    /^[a-z]/i.test(tokens[0]) &&
    !tokens[0].includes(":") &&
    !/[-~]/.test(tokens[0].replace(/^[a-z]+(\.\.|-)[a-z]+/i, "x"))
  ) {
    event.weekdays = parseWeekdays(tokens[0], fail);
    i++;
  }
  let date: string | undefined;
  let time: string | undefined;
  if (i < tokens.length && /[-~]/.test(tokens[i]) && !tokens[i].includes(":")) date = tokens[i++];
  if (i < tokens.length && tokens[i].includes(":")) time = tokens[i++];
  if (i < tokens.length) {
    const rest = tokens.slice(i).join(" ");
    if (/^(UTC|GMT|[A-Za-z]+\/[A-Za-z_+\-/0-9]+|[A-Z]{3,5}|[+-]\d{2}(:?\d{2})?)$/.test(rest)) {
      fail(`names a time zone ("${rest}"): put it in the monitor's timezone field instead`);
    }
    fail(`"${rest}" is not a date (year-month-day) or a time (hour:minute[:second])`);
  }
  if (date === undefined && time === undefined && event.weekdays === -1) fail("is not a calendar event");
  if (date !== undefined) {
    const eom = date.includes("~");
    if (eom && date.indexOf("~") !== date.lastIndexOf("~")) fail(`date "${date}" has more than one ~`);
    const parts = date.split(/[-~]/);
    if (eom && !/~[^-~]*$/.test(date)) fail(`date "${date}": ~ must separate the month from the day`);
    if (parts.length === 3) {
      event.year = parseItems(parts[0], "year", MIN_YEAR, MAX_YEAR, fail);
      event.month = parseItems(parts[1], "month", 1, 12, fail);
      event.day = parseItems(parts[2], "day", 1, 31, fail, eom);
    } else if (parts.length === 2) {
      event.month = parseItems(parts[0], "month", 1, 12, fail);
      event.day = parseItems(parts[1], "day", 1, 31, fail, eom);
    } else {
      fail(`date "${date}" is not year-month-day or month-day`);
    }
    event.endOfMonth = eom;
  }
  if (time !== undefined) {
    const parts = time.split(":");
    if (parts.length < 2 || parts.length > 3) fail(`time "${time}" is not hour:minute or hour:minute:second`);
    event.hour = parseItems(parts[0], "hour", 0, 23, fail);
    event.minute = parseItems(parts[1], "minute", 0, 59, fail);
    if (parts.length === 3) {
      if (parts[2].includes(".")) fail(`seconds "${parts[2]}": fractions of a second are not supported`);
      const seconds = parseItems(parts[2], "second", 0, 59, fail);
      event.second =
        seconds === null
          ? null
          : seconds.map((s) => ({
              start: s.start * USEC,
              stop: s.stop < 0 ? -1 : s.stop * USEC,
              repeat: s.repeat * USEC,
            }));
    } else {
      event.second = [{ start: 0, stop: -1, repeat: 0 }];
    }
  } else {
    event.hour = [{ start: 0, stop: -1, repeat: 0 }];
    event.minute = [{ start: 0, stop: -1, repeat: 0 }];
    event.second = [{ start: 0, stop: -1, repeat: 0 }];
  }
  return event;
}

function parseWeekdays(text: string, fail: (why: string) => never): number {
  let bits = 0;
  for (const item of text.split(",")) {
    if (item === "") fail(`weekdays "${text}" have an empty item`);
    const range = item.split(/\.\.|-/);
    if (range.length > 2) fail(`weekday range "${item}" has more than two ends`);
    const [a, b] = range.map((name) => weekdayNumber(name, fail));
    const end = b ?? a;
    if (end < a) fail(`weekday range "${item}" runs backwards (write it as two ranges)`);
    for (let d = a; d <= end; d++) bits |= 1 << d;
  }
  return bits;
}

function weekdayNumber(name: string, fail: (why: string) => never): number {
  const lower = name.toLowerCase();
  const i = WEEKDAYS.findIndex((w) => w === lower || w.slice(0, 3) === lower);
  if (i < 0) fail(`weekday "${name}" is not a weekday name (Mon, Tuesday, …)`);
  return i;
}

// A repetition without a range has no end of its own: "01/14" minutes are 01, 15, 29, 43, 57, then
// 71 — which the search normalizes to the next hour, resetting the minutes, so it starts at 01 again.
function parseItems(
  text: string,
  field: string,
  min: number,
  max: number,
  fail: (why: string) => never,
  openEnded = false,
): Item[] | null {
  if (text === "*") return null;
  const items: Item[] = [];
  for (const part of text.split(",")) {
    const m = /^(\d{1,4})(?:\.\.(\d{1,4}))?(?:\/(\d{1,4}))?$/.exec(part);
    if (m === null) fail(`${field} "${part}" is not a number, a range a..b or a repetition a/b`);
    const start = Number(m![1]);
    const stop = m![2] !== undefined ? Number(m![2]) : -1;
    const repeat = m![3] === undefined ? (stop >= 0 ? 1 : 0) : Number(m![3]);
    if (start < min || start > max) fail(`${field} ${start} is out of range ${min}-${max}`);
    if (stop >= 0 && (stop < min || stop > max)) fail(`${field} ${stop} is out of range ${min}-${max}`);
    if (stop >= 0 && stop < start) fail(`${field} range ${part} runs backwards`);
    if (m![3] !== undefined && repeat === 0) fail(`${field} "${part}": a repetition must be at least 1`);
    // systemd wants a repetition without a range to repeat at least once within the field
    if (m![2] === undefined && repeat > 0 && (openEnded ? start - repeat < 1 : start + repeat > max)) {
      fail(
        `${field} "${part}" never repeats: the second value would be past ${openEnded ? "the month's first day" : max}`,
      );
    }
    items.push({ start, stop, repeat });
  }
  return items;
}

// ---------------------------------------------------------------------------------------------
// The search: systemd's find_next() on a broken-down wall time, with glibc's mktime()
// ---------------------------------------------------------------------------------------------

/** A broken-down time as struct tm holds it: fields may be out of range until normalized. */
interface Tm {
  year: number;
  mon: number; // 0..11
  mday: number;
  hour: number;
  min: number;
  sec: number;
  /** tm_isdst: for a repeated wall time, 1 its first pass, 0 its second; -1 mktime decides */
  isdst: number;
}

/**
 * glibc's mktime() in one zone: normalizes the fields and finds the instant. A skipped wall time
 * comes back moved past the gap; a repeated one is read with the UTC offset the previous call
 * found (glibc keeps it between calls) unless the caller says which pass.
 */
class Mktime {
  private lastOffset = 0;
  private readonly zone: string;
  constructor(zone: string) {
    this.zone = zone;
  }

  /** Normalizes `tm` in place and returns its instant. */
  run(tm: Tm): number {
    const wall =
      daysFromCivil(tm.year, tm.mon + 1, tm.mday) * DAY_MS +
      tm.hour * HOUR_MS +
      tm.min * MINUTE_MS +
      tm.sec * SECOND_MS;
    const t = this.resolve(wall, tm.isdst);
    const offset = offsetAt(this.zone, t);
    this.lastOffset = offset;
    Object.assign(tm, fieldsOf(t + offset));
    tm.isdst = isRepeatedLater(this.zone, t) ? 0 : 1;
    return t;
  }

  private resolve(wall: number, isdst: number): number {
    const zone = this.zone;
    const offsets = new Set([
      offsetAt(zone, wall - 14 * HOUR_MS),
      offsetAt(zone, wall),
      offsetAt(zone, wall + 14 * HOUR_MS),
      offsetAt(zone, wall - offsetAt(zone, wall)),
    ]);
    const candidates: number[] = [];
    for (const o of offsets) if (offsetAt(zone, wall - o) === o) candidates.push(wall - o);
    candidates.sort((a, b) => a - b);
    if (candidates.length === 0) return wall - Math.min(...offsets); // in a gap: past it
    if (candidates.length === 1) return candidates[0];
    // repeated: the pass asked for, or where probing from the last offset converges
    if (isdst >= 0) return isdst === 1 ? candidates[0] : candidates[candidates.length - 1];
    let t = wall - this.lastOffset;
    for (let i = 0; i < 6; i++) {
      const dt = wall - (t + offsetAt(zone, t));
      if (dt === 0) return t;
      t += dt;
    }
    return candidates[0];
  }
}

function fieldsOf(wall: number): Omit<Tm, "isdst"> {
  const day = Math.floor(wall / DAY_MS);
  const c = civilFromDays(day);
  const tod = Math.round((wall - day * DAY_MS) / SECOND_MS);
  return {
    year: c.year,
    mon: c.month - 1,
    mday: c.day,
    hour: Math.floor(tod / 3600),
    min: Math.floor((tod % 3600) / 60),
    sec: tod % 60,
  };
}

/** systemd's find_matching_component(): the earliest value >= *val; undefined if none. */
function matching(items: Item[] | null, val: number, endOfMonth: ((d: number) => number) | null): number | undefined {
  if (items === null) return val;
  let best: number | undefined;
  for (const item of items) {
    let start = item.start;
    let stop = item.stop;
    if (endOfMonth !== null) {
      start = endOfMonth(start);
      stop = endOfMonth(stop);
      if (stop > 0) [start, stop] = [stop, start];
    }
    if (start >= val) {
      if (best === undefined || start < best) best = start;
    } else if (item.repeat > 0) {
      const k = start + item.repeat * Math.ceil((val - start) / item.repeat);
      if ((best === undefined || k < best) && (stop < 0 || k <= stop)) best = k;
    }
  }
  return best;
}

function nextRun(e: CalendarEvent, zone: string, after: number): number {
  const mk = new Mktime(zone);
  const usec = Math.floor(after) * 1000 + 1; // systemd searches from one microsecond after
  const base = Math.floor(usec / USEC) * SECOND_MS;
  // localtime() of the start, which knows its pass of a repeated time
  const c: Tm = { ...fieldsOf(base + offsetAt(zone, base)), isdst: isRepeatedLater(zone, base) ? 0 : 1 };
  let tmUsec = usec % USEC;

  // systemd's tm_within_bounds(): 1 when c is a real time; 0 when normalizing moved it forward
  // (c becomes the normalized time with the unit below the one that changed reset — but a
  // change of year resets only the month, so "Dec 35" becomes Jan 4 and Jan 1-3 are skipped, as
  // systemd does); -1 when normalizing would go backward.
  const withinBounds = (): number => {
    if (c.year > MAX_YEAR) return -1;
    const t = { ...c };
    mk.run(t);
    let cmp: number;
    if ((cmp = Math.sign(t.year - c.year)) !== 0) t.mon = 0;
    else if ((cmp = Math.sign(t.mon - c.mon)) !== 0) t.mday = 1;
    else if ((cmp = Math.sign(t.mday - c.mday)) !== 0) t.hour = 0;
    else if ((cmp = Math.sign(t.hour - c.hour)) !== 0) t.min = 0;
    else if ((cmp = Math.sign(t.min - c.min)) !== 0) t.sec = 0;
    else cmp = Math.sign(t.sec - c.sec);
    if (cmp < 0) return -1;
    if (cmp > 0) Object.assign(c, t);
    return cmp === 0 ? 1 : 0;
  };
  const endOfMonth = (d: number): number => {
    const t: Tm = { ...c, mon: c.mon + 1, mday: 1 - d };
    mk.run(t);
    return t.mon !== c.mon ? -1 : t.mday;
  };

  for (let guard = 0; guard < 100_000; guard++) {
    mk.run(c);
    c.isdst = -1;

    let v = matching(e.year, c.year, null);
    if (v === undefined) return Number.NaN;
    if (v !== c.year) {
      c.year = v;
      c.mon = 0;
      c.mday = 1;
      c.hour = c.min = c.sec = tmUsec = 0;
    }
    if (withinBounds() <= 0) return Number.NaN;

    v = matching(e.month, c.mon + 1, null);
    let r: number;
    if (v !== undefined && v !== c.mon + 1) {
      c.mon = v - 1;
      c.mday = 1;
      c.hour = c.min = c.sec = tmUsec = 0;
    }
    if (v === undefined || (r = withinBounds()) < 0) {
      c.year++;
      c.mon = 0;
      c.mday = 1;
      c.hour = c.min = c.sec = tmUsec = 0;
      continue;
    }
    if (r === 0) continue;

    v = matching(e.day, c.mday, e.endOfMonth ? endOfMonth : null);
    if (v !== undefined && v !== c.mday) {
      c.mday = v;
      c.hour = c.min = c.sec = tmUsec = 0;
    }
    if (v === undefined || (r = withinBounds()) < 0) {
      c.mon++;
      c.mday = 1;
      c.hour = c.min = c.sec = tmUsec = 0;
      continue;
    }
    if (r === 0) continue;

    if (e.weekdays >= 0) {
      const t = { ...c };
      mk.run(t);
      const wd = weekday(daysFromCivil(t.year, t.mon + 1, t.mday));
      if ((e.weekdays & (1 << (wd === 0 ? 6 : wd - 1))) === 0) {
        c.mday++;
        c.hour = c.min = c.sec = tmUsec = 0;
        continue;
      }
    }

    v = matching(e.hour, c.hour, null);
    if (v !== undefined && v !== c.hour) {
      c.hour = v;
      c.min = c.sec = tmUsec = 0;
    }
    if (v === undefined || (r = withinBounds()) < 0) {
      c.mday++;
      c.hour = c.min = c.sec = tmUsec = 0;
      continue;
    }
    if (r === 0) continue;

    v = matching(e.minute, c.min, null);
    if (v !== undefined && v !== c.min) {
      c.min = v;
      c.sec = tmUsec = 0;
    }
    if (v === undefined || (r = withinBounds()) < 0) {
      c.hour++;
      c.min = c.sec = tmUsec = 0;
      continue;
    }
    if (r === 0) continue;

    v = matching(e.second, c.sec * USEC + tmUsec, null);
    if (v !== undefined) {
      tmUsec = v % USEC;
      c.sec = Math.floor(v / USEC);
    }
    if (v === undefined || (r = withinBounds()) < 0) {
      c.min++;
      c.sec = tmUsec = 0;
      continue;
    }
    if (r === 0) continue;

    const t = mk.run({ ...c });
    return t + Math.floor(tmUsec / 1000);
  }
  return Number.NaN;
}

/** Whether instant `t` is the later pass of a repeated wall time. */
function isRepeatedLater(zone: string, t: number): boolean {
  const o = offsetAt(zone, t);
  const before = offsetAt(zone, t - 14 * HOUR_MS);
  // the wall time t shows also existed under the earlier, larger offset
  return before > o && offsetAt(zone, t + o - before) === before;
}
