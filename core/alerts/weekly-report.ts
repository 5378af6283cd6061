// The weekly report: per monitor, its uptime over the week (from the flips), its failures
// (failure reports and down flips) and its slowest runs (pings' run durations), and when the
// next report is due (the WEEKLY_REPORT_CRON schedule in its time zone). Pure: the notifier
// reads the rows and sends the text.

import { DateTime } from "luxon";
import type { Clock } from "../checker/clock.ts";
import { nextRun, type CompiledCron } from "../schedule/cron.ts";
import { duration, escapeHtml } from "./alert.ts";
import { ALERT_MESSAGES, fill } from "./alert-messages.ts";
import type { Locale } from "./locale.ts";
import type { Status } from "../monitor/monitor-status.ts";
import { uptimeOver } from "../monitor/uptime.ts";

export const REPORT_WEEK_MS = 7 * 86_400_000;
export const SLOWEST_RUNS = 3;

/**
 * The latest scheduled report time at or before the clock's now and after `notBefore`, or null.
 * Steps through the schedule from `notBefore` (the caller passes the last period it handled, or
 * a week back), at most `maxSteps` runs.
 */
export function latestRun(
  cron: CompiledCron,
  zone: string,
  clock: Clock,
  notBefore: number,
  maxSteps = 200_000,
): number | null {
  const now = clock.now();
  let found: number | null = null;
  let t = nextRun(cron, zone, notBefore);
  for (let i = 0; i < maxSteps && !Number.isNaN(t) && t <= now; i++) {
    found = t;
    t = nextRun(cron, zone, t);
  }
  return found;
}

export interface ReportMonitor {
  id: number;
  name: string;
  code: string;
  createdAt: number;
}

export interface ReportFlip {
  monitorId: number;
  to: Status;
  reason: string;
  at: number;
}

export interface ReportPing {
  monitorId: number;
  kind: string;
  durationMs: number | null;
  receivedAt: number;
}

export interface MonitorWeek {
  id: number;
  name: string;
  code: string;
  /** 0–100; null when the monitor was paused (or not yet created) the whole week */
  uptimePercent: number | null;
  downMs: number;
  /** failure reports received (fail pings, exit status ≠ 0) */
  failureReports: number;
  /** flips to down (a failure report, a missed deadline, never pinged) */
  downFlips: number;
  slowest: { durationMs: number; at: number }[];
}

export interface WeeklyReport {
  from: number;
  to: number;
  monitors: MonitorWeek[];
}

/**
 * The week [to - 7 days, to). `flips` are each monitor's flips up to `to`, oldest first; only the
 * last one before the week matters for the status the week starts in. Time down counts against
 * the uptime; time paused (or before the monitor existed) counts neither way (core/monitor/uptime.ts).
 */
export function computeReport(
  to: number,
  monitors: readonly ReportMonitor[],
  flips: readonly ReportFlip[],
  pings: readonly ReportPing[],
): WeeklyReport {
  const from = to - REPORT_WEEK_MS;
  const flipsOf = groupBy(flips, (f) => f.monitorId);
  const pingsOf = groupBy(
    pings.filter((p) => p.receivedAt >= from && p.receivedAt < to),
    (p) => p.monitorId,
  );
  const weeks = monitors.map((m): MonitorWeek => {
    const week = uptimeOver(from, to, m.createdAt, flipsOf.get(m.id) ?? []);
    const mine = pingsOf.get(m.id) ?? [];
    const slowest = mine
      .filter((p) => p.durationMs !== null)
      .sort((a, b) => b.durationMs! - a.durationMs! || a.receivedAt - b.receivedAt)
      .slice(0, SLOWEST_RUNS)
      .map((p) => ({ durationMs: p.durationMs!, at: p.receivedAt }));
    return {
      id: m.id,
      name: m.name,
      code: m.code,
      uptimePercent: week.percent,
      downMs: week.downMs,
      failureReports: mine.filter((p) => p.kind === "fail").length,
      downFlips: week.downFlips,
      slowest,
    };
  });
  weeks.sort((a, b) => (a.uptimePercent ?? 101) - (b.uptimePercent ?? 101) || a.name.localeCompare(b.name));
  return { from, to, monitors: weeks };
}

function groupBy<T>(items: readonly T[], key: (t: T) => number): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const it of items) {
    const k = key(it);
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(it);
  }
  return out;
}

/** "99.95 %"; "—" for a week with nothing observed */
export function formatUptime(p: number | null): string {
  return p === null ? "—" : `${(Math.floor(p * 100) / 100).toFixed(2)} %`;
}

/** One line per monitor, the week's dates in the report's time zone. */
export function renderReport(
  r: WeeklyReport,
  zone: string,
  username: string,
  locale: Locale = "en",
): { subject: string; text: string; html: string; locale: Locale } {
  const w = ALERT_MESSAGES[locale].report;
  const units = ALERT_MESSAGES[locale].units;
  const day = (ms: number) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd HH:mm");
  const week = `${day(r.from)} – ${day(r.to)} ${zone}`;
  const failing = r.monitors.filter((m) => m.downFlips > 0 || m.failureReports > 0).length;
  const subject = fill(w.subject, {
    date: DateTime.fromMillis(r.to, { zone }).toFormat("yyyy-LL-dd"),
    monitors: r.monitors.length,
    failing,
  });
  const line = (m: MonitorWeek) => {
    const runs = m.slowest.length
      ? m.slowest
          .map((s) => fill(w.run, { ms: s.durationMs, at: day(s.at) }))
          .join(ALERT_MESSAGES[locale].listSeparator)
      : w.noneTimed;
    return [
      `${m.name} (${m.code})`,
      `  ${fill(w.uptime, { uptime: formatUptime(m.uptimePercent), down: duration(m.downMs, units) })}`,
      `  ${fill(w.failures, { reports: m.failureReports, downs: m.downFlips })}`,
      `  ${fill(w.slowest, { runs })}`,
    ].join("\n");
  };
  const text = [
    fill(w.heading, { username }),
    fill(w.week, { week }),
    "",
    ...(r.monitors.length ? r.monitors.map(line) : [w.noMonitors]),
    "",
  ].join("\n");
  const html = `<h2>${escapeHtml(w.title)}</h2><p>${escapeHtml(week)}</p><pre>${escapeHtml(r.monitors.map(line).join("\n\n"))}</pre>`;
  return { subject, text, html, locale };
}
