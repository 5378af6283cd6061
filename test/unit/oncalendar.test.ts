// systemd calendar events against systemd's own answers: every line of oncalendar.jsonl (computed
// by `systemd-analyze calendar`, systemd 252), plus the grammar and its refusals.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { scheduleVectors } from "../support/schedule-vectors.ts";
import {
  CalendarSyntaxError,
  compileOnCalendar,
  firstCalendarWall,
  nextCalendarRun,
} from "../../core/schedule/oncalendar.ts";

const iso = (ms: number) => (Number.isNaN(ms) ? "NaN" : new Date(ms).toISOString());
const runs = (exprs: string[], zone: string, from: string, n: number): string[] => {
  const cal = compileOnCalendar(exprs);
  const out: string[] = [];
  for (let t = Date.parse(from), i = 0; i < n; i++) out.push(iso((t = nextCalendarRun(cal, zone, t))));
  return out;
};

describe("OnCalendar agrees with systemd-analyze", () => {
  it("every line of oncalendar.jsonl", () => {
    const set = scheduleVectors("oncalendar");
    assert.ok(set.length >= 500);
    const bad: string[] = [];
    for (const v of set) {
      const cal = compileOnCalendar([v.expr]);
      const got: number[] = [];
      for (let t = v.from, i = 0; i < v.runs.length; i++) got.push((t = nextCalendarRun(cal, v.zone, t)));
      if (got.join() !== v.runs.join())
        bad.push(
          `"${v.expr}" ${v.zone} from ${iso(v.from)}: want ${v.runs.map(iso).join(" ")}, got ${got.map(iso).join(" ")}`,
        );
    }
    assert.equal(bad.length, 0, bad.slice(0, 5).join("\n"));
  });

  // Recorded from `systemd-analyze calendar --iterations=N --base-time=@… 'EXPR ZONE'` on Debian 12.
  it("a spring-forward skips the times in the gap; a fall-back runs a repeated time once", () => {
    assert.deepEqual(runs(["*-*-* 02:30:00"], "Europe/Berlin", "2026-03-28T12:00:00Z", 2), [
      "2026-03-30T00:30:00.000Z",
      "2026-03-31T00:30:00.000Z",
    ]);
    assert.deepEqual(runs(["*-*-* 02,03:15:00"], "Europe/Berlin", "2026-03-28T23:00:00Z", 3), [
      "2026-03-29T01:15:00.000Z",
      "2026-03-30T00:15:00.000Z",
      "2026-03-30T01:15:00.000Z",
    ]);
    assert.deepEqual(runs(["*-*-* 02:00/20:00"], "Europe/Berlin", "2026-10-24T23:50:00Z", 4), [
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T00:20:00.000Z",
      "2026-10-25T00:40:00.000Z",
      "2026-10-26T01:00:00.000Z",
    ]);
    // searching from inside the second pass runs the rest of that pass
    assert.deepEqual(runs(["*-*-* *:30:00"], "Europe/Berlin", "2026-10-25T01:10:00Z", 2), [
      "2026-10-25T01:30:00.000Z",
      "2026-10-25T02:30:00.000Z",
    ]);
    assert.deepEqual(runs(["*-*-* 00:00:00"], "America/Santiago", "2026-09-05T00:00:00Z", 2), [
      "2026-09-05T04:00:00.000Z",
      "2026-09-07T03:00:00.000Z",
    ]);
  });

  it("several events: the earliest wins, a time two events share runs once", () => {
    assert.deepEqual(runs(["Mon..Fri 09:00", "Sat 10:00", "Fri 09:00"], "UTC", "2026-06-04T12:00:00Z", 4), [
      "2026-06-05T09:00:00.000Z",
      "2026-06-06T10:00:00.000Z",
      "2026-06-08T09:00:00.000Z",
      "2026-06-09T09:00:00.000Z",
    ]);
  });

  it("shorthands, last days, repetitions, weekday names and ranges", () => {
    assert.deepEqual(runs(["quarterly"], "UTC", "2026-02-01T00:00:00Z", 2), [
      "2026-04-01T00:00:00.000Z",
      "2026-07-01T00:00:00.000Z",
    ]);
    assert.deepEqual(runs(["semiannually"], "UTC", "2026-02-01T00:00:00Z", 2), [
      "2026-07-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
    ]);
    assert.deepEqual(runs(["*-*~03/2 10:00"], "UTC", "2026-03-20T23:00:00Z", 3), [
      "2026-03-29T10:00:00.000Z",
      "2026-03-31T10:00:00.000Z",
      "2026-04-28T10:00:00.000Z",
    ]);
    assert.deepEqual(runs(["monday 10:00"], "UTC", "2026-03-20T23:00:00Z", 1), ["2026-03-23T10:00:00.000Z"]);
    assert.deepEqual(runs(["Mon-Fri 10:00"], "UTC", "2026-03-28T23:00:00Z", 1), ["2026-03-30T10:00:00.000Z"]);
    assert.deepEqual(runs(["03-15"], "UTC", "2026-03-20T23:00:00Z", 1), ["2027-03-15T00:00:00.000Z"]);
    assert.deepEqual(runs(["2027-*-* 10:00"], "UTC", "2026-03-20T23:00:00Z", 1), ["2027-01-01T10:00:00.000Z"]);
    // a date that never comes: systemd accepts it and never elapses
    assert.deepEqual(runs(["*-02-30"], "UTC", "2026-03-20T23:00:00Z", 1), ["NaN"]);
  });

  it("refuses what systemd refuses, and a zone inside the expression, naming the expression", () => {
    const refused: Array<[string, RegExp]> = [
      ["Sat..Mon 10:00", /backwards/],
      ["*:*/15", /minute/],
      ["5..3:00", /backwards/],
      ["Mnn 10:00", /not a weekday name/],
      ["*-*-* 25:00", /hour 25 is out of range 0-23/],
      ["*-13-01", /month 13/],
      ["10:00:00.5", /fractions/],
      ["Mon 10:00 Europe/Berlin", /timezone field/],
      ["daily UTC", /timezone field/],
      ["", /empty/],
      ["x".repeat(201), /200/],
      ["*:0/0", /at least 1/],
    ];
    for (const [expr, why] of refused) {
      assert.throws(
        () => compileOnCalendar(["daily", expr]),
        (e: unknown) => e instanceof CalendarSyntaxError && e.index === 1 && why.test(e.message),
        expr,
      );
    }
  });

  it("firstCalendarWall matches wall times, zones aside", () => {
    const cal = compileOnCalendar(["*-*-* 02:30:00"]);
    assert.equal(
      iso(firstCalendarWall(cal, Date.parse("2026-03-29T00:00:00Z"), Date.parse("2026-03-29T03:00:00Z"))),
      "2026-03-29T02:30:00.000Z",
    );
    assert.ok(
      Number.isNaN(firstCalendarWall(cal, Date.parse("2026-03-29T02:31:00Z"), Date.parse("2026-03-30T00:00:00Z"))),
    );
  });
});
