import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyPing,
  deadlinePassed,
  nextWake,
  isAlerted,
  pause,
  resume,
  rescheduled,
  NO_LIMITS,
  type Tracked,
} from "../../core/monitor/monitor-status.ts";
import type { Schedule } from "../../core/schedule/schedule.ts";

import { every10, fresh, s } from "../support/tracked.ts";
/** The flip the deadlines passed by `now` cause, with no thresholds. */
const deadlineFlip = (state: Tracked, now: number) => deadlinePassed(state, every10, NO_LIMITS, now)?.flip ?? null;

test("a success ping on a new monitor flips it up and sets the next deadlines", () => {
  const e = applyPing(fresh, every10, "success", s(3));
  assert.deepEqual(e.flip, { from: "new", to: "up", reason: "ping", expectedAt: null });
  assert.deepEqual(e.next, {
    status: "up",
    lateAt: s(13),
    downAt: s(18),
    lastPingAt: s(3),
    lastStartAt: null,
    runDeadlineAt: null,
    failures: 0,
    successes: 1,
    outcomes: "",
  });
});

test("a success ping on an up monitor moves the deadlines without a flip", () => {
  const up = applyPing(fresh, every10, "success", s(3)).next;
  const e = applyPing(up, every10, "success", s(9));
  assert.equal(e.flip, null);
  assert.equal(e.next.downAt, s(24));
});

test("a failure report flips to down at once and a later success recovers", () => {
  const up = applyPing(fresh, every10, "success", s(1)).next;
  const failed = applyPing(up, every10, "failure", s(2));
  assert.deepEqual(failed.flip, { from: "up", to: "down", reason: "failure", expectedAt: null });
  assert.equal(failed.next.status, "down");
  assert.equal(
    applyPing(failed.next, every10, "failure", s(3)).flip,
    null,
    "a second failure while down is no new flip",
  );
  const back = applyPing(failed.next, every10, "success", s(4));
  assert.deepEqual(back.flip, { from: "down", to: "up", reason: "ping", expectedAt: null });
});

test("start then finish records the run's duration; log changes nothing", () => {
  const started = applyPing(fresh, every10, "start", s(1));
  assert.equal(started.flip, null);
  assert.equal(started.next.status, "new");
  assert.equal(started.next.lastStartAt, s(1));
  const done = applyPing(started.next, every10, "success", s(4));
  assert.equal(done.durationMs, 3000);
  assert.equal(done.next.lastStartAt, null);
  const logged = applyPing(done.next, every10, "log", s(5));
  assert.deepEqual(logged.next, done.next);
  assert.equal(logged.flip, null);
});

test("an older report arriving after a newer one never moves the deadlines back", () => {
  const up = applyPing(fresh, every10, "success", s(8)).next;
  const e = applyPing(up, every10, "success", s(2));
  assert.equal(e.next.lastPingAt, s(8));
  assert.equal(e.next.downAt, s(23));
});

test("a paused monitor stores pings but stays paused without deadlines", () => {
  const paused = pause(applyPing(fresh, every10, "success", s(1)).next);
  assert.deepEqual(paused.flip, { from: "up", to: "paused", reason: "paused", expectedAt: null });
  const e = applyPing(paused.next, every10, "failure", s(2));
  assert.equal(e.flip, null);
  assert.equal(e.next.status, "paused");
  assert.equal(e.next.downAt, null);
  assert.equal(nextWake(e.next), null);
  assert.equal(pause(paused.next).flip, null, "pausing twice is no flip");
});

test("resume re-arms the monitor as new, counted from the resume", () => {
  const paused = pause(fresh).next;
  const r = resume(paused, every10, s(100));
  assert.deepEqual(r.flip, { from: "paused", to: "new", reason: "resumed", expectedAt: null });
  assert.deepEqual([r.next.status, r.next.lateAt, r.next.downAt], ["new", s(110), s(115)]);
  assert.equal(resume(fresh, every10, s(1)).flip, null, "resuming a running monitor is no flip");
});

test("deadlines: up goes late at the due time, then down after the grace", () => {
  const up = applyPing(fresh, every10, "success", s(0)).next;
  assert.equal(deadlineFlip(up, s(9.999)), null);
  assert.deepEqual(deadlineFlip(up, s(10)), { from: "up", to: "late", reason: "late", expectedAt: s(10) });
  const late = { ...up, status: "late" as const };
  assert.equal(deadlineFlip(late, s(14.999)), null);
  assert.deepEqual(deadlineFlip(late, s(15)), { from: "late", to: "down", reason: "no-ping", expectedAt: s(10) });
});

test("deadlines: many missed periods at once give one flip straight to down", () => {
  const up = applyPing(fresh, every10, "success", s(0)).next;
  assert.deepEqual(deadlineFlip(up, s(3600)), { from: "up", to: "down", reason: "no-ping", expectedAt: s(10) });
});

test("deadlines: a monitor that never pinged goes down as never-pinged, with no late step", () => {
  assert.equal(deadlineFlip(fresh, s(12)), null);
  assert.deepEqual(deadlineFlip(fresh, s(15)), { from: "new", to: "down", reason: "never-pinged", expectedAt: s(10) });
});

test("down and paused monitors have no deadline to flip on", () => {
  const down: Tracked = { ...fresh, status: "down" };
  assert.equal(deadlineFlip(down, s(1e6)), null);
  assert.equal(nextWake(down), null);
});

test("nextWake: the late time for up monitors, the down time for new and late", () => {
  const up = applyPing(fresh, every10, "success", s(0)).next;
  assert.equal(nextWake(up), s(10));
  assert.equal(nextWake({ ...up, status: "late" }), s(15));
  assert.equal(nextWake(fresh), s(15));
});

test("only going down and recovering from down are alerted", () => {
  assert.equal(isAlerted({ from: "up", to: "down" }), true);
  assert.equal(isAlerted({ from: "new", to: "down" }), true);
  assert.equal(isAlerted({ from: "down", to: "up" }), true);
  assert.equal(isAlerted({ from: "late", to: "up" }), false);
  assert.equal(isAlerted({ from: "up", to: "late" }), false);
  assert.equal(isAlerted({ from: "new", to: "up" }), false);
  assert.equal(isAlerted({ from: "up", to: "paused" }), false);
});

test("a schedule change counts from the last ping, or from arming when never pinged", () => {
  const every60: Schedule = { kind: "interval", periodSeconds: 60, graceSeconds: 0 };
  const up = applyPing(fresh, every10, "success", s(5)).next;
  assert.deepEqual([rescheduled(up, every60, s(0)).lateAt, rescheduled(up, every60, s(0)).downAt], [s(65), s(65)]);
  assert.equal(rescheduled(fresh, every60, s(1)).downAt, s(61));
});

test("a monitor that goes down for a missed deadline keeps that deadline (the API shows it; delays are measured from it)", () => {
  const up = applyPing(fresh, every10, "success", s(1)).next;
  const late = deadlinePassed(up, every10, NO_LIMITS, s(12))!.next;
  const down = deadlinePassed(late, every10, NO_LIMITS, s(17))!;
  assert.equal(down.next.status, "down");
  assert.equal(down.next.downAt, s(16));
  assert.equal(down.next.lateAt, s(11));
  assert.equal(nextWake(down.next), null);
});
