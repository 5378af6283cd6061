import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyPing,
  deadlinePassed,
  NO_LIMITS,
  type Outcome,
  type RunLimits,
  type Tracked,
} from "../../core/monitor/monitor-status.ts";
import { checkRunLimits } from "../../core/monitor/run-limits.ts";
import { brokenRule, failedRuns, isScheduledRun, rateReached, recordOutcome } from "../../core/monitor/run-rules.ts";
import type { Schedule } from "../../core/schedule/schedule.ts";

import { every10, fresh, s } from "../support/tracked.ts";
const limits = (l: Partial<RunLimits>): RunLimits => ({ ...NO_LIMITS, ...l });

/** Applies the pings in order, one every 2 s from s(1); the flips they cause, as "reason:to". */
function run(outcomes: Outcome[], l: RunLimits, from: Tracked = fresh) {
  let state = from;
  const flips: string[] = [];
  outcomes.forEach((o, i) => {
    const e = applyPing(state, every10, o, s(1 + 2 * i), l);
    if (e.flip) flips.push(`${e.flip.reason}:${e.flip.to}`);
    state = e.next;
  });
  return { state, flips };
}

test("outcomes keep one letter a run, only as many as the rate counts, and none without a rate", () => {
  const rate = { failures: 2, runs: 3 };
  assert.equal(recordOutcome("", true, rate), "s");
  assert.equal(recordOutcome("sfs", false, rate), "fsf");
  assert.equal(recordOutcome("sfs", false, null), "");
  assert.equal(failedRuns("ffsfs", rate), 1, "only the last three count");
  assert.equal(rateReached("sff", rate), true);
  assert.equal(rateReached("fsf", { failures: 3, runs: 3 }), false);
  assert.equal(rateReached("fff", null), false);
});

test("failure rate {3, 5}: the third failure in five runs brings the monitor down, never three in a row", () => {
  const l = limits({ failureThreshold: 3, failureRate: { failures: 3, runs: 5 } });
  const { state, flips } = run(["success", "failure", "success", "failure", "success", "failure"], l);
  assert.deepEqual(flips, ["ping:up", "failure-rate:down"]);
  assert.equal(state.status, "down");
  assert.equal(state.outcomes, "fsfsf");
  assert.equal(state.failures, 1, "never more than one in a row");
});

test("failure rate: spread failures beyond the window do not trip it", () => {
  const l = limits({ failureThreshold: 5, failureRate: { failures: 3, runs: 5 } });
  const { state, flips } = run(
    ["failure", "success", "success", "success", "failure", "success", "success", "failure"],
    l,
  );
  assert.deepEqual(flips, ["ping:up"]);
  assert.equal(state.status, "up");
  assert.equal(state.outcomes, "sfssf");
});

test("failure rate: recovery by recoveryThreshold as today, then the rate counts afresh", () => {
  const l = limits({ failureThreshold: 3, recoveryThreshold: 2, failureRate: { failures: 2, runs: 4 } });
  const down = run(["failure", "failure"], l).state;
  assert.equal(down.status, "down");
  const { state, flips } = run(["success", "success", "failure"], l, down);
  assert.deepEqual(flips, ["ping:up"]);
  assert.equal(state.status, "up", "one failure after the recovery is not the rate");
  assert.equal(state.outcomes, "f");
});

test("failure rate counts missed runs and runs that ran too long (the checker's side)", () => {
  const l = limits({ failureThreshold: 5, failureRate: { failures: 2, runs: 3 }, maxRunSeconds: 3 });
  const up = run(["success"], l).state;
  const missed = deadlinePassed(up, every10, l, up.downAt!)!;
  assert.equal(missed.next.status, "late");
  assert.equal(missed.next.outcomes, "sf");
  const started = applyPing(missed.next, every10, "start", s(20), l).next;
  const tooLong = deadlinePassed(started, every10, l, s(24))!;
  assert.deepEqual(tooLong.flip, { from: "late", to: "down", reason: "failure-rate", expectedAt: s(23) });
  assert.equal(tooLong.next.outcomes, "sff");
});

test("a failure rate tripped at the failure threshold keeps the run's own reason", () => {
  const l = limits({ failureThreshold: 2, failureRate: { failures: 2, runs: 5 } });
  assert.deepEqual(run(["failure", "failure"], l).flips, ["failure:down"]);
});

test("minRunSeconds: a timed successful run shorter than it is a too-fast failure report", () => {
  const l = limits({ minRunSeconds: 5 });
  const up = run(["success"], l).state;
  const started = applyPing(up, every10, "start", s(10), l).next;
  const e = applyPing(started, every10, "success", s(11), l);
  assert.deepEqual(e.flip, { from: "up", to: "down", reason: "too-fast", expectedAt: null });
  assert.equal(e.durationMs, 1000);
  assert.equal(e.next.failures, 1);
  const slowEnough = applyPing(started, every10, "success", s(15), l);
  assert.equal(slowEnough.flip, null, "exactly the minimum is fine");
  assert.equal(applyPing(up, every10, "success", s(11), l).flip, null, "an untimed ping is not judged");
});

test("minRunSeconds below the failure threshold changes no status and alerts nobody", () => {
  const l = limits({ minRunSeconds: 5, failureThreshold: 2 });
  const up = run(["success"], l).state;
  const started = applyPing(up, every10, "start", s(10), l).next;
  const e = applyPing(started, every10, "success", s(11), l);
  assert.equal(e.flip, null);
  assert.equal(e.next.status, "up");
  assert.equal(e.next.failures, 1);
});

test("minGapSeconds: a success sooner than it after the previous run is a too-often failure report", () => {
  const l = limits({ minGapSeconds: 10 });
  const { state, flips } = run(["success", "success"], l);
  assert.deepEqual(flips, ["ping:up", "too-often:down"]);
  assert.equal(state.status, "down");
  const later = applyPing(run(["success"], l).state, every10, "success", s(11), l);
  assert.equal(later.flip, null, "ten seconds later is fine");
  assert.deepEqual(run(["success", "failure"], limits({ minGapSeconds: 10 })).flips, ["ping:up", "failure:down"]);
});

test("a paused monitor judges no run rule", () => {
  const l = limits({ minGapSeconds: 10 });
  const paused = { ...run(["success"], l).state, status: "paused" as const };
  const e = applyPing(paused, every10, "success", s(2), l);
  assert.equal(e.flip, null);
  assert.equal(e.next.failures, 0);
});

const nightly: Schedule = {
  kind: "cron",
  expression: "0 3 * * *",
  timezone: "Europe/Berlin",
  dialect: "cron",
  graceSeconds: 600,
  deadline: "grace",
};
const at3 = Date.parse("2026-11-24T02:00:00Z"); // 03:00 in Berlin

test("isScheduledRun: within the grace after a scheduled time, or a minute before it", () => {
  assert.equal(isScheduledRun(nightly, at3 + 5 * 60_000), true);
  assert.equal(isScheduledRun(nightly, at3 + 600_000), true, "the grace's last moment");
  assert.equal(isScheduledRun(nightly, at3 + 600_001), false);
  assert.equal(isScheduledRun(nightly, at3 - 30_000), true, "a clock running fast");
  assert.equal(isScheduledRun(nightly, at3 - 5 * 60_000), false);
  assert.equal(isScheduledRun(nightly, at3 + 11 * 3600_000), false, "14:00 is no run of 03:00");
  const eod = { ...nightly, deadline: "end-of-day" as const };
  assert.equal(isScheduledRun(eod, at3 + 11 * 3600_000), true, "the same day, with an end-of-day deadline");
  assert.equal(isScheduledRun(eod, at3 - 3600_000), false, "02:00, before the day's run");
  const minutely = { ...nightly, expression: "* * * * *", graceSeconds: 30 };
  assert.equal(isScheduledRun(minutely, at3 + 7 * 3600_000 + 29_000), true);
  assert.equal(isScheduledRun({ ...minutely, expression: "*/10 * * * *" }, at3 + 5 * 60_000), false);
  assert.equal(isScheduledRun({ ...minutely, deadline: "end-of-day" }, at3 + 7 * 3600_000 + 59_000), true);
  const cal: Schedule = {
    kind: "oncalendar",
    expressions: ["*-*-* 03:00"],
    timezone: "Europe/Berlin",
    graceSeconds: 60,
    deadline: "grace",
  };
  assert.equal(isScheduledRun(cal, at3 + 30_000), true);
  assert.equal(isScheduledRun(cal, at3 + 3600_000), false);
});

test("reportUnexpectedRuns: a cron monitor's run at no scheduled time is an unexpected-run failure report", () => {
  const l = limits({ reportUnexpectedRuns: true });
  const up: Tracked = { ...fresh, status: "up", lastPingAt: at3 + 60_000 };
  const e = applyPing(up, nightly, "success", at3 + 11 * 3600_000, l);
  assert.deepEqual(e.flip, { from: "up", to: "down", reason: "unexpected-run", expectedAt: null });
  assert.equal(applyPing(up, nightly, "success", at3 + 86_400_000 + 60_000, l).flip, null, "the next night's run");
  assert.equal(applyPing(up, nightly, "success", at3 + 11 * 3600_000, NO_LIMITS).flip, null, "off by default");
  // A timed run is placed at its start: a long run that started on time is expected.
  const started = applyPing(up, nightly, "start", at3 + 86_400_000 + 10_000, l).next;
  assert.equal(applyPing(started, nightly, "success", at3 + 86_400_000 + 3600_000, l).flip, null);
  assert.equal(
    brokenRule({ ...l, failureRate: null, minRunSeconds: null, minGapSeconds: null }, every10, {
      at: s(3),
      durationMs: null,
      previousAt: null,
      startedAt: null,
    }),
    null,
    "interval monitors have no scheduled times",
  );
});

test("checkRunLimits names the run rule fields it refuses", () => {
  const fields = (p: Record<string, unknown>) => checkRunLimits(p).map((e) => e.field);
  assert.deepEqual(fields({ failureRate: { failures: 3, runs: 5 }, minRunSeconds: 60, minGapSeconds: 10 }), []);
  assert.deepEqual(
    fields({ failureRate: null, minRunSeconds: null, minGapSeconds: null, reportUnexpectedRuns: false }),
    [],
  );
  assert.deepEqual(fields({ failureRate: { failures: 6, runs: 5 } }), ["failureRate.failures"]);
  assert.deepEqual(fields({ failureRate: { failures: 1, runs: 101 } }), ["failureRate.runs"]);
  assert.deepEqual(fields({ failureRate: 3 }), ["failureRate"]);
  assert.deepEqual(fields({ minRunSeconds: 0, minGapSeconds: 1.5, reportUnexpectedRuns: "yes" }), [
    "minRunSeconds",
    "minGapSeconds",
    "reportUnexpectedRuns",
  ]);
});
