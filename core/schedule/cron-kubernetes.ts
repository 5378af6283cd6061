// Kubernetes CronJob run times: robfig/cron v3's SpecSchedule.Next, which the CronJob controller
// calls with `.spec.timeZone`, modelled step by step on Go's time package. Around clock changes
// its answers follow from how Go reads wall times (time.Date) and steps real time (Add):
//  * time.Date resolves a wall time that does not exist, or exists twice, by looking up the offset
//    at the wall time read as UTC, and once more at the result if that falls outside the found
//    offset's period; so a skipped 02:30 becomes 03:30 in Berlin, a repeated 02:30 its second pass;
//  * the hour and minute steps add real time, so a job on an hour the change skips runs at the
//    next matching hour, and a job in a repeated hour may run in either pass, or both.
// Like robfig, it gives up after five years without a match (the controller then never schedules).

import { dayMatches, type CompiledCron } from "./cron.ts";
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  SECOND_MS,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  segmentAt,
  weekday,
} from "./zone-time.ts";

const GIVE_UP_YEARS = 5;

interface GoFields {
  day: number; // days since 1970-01-01
  year: number;
  month: number;
  date: number;
  hour: number;
  minute: number;
  second: number;
}

function fieldsOf(zone: string, t: number): GoFields {
  const wall = t + segmentAt(zone, t).offset;
  const day = Math.floor(wall / DAY_MS);
  const c = civilFromDays(day);
  const tod = Math.floor((wall - day * DAY_MS) / SECOND_MS);
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

/** Go's time.Date(year, month, day, hour, min, sec, 0, loc): fields normalized, then resolved to an instant. */
function goDate(
  zone: string,
  year: number,
  month: number,
  date: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const local = daysFromCivil(year, month, date) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS;
  const seg = segmentAt(zone, local);
  let offset = seg.offset;
  if (offset !== 0) {
    const { start, end } = seg;
    const utc = local - offset;
    if (utc < start || utc >= end) offset = segmentAt(zone, utc).offset;
    return local - offset;
  }
  return local;
}

/** The next run strictly after `after` as robfig/cron v3 computes it in `zone`, NaN if none within five years. */
export function nextKubernetesRun(cron: CompiledCron, zone: string, after: number): number {
  let t = Math.floor(after / SECOND_MS) * SECOND_MS + SECOND_MS;
  let added = false;
  const yearLimit = fieldsOf(zone, t).year + GIVE_UP_YEARS;
  wrap: for (;;) {
    let f = fieldsOf(zone, t);
    if (f.year > yearLimit) return Number.NaN;

    while (cron.month[f.month] === 0) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, 1, 0, 0, 0);
        f = fieldsOf(zone, t);
      }
      t = goDate(zone, f.year, f.month + 1, f.date, f.hour, f.minute, f.second); // AddDate(0, 1, 0)
      f = fieldsOf(zone, t);
      if (f.month === 1) continue wrap;
    }

    while (!dayMatches(cron, f.year, f.month, f.date, daysInMonth(f.year, f.month), weekday(f.day))) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, f.date, 0, 0, 0);
        f = fieldsOf(zone, t);
      }
      t = goDate(zone, f.year, f.month, f.date + 1, f.hour, f.minute, f.second); // AddDate(0, 0, 1)
      f = fieldsOf(zone, t);
      // robfig's fix for days whose midnight a change skipped or repeated
      if (f.hour !== 0) {
        t += f.hour > 12 ? (24 - f.hour) * HOUR_MS : -f.hour * HOUR_MS;
        f = fieldsOf(zone, t);
      }
      if (f.date === 1) continue wrap;
    }

    while (cron.nextHour[f.hour] !== f.hour) {
      if (!added) {
        added = true;
        t = goDate(zone, f.year, f.month, f.date, f.hour, 0, 0);
      }
      t += HOUR_MS;
      f = fieldsOf(zone, t);
      if (f.hour === 0) continue wrap;
    }

    while (cron.nextMinute[f.minute] !== f.minute) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE_MS) * MINUTE_MS; // Truncate(time.Minute): on absolute time
      }
      t += MINUTE_MS;
      f = fieldsOf(zone, t);
      if (f.minute === 0) continue wrap;
    }

    while (cron.nextSecond[f.second] !== f.second) {
      if (!added) {
        added = true;
        t = Math.floor(t / SECOND_MS) * SECOND_MS;
      }
      t += SECOND_MS;
      f = fieldsOf(zone, t);
      if (f.second === 0) continue wrap;
    }
    return t;
  }
}
