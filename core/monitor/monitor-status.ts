// Status transitions: what a ping or a passing deadline does to a monitor. Pure; the
// ingest and checker services apply the result through conditional updates.

import { deadlinesAfterArm, deadlinesAfterPing, type Schedule } from "../schedule/schedule.ts";
import { brokenRule, NO_RULES, rateReached, recordOutcome, type BrokenRule, type RunRules } from "./run-rules.ts";

export const STATUSES = ["new", "up", "late", "down", "paused"] as const;
export type Status = (typeof STATUSES)[number];

export type FlipReason =
  | "ping"
  | "failure"
  | "late"
  | "no-ping"
  | "never-pinged"
  | "running-too-long"
  | "slow"
  | "paused"
  | "resumed"
  | BrokenRule
  /** down because the failure rate was reached, below the failure threshold */
  | "failure-rate";

/** The part of a monitor that transitions read and write. Times are epoch ms. */
export interface Tracked {
  status: Status;
  lateAt: number | null;
  downAt: number | null;
  lastPingAt: number | null;
  lastStartAt: number | null;
  /** a started run must finish by then (maxRunSeconds); null: no run is being timed */
  runDeadlineAt: number | null;
  /** consecutive failed or missed runs (failure reports, missed deadlines, runs that ran too long) */
  failures: number;
  /** consecutive successful runs */
  successes: number;
  /** the last runs' outcomes for the failure rate, "s" or "f" each, oldest first ("" without one) */
  outcomes: string;
}

/** A monitor's limits and rules on its runs. The defaults (NO_LIMITS) change nothing. */
export interface RunLimits extends RunRules {
  /** a /start with no finish within this many seconds is "running too long"; null: no limit */
  maxRunSeconds: number | null;
  /** consecutive failed or missed runs before the monitor goes down (≥ 1) */
  failureThreshold: number;
  /** consecutive successful runs before a down monitor comes back up (≥ 1) */
  recoveryThreshold: number;
}

export const NO_LIMITS: RunLimits = { maxRunSeconds: null, failureThreshold: 1, recoveryThreshold: 1, ...NO_RULES };

export interface FlipFacts {
  from: Status;
  to: Status;
  reason: FlipReason;
  /** when the missed ping was expected (deadline flips) */
  expectedAt: number | null;
}

/** What a ping reports about the job's run. */
export type Outcome = "success" | "failure" | "start" | "log";

export interface PingEffect {
  next: Tracked;
  flip: FlipFacts | null;
  /** run duration when a start preceded this finish */
  durationMs: number | null;
}

/**
 * A ping's effect. A start times the run (maxRunSeconds). A finish counts as one success or
 * one failure: a failure brings the monitor down only as the failureThreshold-th in a row, or
 * when it reaches the failure rate (below both the status stays, the deadlines move on as for
 * any finished run, and nobody is alerted); a success brings a down monitor up only as the
 * recoveryThreshold-th in a row, and the rate counts afresh from then on. A success that breaks
 * a run rule (too fast, too often, unexpected) is a failure report with that rule as reason.
 */
export function applyPing(
  state: Tracked,
  schedule: Schedule,
  outcome: Outcome,
  at: number,
  limits: RunLimits = NO_LIMITS,
): PingEffect {
  if (outcome === "log") return { next: state, flip: null, durationMs: null };
  if (outcome === "start") {
    const timed = limits.maxRunSeconds !== null && state.status !== "paused";
    return {
      next: { ...state, lastStartAt: at, runDeadlineAt: timed ? at + limits.maxRunSeconds! * 1000 : null },
      flip: null,
      durationMs: null,
    };
  }

  const durationMs = state.lastStartAt !== null && state.lastStartAt <= at ? at - state.lastStartAt : null;
  // A report that arrives after a newer one (two ingest replicas) must not move deadlines back.
  const lastPingAt = state.lastPingAt !== null && state.lastPingAt > at ? state.lastPingAt : at;
  const started = durationMs !== null ? state.lastStartAt : null;
  const broken =
    outcome === "success" && state.status !== "paused"
      ? brokenRule(limits, schedule, { at, durationMs, previousAt: state.lastPingAt, startedAt: started })
      : null;
  const success = outcome === "success" && broken === null;
  const counters = success
    ? { failures: 0, successes: state.successes + 1 }
    : { failures: state.failures + 1, successes: 0 };
  if (state.status === "paused") {
    return {
      next: { ...state, lastPingAt, lastStartAt: null, runDeadlineAt: null, ...counters },
      flip: null,
      durationMs,
    };
  }
  const d = deadlinesAfterPing(schedule, lastPingAt);
  let outcomes = recordOutcome(state.outcomes, success, limits.failureRate);
  let to: Status;
  let reason: FlipReason = success ? "ping" : (broken ?? "failure");
  if (success) to = state.status === "down" && counters.successes < limits.recoveryThreshold ? "down" : "up";
  else if (counters.failures >= limits.failureThreshold) to = "down";
  else if (rateReached(outcomes, limits.failureRate)) [to, reason] = ["down", "failure-rate"];
  else to = state.status;
  if (state.status === "down" && to === "up") outcomes = "";
  const next: Tracked = {
    status: to,
    lateAt: d.lateAt,
    downAt: d.downAt,
    lastPingAt,
    lastStartAt: null,
    runDeadlineAt: null,
    ...counters,
    outcomes,
  };
  const flip: FlipFacts | null = state.status === to ? null : { from: state.status, to, reason, expectedAt: null };
  return { next, flip, durationMs };
}

export interface DeadlineEffect {
  next: Tracked;
  /** at most one flip, from the state before to the state after, however many deadlines passed */
  flip: FlipFacts | null;
}

/** Runs counted as missed in one look at most: a monitor stopped for years is not replayed run by run. */
const MAX_MISSES_COUNTED = 1000;

/**
 * What the deadlines that passed by `now` do, or null when none did. Each passing deadline is
 * one failed run: a run that ran too long (runDeadlineAt) or a missed run (downAt). Below the
 * failureThreshold a missed run re-arms the deadlines for the next expected run (an up monitor
 * shows late meanwhile) and nobody is alerted; at the threshold the monitor goes down.
 */
export function deadlinePassed(
  state: Tracked,
  schedule: Schedule,
  limits: RunLimits,
  now: number,
): DeadlineEffect | null {
  if (state.status !== "new" && state.status !== "up" && state.status !== "late") return null;
  let next = state;
  let flip: FlipFacts | null = null;
  /**
   * One failed run; at the threshold the monitor goes down. `rearm` applies only below it: a
   * monitor that goes down keeps the deadline it missed (the API shows it, and the flip's
   * delay is measured from it), while one still up waits for the next run's.
   */
  const failed = (
    s: Tracked,
    why: FlipReason,
    expected: number | null,
    after: Partial<Tracked>,
    rearm: Partial<Tracked> = {},
  ): Tracked => {
    const failures = s.failures + 1;
    const outcomes = recordOutcome(s.outcomes, false, limits.failureRate);
    const byCount = failures >= limits.failureThreshold;
    if (!byCount && !rateReached(outcomes, limits.failureRate))
      return { ...s, ...after, ...rearm, failures, successes: 0, outcomes };
    flip = { from: state.status, to: "down", reason: byCount ? why : "failure-rate", expectedAt: expected };
    return { ...s, ...after, failures, successes: 0, outcomes, status: "down" };
  };
  if (next.runDeadlineAt !== null && now >= next.runDeadlineAt) {
    // lastStartAt stays: a finish that comes later still reports the run's full duration.
    next = failed(next, "running-too-long", next.runDeadlineAt, { runDeadlineAt: null });
  }
  for (let i = 0; i < MAX_MISSES_COUNTED && next.status !== "down" && next.downAt !== null && now >= next.downAt; i++) {
    const expected = next.lateAt;
    const d = deadlinesAfterPing(schedule, expected ?? next.downAt);
    next = failed(
      next,
      next.status === "new" ? "never-pinged" : "no-ping",
      expected,
      {},
      { lateAt: d.lateAt, downAt: d.downAt },
    );
    if (next.status === "up") {
      next = { ...next, status: "late" };
      flip = { from: state.status, to: "late", reason: "late", expectedAt: expected };
    }
  }
  if (next.status === "up" && next.lateAt !== null && now >= next.lateAt) {
    flip = { from: state.status, to: "late", reason: "late", expectedAt: next.lateAt };
    next = { ...next, status: "late" };
  }
  if (next === state) return null;
  return { next, flip: next.status === state.status ? null : flip };
}

/** When the checker must look at this monitor next, or null when no deadline can flip it. */
export function nextWake(state: Pick<Tracked, "status" | "lateAt" | "downAt" | "runDeadlineAt">): number | null {
  let wake: number | null;
  switch (state.status) {
    case "new":
    case "late":
      wake = state.downAt;
      break;
    case "up":
      wake =
        state.lateAt !== null && state.downAt !== null && state.lateAt < state.downAt ? state.lateAt : state.downAt;
      break;
    default:
      return null;
  }
  const run = state.runDeadlineAt;
  return run !== null && (wake === null || run < wake) ? run : wake;
}

/** Which flips people hear about: going down, and coming back up from down. */
export function isAlerted(flip: Pick<FlipFacts, "from" | "to">): boolean {
  return flip.to === "down" || (flip.from === "down" && flip.to === "up");
}

export function pause(state: Tracked): { next: Tracked; flip: FlipFacts | null } {
  if (state.status === "paused") return { next: state, flip: null };
  return {
    next: { ...state, status: "paused", lateAt: null, downAt: null, runDeadlineAt: null },
    flip: { from: state.status, to: "paused", reason: "paused", expectedAt: null },
  };
}

/** Resuming re-arms the monitor as new: it must ping before its first deadline from now. */
export function resume(state: Tracked, schedule: Schedule, now: number): { next: Tracked; flip: FlipFacts | null } {
  if (state.status !== "paused") return { next: state, flip: null };
  const d = deadlinesAfterArm(schedule, now);
  return {
    next: {
      ...state,
      status: "new",
      lateAt: d.lateAt,
      downAt: d.downAt,
      runDeadlineAt: null,
      failures: 0,
      successes: 0,
      outcomes: "",
    },
    flip: { from: "paused", to: "new", reason: "resumed", expectedAt: null },
  };
}

/** Deadlines after the schedule itself changed: counted from the last ping, or from arming. */
export function rescheduled(state: Tracked, schedule: Schedule, armedAt: number): Tracked {
  if (state.status === "paused") return state;
  const d =
    state.lastPingAt !== null && state.status !== "new"
      ? deadlinesAfterPing(schedule, state.lastPingAt)
      : deadlinesAfterArm(schedule, armedAt);
  return { ...state, lateAt: d.lateAt, downAt: d.downAt };
}
