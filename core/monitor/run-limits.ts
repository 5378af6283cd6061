// Limits on a monitor's runs beyond its schedule: how long a run may take (maxRunSeconds),
// when a run is slow against the monitor's own history (slowFactor × the median of the last
// slowWindow runs), and how many failed or successful runs in a row change its status
// (failureThreshold, recoveryThreshold), and the run rules of run-rules.ts (failureRate,
// minRunSeconds, minGapSeconds, reportUnexpectedRuns). Pure: the transitions are in
// monitor-status.ts; this file holds the slow-run rule and the validation of the fields.

import type { RunLimits } from "./monitor-status.ts";
import type { FieldError } from "../schedule/schedule.ts";
import {
  MAX_MIN_GAP_SECONDS,
  MAX_MIN_RUN_SECONDS,
  MAX_RATE_RUNS,
  NO_RULES,
  type FailureRate,
  type RunRules,
} from "./run-rules.ts";

/** A slow run is judged only against at least this many earlier runs. */
export const SLOW_MIN_HISTORY = 5;
export const DEFAULT_SLOW_WINDOW = 20;
export const MAX_SLOW_WINDOW = 1000;
export const MAX_RUN_SECONDS = 7 * 86_400;
export const MAX_THRESHOLD = 100;

/** The monitor fields of the API, as stored and shown (null: off). */
export interface RunLimitFields {
  maxRunSeconds: number | null;
  slowFactor: number | null;
  slowWindow: number;
  failureThreshold: number;
  recoveryThreshold: number;
  failureRate: FailureRate | null;
  minRunSeconds: number | null;
  minGapSeconds: number | null;
  reportUnexpectedRuns: boolean;
}

export const DEFAULT_RUN_LIMITS: RunLimitFields = {
  ...NO_RULES,
  maxRunSeconds: null,
  slowFactor: null,
  slowWindow: DEFAULT_SLOW_WINDOW,
  failureThreshold: 1,
  recoveryThreshold: 1,
};

export function transitionLimits(f: RunLimitFields): RunLimits {
  return {
    maxRunSeconds: f.maxRunSeconds,
    failureThreshold: f.failureThreshold,
    recoveryThreshold: f.recoveryThreshold,
    ...runRulesOf(f),
  };
}

export function runRulesOf(f: RunLimitFields): RunRules {
  return {
    failureRate: f.failureRate,
    minRunSeconds: f.minRunSeconds,
    minGapSeconds: f.minGapSeconds,
    reportUnexpectedRuns: f.reportUnexpectedRuns,
  };
}

/** The median of the values (the mean of the middle two for an even count); null for none. */
export function median(values: readonly number[]): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface SlowRun {
  durationMs: number;
  medianMs: number;
  factor: number;
  /** how many earlier runs the median is over */
  runs: number;
}

/**
 * Whether a run of `durationMs` is slow: longer than `factor` × the median of `previous` (the
 * durations of the monitor's earlier runs, newest first; only the first `window` count). Null
 * when the rule is off, the history is shorter than SLOW_MIN_HISTORY, or the run is not slow.
 */
export function slowRun(
  durationMs: number,
  previous: readonly number[],
  factor: number | null,
  window: number,
): SlowRun | null {
  if (factor === null) return null;
  const history = previous.slice(0, window);
  if (history.length < SLOW_MIN_HISTORY) return null;
  const m = median(history)!;
  return durationMs > factor * m ? { durationMs, medianMs: m, factor, runs: history.length } : null;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * Checks the run-limit fields of a create or update (absent fields are not checked); the
 * errors name the field. `current` is what an update starts from.
 */
export function checkRunLimits(p: Partial<Record<keyof RunLimitFields, unknown>>): FieldError[] {
  const errors: FieldError[] = [];
  const intIn = (field: keyof RunLimitFields, min: number, max: number, nullable: boolean) => {
    const v = p[field];
    if (v === undefined || (v === null && nullable)) return;
    if (!isInt(v) || v < min || v > max)
      errors.push({ field, message: `must be a whole number from ${min} to ${max}${nullable ? ", or null" : ""}` });
  };
  intIn("maxRunSeconds", 1, MAX_RUN_SECONDS, true);
  intIn("slowWindow", SLOW_MIN_HISTORY, MAX_SLOW_WINDOW, false);
  intIn("failureThreshold", 1, MAX_THRESHOLD, false);
  intIn("recoveryThreshold", 1, MAX_THRESHOLD, false);
  intIn("minRunSeconds", 1, MAX_MIN_RUN_SECONDS, true);
  intIn("minGapSeconds", 1, MAX_MIN_GAP_SECONDS, true);
  errors.push(...checkFailureRate(p.failureRate));
  const u = p.reportUnexpectedRuns;
  if (u !== undefined && typeof u !== "boolean")
    errors.push({ field: "reportUnexpectedRuns", message: "must be true or false" });
  const f = p.slowFactor;
  if (f !== undefined && f !== null && (typeof f !== "number" || !Number.isFinite(f) || f <= 1 || f > 1000)) {
    errors.push({ field: "slowFactor", message: "must be a number greater than 1 (at most 1000), or null" });
  }
  return errors;
}

/** failureRate: null (off) or {failures, runs}, 1 ≤ failures ≤ runs ≤ MAX_RATE_RUNS. */
function checkFailureRate(r: unknown): FieldError[] {
  if (r === undefined || r === null) return [];
  if (typeof r !== "object" || Array.isArray(r))
    return [{ field: "failureRate", message: "must be {failures, runs}, or null" }];
  const { failures, runs } = r as Record<string, unknown>;
  if (!isInt(runs) || runs < 1 || runs > MAX_RATE_RUNS)
    return [{ field: "failureRate.runs", message: `must be a whole number from 1 to ${MAX_RATE_RUNS}` }];
  if (!isInt(failures) || failures < 1 || failures > runs)
    return [{ field: "failureRate.failures", message: `must be a whole number from 1 to runs (${runs})` }];
  return [];
}
