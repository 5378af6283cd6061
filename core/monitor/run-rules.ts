// Rules on a monitor's runs beyond their count in a row (issue 18): a failure rate over the last
// runs, runs that finish too fast, runs that come too often and, for calendar schedules, runs at
// no scheduled time. Pure: monitor-status.ts applies them when a run finishes or is missed.

import { DateTime } from "luxon";
import { runModel, type Schedule } from "../schedule/schedule.ts";

/** The monitor goes down when at least `failures` of its last `runs` runs failed. */
export interface FailureRate {
  failures: number;
  runs: number;
}

/** The most runs a failure rate looks back over (recent_outcomes holds one letter a run). */
export const MAX_RATE_RUNS = 100;
export const MAX_MIN_RUN_SECONDS = 7 * 86_400;
export const MAX_MIN_GAP_SECONDS = 31 * 86_400;

/** Why a successful run is a failure report after all. */
export type BrokenRule = "too-fast" | "too-often" | "unexpected-run";

export interface RunRules {
  failureRate: FailureRate | null;
  /** a timed successful run shorter than this is too fast; null: off */
  minRunSeconds: number | null;
  /** a successful run less than this after the previous run is too often; null: off */
  minGapSeconds: number | null;
  /** cron and OnCalendar schedules: a run at no scheduled time (nor within its grace) is reported */
  reportUnexpectedRuns: boolean;
}

export const NO_RULES: RunRules = {
  failureRate: null,
  minRunSeconds: null,
  minGapSeconds: null,
  reportUnexpectedRuns: false,
};

/**
 * The outcomes after one more run: `ok` appended ("s" or "f"), the oldest dropped past the
 * rate's run count. Nothing is kept without a failure rate.
 */
export function recordOutcome(outcomes: string, ok: boolean, rate: FailureRate | null): string {
  if (rate === null) return "";
  return (outcomes + (ok ? "s" : "f")).slice(-rate.runs);
}

/** How many of the last `rate.runs` outcomes failed. */
export function failedRuns(outcomes: string, rate: FailureRate): number {
  let n = 0;
  for (const c of outcomes.slice(-rate.runs)) if (c === "f") n++;
  return n;
}

/** Whether the failure rate is reached: at least `failures` of the last `runs` runs failed. */
export function rateReached(outcomes: string, rate: FailureRate | null): boolean {
  return rate !== null && failedRuns(outcomes, rate) >= rate.failures;
}

/**
 * Which rule a successful run breaks, or null. `durationMs`: the run's length when a /start
 * timed it; `previousAt`: when the run before it was reported; `startedAt`: when it started, or
 * null (then it is placed at `at`, the time it was reported).
 */
export function brokenRule(
  rules: RunRules,
  schedule: Schedule,
  run: { at: number; durationMs: number | null; previousAt: number | null; startedAt: number | null },
): BrokenRule | null {
  if (rules.minRunSeconds !== null && run.durationMs !== null && run.durationMs < rules.minRunSeconds * 1000)
    return "too-fast";
  if (
    rules.minGapSeconds !== null &&
    run.previousAt !== null &&
    Math.abs(run.at - run.previousAt) < rules.minGapSeconds * 1000
  )
    return "too-often";
  if (rules.reportUnexpectedRuns && schedule.kind !== "interval" && !isScheduledRun(schedule, run.startedAt ?? run.at))
    return "unexpected-run";
  return null;
}

/** A run up to this much before a scheduled time (a job's clock running fast) is that run. */
const EARLY_MS = 60_000;

/**
 * Whether a run at `at` is one the calendar schedule expects: it comes at most a minute (and at
 * most the grace) before a scheduled time, or after one but by that run's deadline: within its
 * grace, or with the end-of-day deadline on the same local day. Either way a scheduled time
 * lies in one span ending at `at`, so one look-up of the next run decides.
 */
export function isScheduledRun(schedule: Exclude<Schedule, { kind: "interval" }>, at: number): boolean {
  const runs = runModel(schedule);
  const endOfDay = schedule.deadline === "end-of-day";
  const early = endOfDay ? EARLY_MS : Math.min(EARLY_MS, schedule.graceSeconds * 1000);
  const ahead = runs.next(at - 1);
  if (!Number.isNaN(ahead) && ahead - at <= early) return true;
  const from = endOfDay
    ? DateTime.fromMillis(at, { zone: schedule.timezone }).startOf("day").toMillis()
    : at - schedule.graceSeconds * 1000;
  const first = runs.next(from - 1);
  return !Number.isNaN(first) && first <= at;
}
