// A monitors row seen three ways: as the Schedule the math needs, as the Tracked state the
// transitions need, and as the JSON the API returns.

import type { MonitorRow } from "../db/models.ts";
import type { Schedule } from "../schedule/schedule.ts";
import type { Status, Tracked } from "./monitor-status.ts";
import { snoozedAt } from "./snooze.ts";
import { DEFAULT_RUN_LIMITS, type RunLimitFields } from "./run-limits.ts";
import { failedRuns, type FailureRate } from "./run-rules.ts";

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

type ScheduleColumns =
  "schedule_kind" | "period_seconds" | "grace_seconds" | "cron_expression" | "timezone" | "deadline";

/** Rows read before migration 014 (no cron_dialect) are Debian cron's, as that migration makes them. */
export function scheduleOf(
  row: Pick<MonitorRow, ScheduleColumns> & Partial<Pick<MonitorRow, "cron_dialect">>,
): Schedule {
  if (row.schedule_kind === "interval") {
    return { kind: "interval", periodSeconds: Number(row.period_seconds), graceSeconds: Number(row.grace_seconds) };
  }
  const deadline = row.deadline === "end-of-day" ? "end-of-day" : "grace";
  if (row.schedule_kind === "oncalendar") {
    const expressions = String(row.cron_expression).split("\n");
    return {
      kind: "oncalendar",
      expressions,
      timezone: row.timezone,
      graceSeconds: Number(row.grace_seconds),
      deadline,
    };
  }
  return {
    kind: "cron",
    expression: String(row.cron_expression),
    timezone: row.timezone,
    dialect: row.cron_dialect === "kubernetes" ? "kubernetes" : "cron",
    graceSeconds: Number(row.grace_seconds),
    deadline,
  };
}

/** Columns for a schedule; interval monitors keep the zone too, for alert times. */
export function scheduleColumns(s: Schedule, defaultTimezone: string) {
  if (s.kind === "interval") {
    return {
      schedule_kind: "interval",
      period_seconds: s.periodSeconds,
      grace_seconds: s.graceSeconds,
      cron_expression: null,
      cron_dialect: "cron",
      timezone: defaultTimezone,
      deadline: "grace",
    };
  }
  const calendar = { period_seconds: null, grace_seconds: s.graceSeconds, timezone: s.timezone, deadline: s.deadline };
  return s.kind === "oncalendar"
    ? { schedule_kind: "oncalendar", ...calendar, cron_expression: s.expressions.join("\n"), cron_dialect: "cron" }
    : { schedule_kind: "cron", ...calendar, cron_expression: s.expression, cron_dialect: s.dialect };
}

type TrackedColumns =
  | "status"
  | "late_at"
  | "down_at"
  | "last_ping_at"
  | "last_start_at"
  | "run_deadline_at"
  | "consecutive_failures"
  | "consecutive_successes"
  | "recent_outcomes";

/** Rows read before migration 007, or with only some columns, count as no run timed and no counts. */
export function trackedOf(
  row: Pick<MonitorRow, "status" | "late_at" | "down_at" | "last_ping_at" | "last_start_at"> &
    Partial<Pick<MonitorRow, TrackedColumns>>,
): Tracked {
  return {
    status: row.status as Status,
    lateAt: num(row.late_at),
    downAt: num(row.down_at),
    lastPingAt: num(row.last_ping_at),
    lastStartAt: num(row.last_start_at),
    runDeadlineAt: num(row.run_deadline_at),
    failures: Number(row.consecutive_failures ?? 0),
    successes: Number(row.consecutive_successes ?? 0),
    outcomes: String(row.recent_outcomes ?? ""),
  };
}

export const RUN_LIMIT_COLUMNS = [
  "max_run_seconds",
  "slow_factor",
  "slow_window",
  "failure_threshold",
  "recovery_threshold",
  "failure_rate_failures",
  "failure_rate_runs",
  "min_run_seconds",
  "min_gap_seconds",
  "report_unexpected_runs",
] as const;
export type RunLimitColumns = (typeof RUN_LIMIT_COLUMNS)[number];

export function runLimitsOf(row: Partial<Pick<MonitorRow, RunLimitColumns>>): RunLimitFields {
  const d = DEFAULT_RUN_LIMITS;
  return {
    maxRunSeconds: num(row.max_run_seconds),
    slowFactor: num(row.slow_factor),
    slowWindow: Number(row.slow_window ?? d.slowWindow),
    failureThreshold: Number(row.failure_threshold ?? d.failureThreshold),
    recoveryThreshold: Number(row.recovery_threshold ?? d.recoveryThreshold),
    failureRate:
      row.failure_rate_runs === null || row.failure_rate_runs === undefined
        ? null
        : { failures: Number(row.failure_rate_failures), runs: Number(row.failure_rate_runs) },
    minRunSeconds: num(row.min_run_seconds),
    minGapSeconds: num(row.min_gap_seconds),
    reportUnexpectedRuns: Boolean(Number(row.report_unexpected_runs ?? 0)),
  };
}

/** The columns for run-limit fields given to a create or update (absent ones left out). */
export function runLimitColumns(f: Partial<RunLimitFields>): Partial<Pick<MonitorRow, RunLimitColumns>> {
  const out: Partial<Pick<MonitorRow, RunLimitColumns>> = {};
  if (f.maxRunSeconds !== undefined) out.max_run_seconds = f.maxRunSeconds;
  if (f.slowFactor !== undefined) out.slow_factor = f.slowFactor;
  if (f.slowWindow !== undefined) out.slow_window = f.slowWindow;
  if (f.failureThreshold !== undefined) out.failure_threshold = f.failureThreshold;
  if (f.recoveryThreshold !== undefined) out.recovery_threshold = f.recoveryThreshold;
  if (f.failureRate !== undefined) {
    out.failure_rate_failures = f.failureRate?.failures ?? null;
    out.failure_rate_runs = f.failureRate?.runs ?? null;
  }
  if (f.minRunSeconds !== undefined) out.min_run_seconds = f.minRunSeconds;
  if (f.minGapSeconds !== undefined) out.min_gap_seconds = f.minGapSeconds;
  if (f.reportUnexpectedRuns !== undefined) out.report_unexpected_runs = f.reportUnexpectedRuns;
  return out;
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export interface MonitorView {
  id: number;
  code: string;
  name: string;
  description: string | null;
  schedule: Schedule;
  timezone: string;
  tags: string[];
  /** ids of the channels alerted on its flips */
  channels: number[];
  /** reminders while down, every so many seconds; null: none */
  repeatEverySeconds: number | null;
  /** run limits (duration alerts, thresholds against flapping) */
  maxRunSeconds: number | null;
  slowFactor: number | null;
  slowWindow: number;
  failureThreshold: number;
  recoveryThreshold: number;
  /** run rules (issue 18): down at `failures` of the last `runs` runs; too fast, too often, unexpected */
  failureRate: { failures: number; runs: number } | null;
  minRunSeconds: number | null;
  minGapSeconds: number | null;
  reportUnexpectedRuns: boolean;
  /** consecutive failed or missed runs, and successful runs, so far */
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** with a failure rate: how many of the runs it counts (up to its `runs`) there were, and failed */
  rateWindow: { runs: number; failed: number } | null;
  /** a run started and must finish by then (maxRunSeconds) */
  runDeadlineAt: string | null;
  /** alerts are held until then (core/monitor/snooze.ts); null: not snoozed, or the snooze ended */
  snoozedUntil: string | null;
  status: Status;
  paused: boolean;
  lastPingAt: string | null;
  lastPingKind: string | null;
  nextDueAt: string | null;
  downAt: string | null;
  statusChangedAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export function monitorView(row: MonitorRow, tags: string[], channels: number[], now: number): MonitorView {
  const tracked = trackedOf(row);
  const limits = runLimitsOf(row);
  return {
    id: Number(row.id),
    code: row.code,
    name: row.name,
    description: row.description ?? null,
    schedule: scheduleOf(row),
    timezone: row.timezone,
    tags,
    channels,
    repeatEverySeconds:
      row.repeat_every_seconds === null || row.repeat_every_seconds === undefined
        ? null
        : Number(row.repeat_every_seconds),
    ...limits,
    consecutiveFailures: tracked.failures,
    consecutiveSuccesses: tracked.successes,
    rateWindow: rateCount(limits.failureRate, tracked.outcomes),
    runDeadlineAt: iso(row.run_deadline_at),
    snoozedUntil: snoozedAt(num(row.snoozed_until), now) ? iso(row.snoozed_until) : null,
    status: tracked.status,
    paused: tracked.status === "paused",
    lastPingAt: iso(row.last_ping_at),
    lastPingKind: row.last_ping_kind ?? null,
    nextDueAt: iso(row.late_at),
    downAt: iso(row.down_at),
    statusChangedAt: iso(row.status_changed_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

function rateCount(rate: FailureRate | null, outcomes: string): MonitorView["rateWindow"] {
  if (rate === null) return null;
  const counted = outcomes.slice(-rate.runs);
  return { runs: counted.length, failed: failedRuns(counted, rate) };
}
