// Debian cron / cronie / Vixie cron run times around clock changes, as cronsim (the cron engine
// healthchecks.io uses) computes them; cron(8) describes the rules:
//  * a fixed-time job (neither the minute nor the hour field begins with `*`) is matched against
//    the wall clock; a time that a spring-forward skipped runs once, at the first instant after
//    the change, and a time repeated by a fall-back runs once, in its first pass;
//  * any other job (and every 6-field one) runs by the new wall clock: it steps through real time
//    reading the local clock, so skipped times do not happen and repeated ones happen twice.
// cronsim does the second on Python datetimes, whose "fold" rules decide what a wall time that
// does not exist, or exists twice, means (PEP 495: fold 0 reads it with the offset in force before
// the change). This module models exactly that, so that its answers are cronsim's to the second,
// including its one quirk: a day or hour that begins inside a gap runs at the instant its wall time
// reads as with the old offset (Santiago's non-existent midnight of 2026-09-06, hour 0, runs at 04:00Z).

import { firstMatch, dayMatches, type CompiledCron } from "./cron.ts";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  civilFromDays,
  daysInMonth,
  offsetAt,
  transitionsBetween,
  weekday,
} from "./zone-time.ts";

const GIVE_UP_YEARS = 50;
const YEAR_MS = 366 * DAY_MS;

/** The next run strictly after `after` by Debian cron's rules (cronsim's iteration), NaN if none within 50 years. */
export function nextDebianRun(cron: CompiledCron, zone: string, after: number): number {
  const from = Math.floor(after / SECOND_MS) * SECOND_MS;
  if (cron.fixedTime) {
    let wall = firstMatch(cron, from + offsetAt(zone, from) + SECOND_MS, from + GIVE_UP_YEARS * YEAR_MS);
    if (Number.isNaN(wall)) return Number.NaN;
    while (isImaginary(zone, wall)) wall += MINUTE_MS;
    return wall - offsetFor(zone, wall, 0);
  }
  return new AwareClock(cron, zone, from).next();
}

/**
 * The UTC offset that wall time `wall` is read with, for PEP 495's `fold` (0: the offset before a
 * change, for skipped and repeated times alike; 1: the offset after it).
 */
export function offsetFor(zone: string, wall: number, fold: 0 | 1): number {
  const window = 30 * HOUR_MS;
  let offset = offsetAt(zone, wall - window);
  for (const t of transitionsBetween(zone, wall - window, wall + window)) {
    const threshold = t.at + (fold === 0 ? Math.max(t.before, t.after) : Math.min(t.before, t.after));
    if (wall < threshold) break;
    offset = t.after;
  }
  return offset;
}

/** A wall time that a spring-forward skipped. */
export function isImaginary(zone: string, wall: number): boolean {
  const at = wall - offsetFor(zone, wall, 0);
  return at + offsetAt(zone, at) !== wall;
}

/** cronsim's iteration on an aware datetime: a wall time, its fold, and the steps Python takes. */
class AwareClock {
  private wall: number;
  private fold: 0 | 1;
  private readonly cron: CompiledCron;
  private readonly zone: string;

  constructor(cron: CompiledCron, zone: string, at: number) {
    this.cron = cron;
    this.zone = zone;
    this.wall = 0;
    this.fold = 0;
    this.setInstant(at);
  }

  next(): number {
    this.tick(1);
    const startYear = this.fields().year;
    for (;;) {
      this.advanceMonth();
      if (this.fields().year > startYear + GIVE_UP_YEARS) return Number.NaN;
      if (this.advanceDay()) continue;
      if (this.advanceHour()) continue;
      if (this.advanceMinute()) continue;
      if (this.advanceSecond()) continue;
      return this.instant();
    }
  }

  private instant(): number {
    return this.wall - offsetFor(this.zone, this.wall, this.fold);
  }

  private setInstant(at: number): void {
    this.wall = at + offsetAt(this.zone, at);
    this.fold = this.wall - offsetFor(this.zone, this.wall, 0) === at ? 0 : 1;
  }

  /** Python: to UTC, add, and back to the zone. */
  private tick(seconds: number): void {
    this.setInstant(this.instant() + seconds * SECOND_MS);
  }

  private fields() {
    const day = Math.floor(this.wall / DAY_MS);
    const c = civilFromDays(day);
    const tod = (this.wall - day * DAY_MS) / SECOND_MS;
    return {
      day,
      year: c.year,
      month: c.month,
      date: c.day,
      hour: Math.floor(tod / 3600),
      minute: Math.floor((tod % 3600) / 60),
      second: tod % 60,
    };
  }

  /** Python's datetime.combine(date, time(), tzinfo): midnight, fold 0. */
  private toMidnight(day: number): void {
    this.wall = day * DAY_MS;
    this.fold = 0;
  }

  private advanceMonth(): void {
    let { day, month, year, date } = this.fields();
    if (this.cron.month[month] === 1) return;
    while (this.cron.month[month] === 0) {
      day += daysInMonth(year, month) - date + 1;
      date = 1;
      if (++month > 12) {
        month = 1;
        year++;
      }
    }
    this.toMidnight(day);
  }

  private advanceDay(): boolean {
    let { day } = this.fields();
    const matches = (d: number): boolean => {
      const c = civilFromDays(d);
      return dayMatches(this.cron, c.year, c.month, c.day, daysInMonth(c.year, c.month), weekday(d));
    };
    if (matches(day)) return false;
    while (!matches(day)) {
      day++;
      if (civilFromDays(day).day === 1) break; // back to the month check
    }
    this.toMidnight(day);
    return true;
  }

  private advanceHour(): boolean {
    const f = this.fields();
    if (this.cron.nextHour[f.hour] === f.hour) return false;
    this.wall = f.day * DAY_MS + f.hour * HOUR_MS; // replace(minute=0, second=0), fold kept
    for (;;) {
      this.tick(3600);
      const h = this.fields().hour;
      if (this.cron.nextHour[h] === h || h === 0) break;
    }
    return true;
  }

  private advanceMinute(): boolean {
    const f = this.fields();
    if (this.cron.nextMinute[f.minute] === f.minute) return false;
    this.wall = f.day * DAY_MS + f.hour * HOUR_MS + f.minute * MINUTE_MS; // replace(second=0)
    const only = singleValue(this.cron.nextMinute);
    if (only >= 0) this.tick(((((only - f.minute) % 60) + 60) % 60) * 60);
    for (;;) {
      const m = this.fields().minute;
      if (this.cron.nextMinute[m] === m) break;
      this.tick(60);
      if (this.fields().minute === 0) break;
    }
    return true;
  }

  private advanceSecond(): boolean {
    const f = this.fields();
    if (this.cron.nextSecond[f.second] === f.second) return false;
    const only = singleValue(this.cron.nextSecond);
    if (only >= 0) this.tick((((only - f.second) % 60) + 60) % 60);
    for (;;) {
      const s = this.fields().second;
      if (this.cron.nextSecond[s] === s) break;
      this.tick(1);
      if (this.fields().second === 0) break;
    }
    return true;
  }
}

/** The one allowed value of a next-table (minutes, seconds), or -1 when there are several. */
function singleValue(table: Int8Array): number {
  const first = table[0];
  if (first < 0) return -1;
  return table[first + 1] < 0 ? first : -1;
}
