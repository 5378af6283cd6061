import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyPing,
  deadlinePassed,
  nextWake,
  pause,
  resume,
  type Outcome,
  type RunLimits,
  type Tracked,
} from "../../core/monitor/monitor-status.ts";
import { checkRunLimits, median, slowRun } from "../../core/monitor/run-limits.ts";
import { NO_RULES } from "../../core/monitor/run-rules.ts";
import type { Schedule } from "../../core/schedule/schedule.ts";
import type { Clock } from "../../core/checker/clock.ts";

import { every10, fresh, s } from "../support/tracked.ts";
const limits = (l: Partial<RunLimits>): RunLimits => ({
  maxRunSeconds: null,
  failureThreshold: 1,
  recoveryThreshold: 1,
  ...NO_RULES,
  ...l,
});

/** A fake clock the sequences below advance by hand. */
function manualClock(start: number): Clock & { at: (n: number) => number } {
  let now = start;
  return { now: () => now, at: (n: number) => (now = s(n)) };
}

/** Applies outcomes one second apart from `from`; returns the statuses after each and the flips. */
function run(state: Tracked, outcomes: Outcome[], l: RunLimits, clock = manualClock(s(0))) {
  const statuses: string[] = [];
  const flips: string[] = [];
  outcomes.forEach((o, i) => {
    const e = applyPing(state, every10, o, clock.at(i + 1), l);
    state = e.next;
    statuses.push(state.status);
    if (e.flip) flips.push(`${e.flip.from}->${e.flip.to}:${e.flip.reason}@${i + 1}`);
  });
  return { state, statuses, flips };
}

test("median: odd and even counts, unsorted input, none", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([7]), 7);
  assert.equal(median([]), null);
});

test("slowRun: longer than factor × the median of the window, with at least 5 earlier runs", () => {
  const hist = [100, 110, 90, 105, 95];
  assert.deepEqual(slowRun(1000, hist, 2, 20), { durationMs: 1000, medianMs: 100, factor: 2, runs: 5 });
  assert.equal(slowRun(200, hist, 2, 20), null, "exactly 2× is not slow");
  assert.equal(slowRun(201, hist, 2, 20)?.medianMs, 100);
  assert.equal(slowRun(1000, hist.slice(0, 4), 2, 20), null, "4 earlier runs are too few to judge");
  assert.equal(slowRun(1000, hist, null, 20), null, "off without a factor");
  // Only the newest `window` runs count: the old long runs fall out of it.
  assert.equal(slowRun(1000, [100, 100, 100, 100, 100, 5000, 5000, 5000, 5000, 5000, 5000], 2, 5)?.medianMs, 100);
  assert.equal(slowRun(1000, [100, 100, 100, 100, 100, 5000, 5000, 5000, 5000, 5000, 5000], 2, 11), null);
});

test("checkRunLimits names each bad field", () => {
  const fields = (p: Record<string, unknown>) => checkRunLimits(p).map((e) => e.field);
  assert.deepEqual(
    fields({ maxRunSeconds: 0, slowFactor: 1, slowWindow: 4, failureThreshold: 0, recoveryThreshold: 1.5 }),
    ["maxRunSeconds", "slowWindow", "failureThreshold", "recoveryThreshold", "slowFactor"],
  );
  assert.deepEqual(fields({ maxRunSeconds: -5 }), ["maxRunSeconds"]);
  assert.deepEqual(fields({ slowFactor: 0.5 }), ["slowFactor"]);
  assert.deepEqual(fields({ slowFactor: "2" }), ["slowFactor"]);
  assert.deepEqual(fields({ failureThreshold: null }), ["failureThreshold"], "thresholds cannot be null");
  assert.deepEqual(
    fields({ maxRunSeconds: null, slowFactor: null, slowWindow: 20, failureThreshold: 3, recoveryThreshold: 2 }),
    [],
  );
  assert.deepEqual(fields({ slowFactor: 1.5, maxRunSeconds: 3600 }), []);
  assert.deepEqual(fields({}), []);
});

test("failureThreshold 3: F,S,F,F,F goes down only at the third failure in a row", () => {
  const { statuses, flips, state } = run(
    fresh,
    ["failure", "success", "failure", "failure", "failure"],
    limits({ failureThreshold: 3 }),
  );
  assert.deepEqual(statuses, ["new", "up", "up", "up", "down"]);
  assert.deepEqual(flips, ["new->up:ping@2", "up->down:failure@5"]);
  assert.equal(state.failures, 3);
  assert.equal(state.successes, 0);
});

test("failureThreshold 1 (the default) keeps the old rule: the first failure is down", () => {
  const { statuses } = run(fresh, ["success", "failure"], limits({}));
  assert.deepEqual(statuses, ["up", "down"]);
});

test("a failure below the threshold moves the deadlines on like any finished run", () => {
  const up = applyPing(fresh, every10, "success", s(1), limits({ failureThreshold: 2 })).next;
  const e = applyPing(up, every10, "failure", s(8), limits({ failureThreshold: 2 }));
  assert.equal(e.flip, null);
  assert.deepEqual([e.next.status, e.next.lateAt, e.next.downAt, e.next.failures], ["up", s(18), s(23), 1]);
});

test("recoveryThreshold 2: a down monitor comes up only after two successes in a row", () => {
  const l = limits({ recoveryThreshold: 2 });
  const { statuses, flips } = run(
    fresh,
    ["success", "failure", "success", "failure", "success", "success", "success"],
    l,
  );
  assert.deepEqual(statuses, ["up", "down", "down", "down", "down", "up", "up"]);
  assert.deepEqual(flips, ["new->up:ping@1", "up->down:failure@2", "down->up:ping@6"]);
  // A new or late monitor needs no streak: only a down one does.
  assert.equal(applyPing(fresh, every10, "success", s(1), l).next.status, "up");
});

test("missed deadlines count as failed runs: below the threshold the deadlines re-arm, down at the third miss", () => {
  const l = limits({ failureThreshold: 3 });
  const clock = manualClock(s(0));
  let st = applyPing(fresh, every10, "success", clock.at(0), l).next; // late at 10, down at 15
  const seen: string[] = [];
  for (const n of [10, 15, 20, 25, 30, 35]) {
    const e = deadlinePassed(st, every10, l, clock.at(n));
    if (!e) {
      seen.push(`${n}:-`);
      continue;
    }
    st = e.next;
    seen.push(`${n}:${st.status}/${st.failures}${e.flip ? `/${e.flip.from}->${e.flip.to}:${e.flip.reason}` : ""}`);
  }
  assert.deepEqual(seen, [
    "10:late/0/up->late:late",
    "15:late/1",
    "20:-",
    "25:late/2",
    "30:-",
    "35:down/3/late->down:no-ping",
  ]);
  assert.equal(nextWake(st), null);
});

test("a long outage is counted once per missed run and still gives one flip straight to down", () => {
  const l = limits({ failureThreshold: 3 });
  const up = applyPing(fresh, every10, "success", s(0), l).next;
  const e = deadlinePassed(up, every10, l, s(3600))!;
  assert.deepEqual(e.flip, { from: "up", to: "down", reason: "no-ping", expectedAt: s(30) });
  assert.equal(e.next.failures, 3);
  // Below the threshold the deadlines are re-armed past now, so nothing is due again at once.
  const two = deadlinePassed(up, every10, limits({ failureThreshold: 1000 }), s(3600))!;
  assert.equal(two.next.status, "late");
  assert.ok(two.next.downAt! > s(3600));
  assert.equal(deadlinePassed(two.next, every10, limits({ failureThreshold: 1000 }), s(3600)), null);
});

test("a success after missed runs resets the count", () => {
  const l = limits({ failureThreshold: 3 });
  let st = applyPing(fresh, every10, "success", s(0), l).next;
  st = deadlinePassed(st, every10, l, s(15))!.next;
  assert.equal(st.failures, 1);
  const back = applyPing(st, every10, "success", s(16), l);
  assert.deepEqual([back.next.status, back.next.failures, back.flip?.reason], ["up", 0, "ping"]);
});

test("never-pinged counts too: a new monitor with threshold 2 goes down at its second missed deadline", () => {
  const l = limits({ failureThreshold: 2 });
  const first = deadlinePassed(fresh, every10, l, s(15))!;
  assert.deepEqual([first.next.status, first.flip], ["new", null]);
  const second = deadlinePassed(first.next, every10, l, s(25))!;
  assert.deepEqual(second.flip, { from: "new", to: "down", reason: "never-pinged", expectedAt: s(20) });
});

test("cron: a missed run re-arms at the next scheduled time", () => {
  const cron: Schedule = {
    kind: "cron",
    dialect: "cron",
    expression: "0 * * * *",
    timezone: "Asia/Shanghai",
    graceSeconds: 300,
    deadline: "grace",
  };
  const l = limits({ failureThreshold: 2 });
  const up = applyPing(fresh, cron, "success", Date.parse("2026-11-24T12:00:30Z"), l).next;
  assert.equal(up.lateAt, Date.parse("2026-11-24T13:00:00Z"));
  const e = deadlinePassed(up, cron, l, Date.parse("2026-11-24T13:05:00Z"))!;
  assert.deepEqual(
    [e.next.status, e.next.lateAt, e.next.downAt],
    ["late", Date.parse("2026-11-24T14:00:00Z"), Date.parse("2026-11-24T14:05:00Z")],
  );
});

test("maxRunSeconds: a start with no finish in time is down as running-too-long; the finish then recovers", () => {
  const l = limits({ maxRunSeconds: 2 });
  const up = applyPing(fresh, every10, "success", s(0), l).next;
  const started = applyPing(up, every10, "start", s(1), l).next;
  assert.equal(started.runDeadlineAt, s(3));
  assert.equal(nextWake(started), s(3), "the run deadline comes before the late time");
  assert.equal(deadlinePassed(started, every10, l, s(2.999)), null);
  const hung = deadlinePassed(started, every10, l, s(3))!;
  assert.deepEqual(hung.flip, { from: "up", to: "down", reason: "running-too-long", expectedAt: s(3) });
  assert.equal(hung.next.runDeadlineAt, null);
  assert.equal(hung.next.lastStartAt, s(1), "the run is still timed from its start");
  const done = applyPing(hung.next, every10, "success", s(6), l);
  assert.deepEqual(done.flip, { from: "down", to: "up", reason: "ping", expectedAt: null });
  assert.equal(done.durationMs, 5000);
});

test("maxRunSeconds: a finish in time clears the run deadline; no limit, no deadline", () => {
  const l = limits({ maxRunSeconds: 2 });
  const started = applyPing(fresh, every10, "start", s(1), l).next;
  const done = applyPing(started, every10, "success", s(2), l).next;
  assert.equal(done.runDeadlineAt, null);
  assert.equal(nextWake(done), s(12));
  assert.equal(applyPing(fresh, every10, "start", s(1), limits({})).next.runDeadlineAt, null);
  const failedStart = applyPing(fresh, every10, "start", s(1), l).next;
  assert.equal(
    applyPing(failedStart, every10, "failure", s(2), l).next.runDeadlineAt,
    null,
    "a failure report ends the run too",
  );
});

test("maxRunSeconds with failureThreshold 2: one run too long is counted, not alerted", () => {
  const l = limits({ maxRunSeconds: 2, failureThreshold: 2 });
  const up = applyPing(fresh, every10, "success", s(0), l).next;
  const started = applyPing(up, every10, "start", s(1), l).next;
  const hung = deadlinePassed(started, every10, l, s(3))!;
  assert.deepEqual([hung.next.status, hung.flip, hung.next.failures, hung.next.runDeadlineAt], ["up", null, 1, null]);
  assert.equal(nextWake(hung.next), s(10));
});

test("pausing forgets the run being timed, resuming clears the counts", () => {
  const l = limits({ maxRunSeconds: 2, failureThreshold: 3 });
  const started = applyPing({ ...fresh, status: "up", failures: 2 }, every10, "start", s(1), l).next;
  const paused = pause(started).next;
  assert.equal(paused.runDeadlineAt, null);
  const resumed = resume(paused, every10, s(5)).next;
  assert.deepEqual([resumed.failures, resumed.successes, resumed.runDeadlineAt], [0, 0, null]);
});
