import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CronExpressionParser } from "cron-parser";
import {
  DEFAULT_CRON_GRACE_SECONDS,
  MAX_SECONDS,
  deadlinesAfterArm,
  deadlinesAfterPing,
  parseInstant,
  parseSchedule,
  preview,
} from "../../core/schedule/schedule.ts";
import type { Deadlines, Schedule } from "../../core/schedule/schedule.ts";

// Offsets used below (2026):
//   America/New_York  EST = UTC-5, EDT = UTC-4; DST from Sun 2026-03-08 02:00 EST (07:00Z) to Sun 2026-11-01 02:00 EDT (06:00Z)
//   Europe/Berlin     CET = UTC+1, CEST = UTC+2; DST from Sun 2026-03-29 01:00Z to Sun 2026-10-25 01:00Z
//   Asia/Shanghai     CST = UTC+8, no DST

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  assert.ok(Number.isFinite(ms), `bad test date ${iso}`);
  return ms;
};
const iso = (ms: number): string => new Date(ms).toISOString();
const show = (d: Deadlines) => ({ expectedAt: iso(d.expectedAt), lateAt: iso(d.lateAt), downAt: iso(d.downAt) });
const expectDeadlines = (d: Deadlines, expectedAt: string, downAt: string): void =>
  assert.deepEqual(show(d), { expectedAt, lateAt: expectedAt, downAt });
const runs = (ds: Deadlines[]): string[] => ds.map((d) => iso(d.expectedAt));

const interval = (periodSeconds: number, graceSeconds: number): Schedule => ({
  kind: "interval",
  periodSeconds,
  graceSeconds,
});
const cron = (
  expression: string,
  timezone: string,
  graceSeconds = 300,
  dialect: "cron" | "kubernetes" = "cron",
): Schedule => ({
  kind: "cron",
  expression,
  timezone,
  dialect,
  graceSeconds,
  deadline: "grace",
});
const cronEndOfDay = (expression: string, timezone: string): Schedule => ({
  kind: "cron",
  expression,
  timezone,
  dialect: "cron",
  graceSeconds: 0,
  deadline: "end-of-day",
});

describe("constants", () => {
  it("match the contract", () => {
    assert.equal(MAX_SECONDS, 31_536_000);
    assert.equal(DEFAULT_CRON_GRACE_SECONDS, 300);
  });
});

describe("interval schedules", () => {
  const hourly = interval(3600, 600);

  it("ping on time: next expected one period later, down after the grace", () => {
    expectDeadlines(
      deadlinesAfterPing(hourly, at("2026-05-01T11:00:00Z")),
      "2026-05-01T12:00:00.000Z",
      "2026-05-01T12:10:00.000Z",
    );
  });

  it("early ping (before it was due) restarts the period from the ping", () => {
    // previous ping 10:00 -> due 11:00; this one came at 10:40
    expectDeadlines(
      deadlinesAfterPing(hourly, at("2026-05-01T10:40:00Z")),
      "2026-05-01T11:40:00.000Z",
      "2026-05-01T11:50:00.000Z",
    );
  });

  it("late ping (after the down deadline) restarts the period from the ping", () => {
    // previous ping 10:00 -> late 11:00, down 11:10; this one came at 11:30
    expectDeadlines(
      deadlinesAfterPing(hourly, at("2026-05-01T11:30:00Z")),
      "2026-05-01T12:30:00.000Z",
      "2026-05-01T12:40:00.000Z",
    );
  });

  it("keeps millisecond precision", () => {
    expectDeadlines(
      deadlinesAfterPing(interval(60, 0), at("2026-05-01T10:00:00.123Z")),
      "2026-05-01T10:01:00.123Z",
      "2026-05-01T10:01:00.123Z",
    );
  });

  it("arm: the same as a ping at the arming time", () => {
    expectDeadlines(
      deadlinesAfterArm(hourly, at("2026-05-01T10:00:00Z")),
      "2026-05-01T11:00:00.000Z",
      "2026-05-01T11:10:00.000Z",
    );
  });

  it("maximum period and grace (one year each)", () => {
    const yearly = interval(MAX_SECONDS, MAX_SECONDS);
    expectDeadlines(
      deadlinesAfterArm(yearly, at("2026-01-01T00:00:00Z")),
      "2027-01-01T00:00:00.000Z",
      "2028-01-01T00:00:00.000Z",
    );
  });

  it("preview lists the next runs as if armed at `from`", () => {
    assert.deepEqual(preview(hourly, at("2026-05-01T10:00:00Z"), 3).map(show), [
      {
        expectedAt: "2026-05-01T11:00:00.000Z",
        lateAt: "2026-05-01T11:00:00.000Z",
        downAt: "2026-05-01T11:10:00.000Z",
      },
      {
        expectedAt: "2026-05-01T12:00:00.000Z",
        lateAt: "2026-05-01T12:00:00.000Z",
        downAt: "2026-05-01T12:10:00.000Z",
      },
      {
        expectedAt: "2026-05-01T13:00:00.000Z",
        lateAt: "2026-05-01T13:00:00.000Z",
        downAt: "2026-05-01T13:10:00.000Z",
      },
    ]);
  });

  it("preview clamps count to 1..100", () => {
    const from = at("2026-05-01T10:00:00Z");
    assert.equal(preview(hourly, from, 0).length, 1);
    assert.equal(preview(hourly, from, -5).length, 1);
    assert.equal(preview(hourly, from, Number.NaN).length, 1);
    assert.equal(preview(hourly, from, 2.9).length, 2);
    assert.equal(preview(hourly, from, 1000).length, 100);
    assert.equal(preview(hourly, from, Number.POSITIVE_INFINITY).length, 100);
    assert.equal(preview(cron("* * * * *", "UTC"), from, 500).length, 100);
  });

  it("rejects non-finite times instead of returning NaN deadlines", () => {
    assert.throws(() => deadlinesAfterPing(hourly, Number.NaN), RangeError);
    assert.throws(() => deadlinesAfterArm(cron("0 3 * * *", "UTC"), Number.POSITIVE_INFINITY), RangeError);
  });
});

describe("cron: America/New_York DST, Debian cron's rules (dialect cron)", () => {
  it("spring forward (2026-03-08): a daily 02:30 job runs once at 03:00 EDT = 07:00Z, right after the change", () => {
    // 02:30 does not exist on 2026-03-08 (02:00 EST jumps to 03:00 EDT). cron(8): a fixed-time job
    // whose time was skipped runs right after the change. On the days around it, 02:30 EST = 07:30Z
    // and 02:30 EDT = 06:30Z.
    const job = cron("30 2 * * *", "America/New_York");
    assert.deepEqual(runs(preview(job, at("2026-03-06T12:00:00Z"), 4)), [
      "2026-03-07T07:30:00.000Z",
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:30:00.000Z",
      "2026-03-10T06:30:00.000Z",
    ]);
    // the Saturday run pings -> the Sunday run is expected at 07:00Z, down 07:05Z
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-03-07T07:30:12Z")),
      "2026-03-08T07:00:00.000Z",
      "2026-03-08T07:05:00.000Z",
    );
    // the moved run pings at 03:00:05 EDT: it is that night's run, on time -> next is Monday 02:30 EDT
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-03-08T07:00:05Z")),
      "2026-03-09T06:30:00.000Z",
      "2026-03-09T06:35:00.000Z",
    );
    // a ping a few seconds early (02:59:55 EST is 06:59:55Z) counts for the moved run too
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-03-08T06:59:55Z")),
      "2026-03-09T06:30:00.000Z",
      "2026-03-09T06:35:00.000Z",
    );
  });

  it("spring forward: skipped fixed times merge into one run at 03:00 EDT; later ones keep their time", () => {
    assert.deepEqual(runs(preview(cron("0 2 * * *", "America/New_York"), at("2026-03-08T00:00:00Z"), 2)), [
      "2026-03-08T07:00:00.000Z",
      "2026-03-09T06:00:00.000Z",
    ]);
    assert.deepEqual(runs(preview(cron("15,45 2 * * *", "America/New_York"), at("2026-03-08T00:00:00Z"), 3)), [
      "2026-03-08T07:00:00.000Z", // 02:15 and 02:45, once, at 03:00 EDT
      "2026-03-09T06:15:00.000Z",
      "2026-03-09T06:45:00.000Z",
    ]);
    assert.deepEqual(runs(preview(cron("15 2,3 * * *", "America/New_York"), at("2026-03-08T00:00:00Z"), 3)), [
      "2026-03-08T07:00:00.000Z", // 02:15 at 03:00 EDT
      "2026-03-08T07:15:00.000Z", // 03:15 EDT as usual
      "2026-03-09T06:15:00.000Z",
    ]);
  });

  it("spring forward: a wildcard job (minute or hour field begins with *) runs by the new wall clock only", () => {
    assert.deepEqual(runs(preview(cron("*/30 * * * *", "America/New_York"), at("2026-03-08T06:20:00Z"), 3)), [
      "2026-03-08T06:30:00.000Z", // 01:30 EST
      "2026-03-08T07:00:00.000Z", // 03:00 EDT: 02:00 and 02:30 do not happen
      "2026-03-08T07:30:00.000Z",
    ]);
    assert.deepEqual(runs(preview(cron("*/30 2 * * *", "America/New_York"), at("2026-03-08T00:00:00Z"), 2)), [
      "2026-03-09T06:00:00.000Z", // nothing on the 8th: its 02:xx never came
      "2026-03-09T06:30:00.000Z",
    ]);
  });

  it("fall back (2026-11-01): a daily 01:30 job runs once, at the first 01:30 (EDT) = 05:30Z", () => {
    const job = cron("30 1 * * *", "America/New_York");
    assert.deepEqual(runs(preview(job, at("2026-10-31T00:00:00Z"), 3)), [
      "2026-10-31T05:30:00.000Z", // 01:30 EDT
      "2026-11-01T05:30:00.000Z", // 01:30 EDT, the first of the two 01:30s
      "2026-11-02T06:30:00.000Z", // 01:30 EST
    ]);
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-11-01T05:30:20Z")),
      "2026-11-02T06:30:00.000Z",
      "2026-11-02T06:35:00.000Z",
    );
    // Armed inside the repeated hour (01:10 EST): the second 01:30 is not a run.
    expectDeadlines(
      deadlinesAfterArm(job, at("2026-11-01T06:10:00Z")),
      "2026-11-02T06:30:00.000Z",
      "2026-11-02T06:35:00.000Z",
    );
  });

  it("fall back: wildcard jobs run through the repeated hour in both passes", () => {
    const job = cron("*/15 * * * *", "America/New_York");
    assert.deepEqual(runs(preview(job, at("2026-11-01T04:50:00Z"), 10)), [
      "2026-11-01T05:00:00.000Z", // 01:00 EDT
      "2026-11-01T05:15:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T05:45:00.000Z", // 01:45 EDT
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T06:15:00.000Z",
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T06:45:00.000Z", // 01:45 EST
      "2026-11-01T07:00:00.000Z", // 02:00 EST
      "2026-11-01T07:15:00.000Z",
    ]);
    // a ping in the second pass expects the next quarter hour, in real time
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-11-01T06:16:00Z")),
      "2026-11-01T06:30:00.000Z",
      "2026-11-01T06:35:00.000Z",
    );
    // */15 in the minute field makes it a wildcard job even with its hour pinned to 1
    assert.deepEqual(runs(preview(cron("*/30 1 * * *", "America/New_York"), at("2026-11-01T04:50:00Z"), 5)), [
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T05:30:00.000Z",
      "2026-11-01T06:00:00.000Z", // 01:00 EST
      "2026-11-01T06:30:00.000Z",
      "2026-11-02T06:00:00.000Z",
    ]);
  });

  it("deadlines are a pure function of the time: the same from every start point around both changes", () => {
    // For each start t (every 30 s, 3 h either side of each change) the next run must be the first run
    // after t in the sequence produced by iterating from the day before.
    const changes = [at("2026-03-08T07:00:00Z"), at("2026-11-01T06:00:00Z")];
    for (const expression of [
      "30 2 * * *",
      "30 1 * * *",
      "*/15 1 * * *",
      "*/15 * * * *",
      "0 1-3 * * *",
      "15 1,2 * * *",
    ]) {
      for (const dialect of ["cron", "kubernetes"] as const) {
        const job = cron(expression, "America/New_York", 300, dialect);
        for (const change of changes) {
          const sequence: number[] = [];
          for (let t = change - 86_400_000; t < change + 86_400_000;) {
            t = deadlinesAfterArm(job, t).expectedAt;
            sequence.push(t);
          }
          for (let t = change - 3 * 3_600_000; t <= change + 3 * 3_600_000; t += 30_000) {
            const expected = sequence.find((s) => s > t);
            assert.equal(
              iso(deadlinesAfterArm(job, t).expectedAt),
              iso(expected as number),
              `${dialect} ${expression} armed at ${iso(t)}`,
            );
          }
        }
      }
    }
  });
});

describe("cron: Kubernetes CronJob rules (dialect kubernetes, robfig/cron v3)", () => {
  it("spring forward: a job in the skipped hour does not run that night", () => {
    assert.deepEqual(
      runs(preview(cron("30 2 * * *", "America/New_York", 300, "kubernetes"), at("2026-03-07T12:00:00Z"), 2)),
      ["2026-03-09T06:30:00.000Z", "2026-03-10T06:30:00.000Z"],
    );
  });

  it("*/2 in the day of month is a restriction: with a weekday list, either matches", () => {
    // robfig counts a field as * only without a step above 1; Vixie cron by its first character
    const k = runs(preview(cron("0 4 */2 * 1-5", "UTC", 300, "kubernetes"), at("2026-06-01T00:00:00Z"), 4));
    const c = runs(preview(cron("0 4 */2 * 1-5", "UTC"), at("2026-06-01T00:00:00Z"), 4));
    assert.deepEqual(k, [
      "2026-06-01T04:00:00.000Z",
      "2026-06-02T04:00:00.000Z",
      "2026-06-03T04:00:00.000Z",
      "2026-06-04T04:00:00.000Z",
    ]);
    assert.deepEqual(c, [
      "2026-06-01T04:00:00.000Z",
      "2026-06-03T04:00:00.000Z",
      "2026-06-05T04:00:00.000Z",
      "2026-06-09T04:00:00.000Z",
    ]);
  });
});

describe("cron: Europe/Berlin DST", () => {
  it("spring forward (2026-03-29): 02:30 runs at 03:00 CEST = 01:00Z, right after the change", () => {
    assert.deepEqual(runs(preview(cron("30 2 * * *", "Europe/Berlin"), at("2026-03-28T00:00:00Z"), 3)), [
      "2026-03-28T01:30:00.000Z", // 02:30 CET
      "2026-03-29T01:00:00.000Z", // 03:00 CEST (02:30 skipped)
      "2026-03-30T00:30:00.000Z", // 02:30 CEST
    ]);
  });

  it("fall back (2026-10-25): 02:30 runs once (02:30 CEST = 00:30Z), an hourly job runs in both 02:00s", () => {
    assert.deepEqual(runs(preview(cron("30 2 * * *", "Europe/Berlin"), at("2026-10-24T12:00:00Z"), 2)), [
      "2026-10-25T00:30:00.000Z", // 02:30 CEST
      "2026-10-26T01:30:00.000Z", // 02:30 CET
    ]);
    assert.deepEqual(runs(preview(cron("0 * * * *", "Europe/Berlin"), at("2026-10-24T23:30:00Z"), 3)), [
      "2026-10-25T00:00:00.000Z", // 02:00 CEST
      "2026-10-25T01:00:00.000Z", // 02:00 CET
      "2026-10-25T02:00:00.000Z", // 03:00 CET
    ]);
  });

  it("preview notes say what the change did to each run it touched", () => {
    const notes = (s: Schedule, from: string, n: number) =>
      preview(s, at(from), n).map((r) => r.clockChange?.text ?? "");
    assert.deepEqual(notes(cron("30 2 * * *", "Europe/Berlin"), "2026-03-28T12:00:00Z", 2), [
      "02:30 does not exist on 2026-03-29 (Europe/Berlin); cron runs it at 03:00",
      "",
    ]);
    assert.deepEqual(notes(cron("0,30 2 * * *", "Europe/Berlin"), "2026-03-28T12:00:00Z", 1), [
      "02:00 to 02:30 (2 times) do not exist on 2026-03-29 (Europe/Berlin); cron runs them once at 03:00",
    ]);
    assert.deepEqual(notes(cron("30 2 * * *", "Europe/Berlin", 300, "kubernetes"), "2026-03-28T12:00:00Z", 1), [
      "02:30 does not exist on 2026-03-29 (Europe/Berlin); Kubernetes does not run it",
    ]);
    assert.deepEqual(notes(cron("30 2 * * *", "Europe/Berlin"), "2026-10-24T12:00:00Z", 2), [
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); cron runs it once, the first time (UTC+02:00)",
      "",
    ]);
    assert.deepEqual(notes(cron("30 * * * *", "Europe/Berlin"), "2026-10-25T00:00:00Z", 3), [
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); cron runs it both times, this is the first (UTC+02:00)",
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); cron runs it both times, this is the second (UTC+01:00)",
      "",
    ]);
    // systemd: a skipped time does not run; a repeated one runs once, in the pass the search is in
    const calendar = (expressions: string[]): Schedule => ({
      kind: "oncalendar",
      expressions,
      timezone: "Europe/Berlin",
      graceSeconds: 300,
      deadline: "grace",
    });
    assert.deepEqual(notes(calendar(["*-*-* 02:30", "*-*-* 03:15"]), "2026-03-28T12:00:00Z", 2), [
      "02:30 does not exist on 2026-03-29 (Europe/Berlin); systemd does not run it",
      "",
    ]);
    assert.deepEqual(notes(calendar(["*-*-* *:30"]), "2026-10-24T23:50:00Z", 2), [
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); systemd runs it once, the first time (UTC+02:00)",
      "",
    ]);
    const moved = preview(cron("30 2 * * *", "Europe/Berlin"), at("2026-03-28T12:00:00Z"), 1)[0].clockChange;
    assert.deepEqual(moved && { ...moved, text: undefined }, {
      kind: "moved",
      date: "2026-03-29",
      zone: "Europe/Berlin",
      runner: "cron",
      times: ["02:30"],
      count: 1,
      runsAt: "03:00",
      text: undefined,
    });
    // no change, no note
    assert.equal(
      preview(cron("30 2 * * *", "Europe/Berlin"), at("2026-06-01T00:00:00Z"), 5).filter((r) => r.clockChange).length,
      0,
    );
  });
});

describe("cron: Asia/Shanghai (UTC+8, no DST)", () => {
  const job = cron("5 16 * * *", "Asia/Shanghai");

  it("16:05 local = 08:05Z", () => {
    expectDeadlines(
      deadlinesAfterArm(job, at("2026-06-10T00:00:00Z")),
      "2026-06-10T08:05:00.000Z",
      "2026-06-10T08:10:00.000Z",
    );
  });

  it("a ping at the run expects tomorrow's run", () => {
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-06-10T08:05:30Z")),
      "2026-06-11T08:05:00.000Z",
      "2026-06-11T08:10:00.000Z",
    );
  });

  it("agrees with cron-parser wherever no DST change is involved", () => {
    const expressions = [
      "5 16 * * *",
      "*/7 * * * *",
      "0 9-17/2 * * 1-5",
      "0 0 L * *",
      "30 4 1,15 * *",
      "0 12 * * 5L",
      "0 8 * * 1#2",
      "15 10 * JAN,JUL SUN",
      "*/20 * * * * *",
      "0 0 29 2 *",
      "0 0 13 * 5",
      "0 6 L * 1",
    ];
    const starts = [
      "2026-01-01T00:00:00Z",
      "2026-02-28T15:59:59.999Z",
      "2026-06-30T23:59:00Z",
      "2027-12-31T16:00:00.500Z",
      "2028-02-29T01:02:03Z",
    ];
    for (const expression of expressions) {
      for (const start of starts) {
        const iterator = CronExpressionParser.parse(expression, {
          tz: "Asia/Shanghai",
          currentDate: new Date(at(start)),
        });
        const theirs = iterator.take(5).map((d) => iso(d.getTime()));
        assert.deepEqual(
          runs(preview(cron(expression, "Asia/Shanghai"), at(start), 5)),
          theirs,
          `${expression} from ${start}`,
        );
      }
    }
  });
});

describe("cron: month ends and 29 February", () => {
  it("day 31 skips the 30-day months and February", () => {
    // noon in New York: EST (17:00Z) in January, EDT (16:00Z) from March
    assert.deepEqual(runs(preview(cron("0 12 31 * *", "America/New_York"), at("2026-01-01T00:00:00Z"), 4)), [
      "2026-01-31T17:00:00.000Z",
      "2026-03-31T16:00:00.000Z",
      "2026-05-31T16:00:00.000Z",
      "2026-07-31T16:00:00.000Z",
    ]);
  });

  it("L is the last day of each month, 29 February in a leap year", () => {
    assert.deepEqual(runs(preview(cron("0 0 L * *", "UTC"), at("2027-12-15T00:00:00Z"), 4)), [
      "2027-12-31T00:00:00.000Z",
      "2028-01-31T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
      "2028-03-31T00:00:00.000Z",
    ]);
  });

  it("29 February runs only in leap years: from 2026 the next is 2028-02-29 09:00 CET = 08:00Z", () => {
    const job = cron("0 9 29 2 *", "Europe/Berlin");
    expectDeadlines(
      deadlinesAfterArm(job, at("2026-01-01T00:00:00Z")),
      "2028-02-29T08:00:00.000Z",
      "2028-02-29T08:05:00.000Z",
    );
    assert.deepEqual(runs(preview(job, at("2026-01-01T00:00:00Z"), 2)), [
      "2028-02-29T08:00:00.000Z",
      "2032-02-29T08:00:00.000Z",
    ]);
  });
});

describe("cron: day of month and day of week", () => {
  it("when both are restricted, either matches (classic cron): the 10th or any Monday", () => {
    // 2026-06-01 is a Monday
    assert.deepEqual(runs(preview(cron("0 0 10 * 1", "UTC"), at("2026-06-01T00:00:01Z"), 4)), [
      "2026-06-08T00:00:00.000Z", // Monday
      "2026-06-10T00:00:00.000Z", // the 10th, a Wednesday
      "2026-06-15T00:00:00.000Z", // Monday
      "2026-06-22T00:00:00.000Z",
    ]);
  });

  it("nth weekday (#) and last weekday (L)", () => {
    assert.deepEqual(runs(preview(cron("0 8 * * 1#2", "UTC"), at("2026-06-01T00:00:00Z"), 2)), [
      "2026-06-08T08:00:00.000Z",
      "2026-07-13T08:00:00.000Z",
    ]);
    assert.deepEqual(runs(preview(cron("0 8 * * 5L", "UTC"), at("2026-06-01T00:00:00Z"), 2)), [
      "2026-06-26T08:00:00.000Z",
      "2026-07-31T08:00:00.000Z",
    ]);
  });
});

describe("cron: 6-field expressions (seconds)", () => {
  const everyTwoSeconds = cron("*/2 * * * * *", "UTC");

  it("runs on even seconds", () => {
    expectDeadlines(
      deadlinesAfterArm(everyTwoSeconds, at("2026-06-01T00:00:00.500Z")),
      "2026-06-01T00:00:02.000Z",
      "2026-06-01T00:05:02.000Z",
    );
    assert.deepEqual(runs(preview(everyTwoSeconds, at("2026-06-01T00:00:01Z"), 3)), [
      "2026-06-01T00:00:02.000Z",
      "2026-06-01T00:00:04.000Z",
      "2026-06-01T00:00:06.000Z",
    ]);
  });

  it("early-ping tolerance is at most half the gap between runs (1 s here)", () => {
    // 10 ms before 00:00:02 -> counts for it, next expected 00:00:04
    assert.equal(
      iso(deadlinesAfterPing(everyTwoSeconds, at("2026-06-01T00:00:01.990Z")).expectedAt),
      "2026-06-01T00:00:04.000Z",
    );
    // 1.5 s before -> does not count
    assert.equal(
      iso(deadlinesAfterPing(everyTwoSeconds, at("2026-06-01T00:00:00.500Z")).expectedAt),
      "2026-06-01T00:00:02.000Z",
    );
  });

  it("a seconds field on a weekday schedule", () => {
    // 09:30:15 on weekdays in Berlin (CEST in June); 2026-06-05 is a Friday
    assert.deepEqual(runs(preview(cron("15 30 9 * * 1-5", "Europe/Berlin"), at("2026-06-05T06:00:00Z"), 2)), [
      "2026-06-05T07:30:15.000Z",
      "2026-06-08T07:30:15.000Z",
    ]);
  });
});

describe("cron: end-of-day deadline", () => {
  it("Asia/Shanghai 16:05 job pinged at 16:05:30: expected tomorrow 16:05, down at the following local midnight", () => {
    const job = cronEndOfDay("5 16 * * *", "Asia/Shanghai");
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-06-10T08:05:30Z")),
      "2026-06-11T08:05:00.000Z",
      "2026-06-11T16:00:00.000Z",
    );
  });

  it("New York spring-forward day has 23 hours: midnight EST to midnight EDT", () => {
    const d = deadlinesAfterArm(cronEndOfDay("0 0 * * *", "America/New_York"), at("2026-03-07T12:00:00Z"));
    expectDeadlines(d, "2026-03-08T05:00:00.000Z", "2026-03-09T04:00:00.000Z");
    assert.equal(d.downAt - d.expectedAt, 23 * 3_600_000);
  });

  it("New York fall-back day has 25 hours: midnight EDT to midnight EST", () => {
    const d = deadlinesAfterArm(cronEndOfDay("0 0 * * *", "America/New_York"), at("2026-10-31T12:00:00Z"));
    expectDeadlines(d, "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z");
    assert.equal(d.downAt - d.expectedAt, 25 * 3_600_000);
  });

  it("a run late in a New York DST day is down at that day's end", () => {
    // 22:00 EST on 2026-03-07 = 03:00Z on the 8th; the local day ends at 2026-03-08 00:00 EST = 05:00Z
    expectDeadlines(
      deadlinesAfterArm(cronEndOfDay("0 22 * * *", "America/New_York"), at("2026-03-07T12:00:00Z")),
      "2026-03-08T03:00:00.000Z",
      "2026-03-08T05:00:00.000Z",
    );
    // 12:00 EDT on 2026-03-08 = 16:00Z; the day ends at 2026-03-09 00:00 EDT = 04:00Z
    expectDeadlines(
      deadlinesAfterArm(cronEndOfDay("0 12 * * *", "America/New_York"), at("2026-03-08T12:00:00Z")),
      "2026-03-08T16:00:00.000Z",
      "2026-03-09T04:00:00.000Z",
    );
  });

  it("where a DST change skips midnight (America/Santiago, 2026-09-06 starts at 01:00), the day still ends at the next midnight", () => {
    const job = cronEndOfDay("0 12 * * *", "America/Santiago");
    // 2026-09-05 12:00 -04 = 16:00Z; 2026-09-06 begins at 01:00 -03 = 04:00Z
    expectDeadlines(
      deadlinesAfterArm(job, at("2026-09-05T12:00:00Z")),
      "2026-09-05T16:00:00.000Z",
      "2026-09-06T04:00:00.000Z",
    );
    // 2026-09-06 12:00 -03 = 15:00Z; 2026-09-07 begins at 00:00 -03 = 03:00Z (not 01:00)
    expectDeadlines(
      deadlinesAfterArm(job, at("2026-09-06T12:00:00Z")),
      "2026-09-06T15:00:00.000Z",
      "2026-09-07T03:00:00.000Z",
    );
  });

  it("preview gives each run its own end of day", () => {
    assert.deepEqual(preview(cronEndOfDay("0 6,18 * * *", "UTC"), at("2026-06-01T00:00:00Z"), 3).map(show), [
      {
        expectedAt: "2026-06-01T06:00:00.000Z",
        lateAt: "2026-06-01T06:00:00.000Z",
        downAt: "2026-06-02T00:00:00.000Z",
      },
      {
        expectedAt: "2026-06-01T18:00:00.000Z",
        lateAt: "2026-06-01T18:00:00.000Z",
        downAt: "2026-06-02T00:00:00.000Z",
      },
      {
        expectedAt: "2026-06-02T06:00:00.000Z",
        lateAt: "2026-06-02T06:00:00.000Z",
        downAt: "2026-06-03T00:00:00.000Z",
      },
    ]);
  });
});

describe("cron: pings early, on time, late, and missed runs", () => {
  const daily = cron("0 3 * * *", "UTC"); // grace 300 s -> early tolerance 60 s

  it("on time: a ping at (or just after) the run expects the next day's run", () => {
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T03:00:00Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T03:00:00.400Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
  });

  it("early within the tolerance: counts for the imminent run", () => {
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T02:59:30Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
    // exactly 60 s early still counts
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T02:59:00Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
  });

  it("early outside the tolerance: does not count, the imminent run is still expected", () => {
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T02:58:59Z")),
      "2026-06-01T03:00:00.000Z",
      "2026-06-01T03:05:00.000Z",
    );
  });

  it("the tolerance is capped by the grace, and 60 s for end-of-day", () => {
    const tightGrace = cron("0 3 * * *", "UTC", 20);
    expectDeadlines(
      deadlinesAfterPing(tightGrace, at("2026-06-01T02:59:45Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:00:20.000Z",
    );
    expectDeadlines(
      deadlinesAfterPing(tightGrace, at("2026-06-01T02:59:30Z")),
      "2026-06-01T03:00:00.000Z",
      "2026-06-01T03:00:20.000Z",
    );
    const noGrace = cron("0 3 * * *", "UTC", 0);
    expectDeadlines(
      deadlinesAfterPing(noGrace, at("2026-06-01T02:59:59.999Z")),
      "2026-06-01T03:00:00.000Z",
      "2026-06-01T03:00:00.000Z",
    );
    const endOfDay = cronEndOfDay("0 3 * * *", "UTC");
    expectDeadlines(
      deadlinesAfterPing(endOfDay, at("2026-06-01T02:59:15Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-03T00:00:00.000Z",
    );
    expectDeadlines(
      deadlinesAfterPing(endOfDay, at("2026-06-01T02:58:45Z")),
      "2026-06-01T03:00:00.000Z",
      "2026-06-02T00:00:00.000Z",
    );
  });

  it("the tolerance is at most half the gap between runs", () => {
    const everyMinute = cron("* * * * *", "UTC"); // tolerance 30 s
    assert.equal(
      iso(deadlinesAfterPing(everyMinute, at("2026-06-01T10:00:40Z")).expectedAt),
      "2026-06-01T10:02:00.000Z",
    );
    assert.equal(
      iso(deadlinesAfterPing(everyMinute, at("2026-06-01T10:00:20Z")).expectedAt),
      "2026-06-01T10:01:00.000Z",
    );
  });

  it("arming never applies the tolerance", () => {
    expectDeadlines(
      deadlinesAfterArm(daily, at("2026-06-01T02:59:30Z")),
      "2026-06-01T03:00:00.000Z",
      "2026-06-01T03:05:00.000Z",
    );
  });

  it("late (after the down deadline): the next run after the ping", () => {
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T03:20:00Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
    // late but before down: same
    expectDeadlines(
      deadlinesAfterPing(daily, at("2026-06-01T03:02:00Z")),
      "2026-06-02T03:00:00.000Z",
      "2026-06-02T03:05:00.000Z",
    );
  });

  it("several runs missed: the deadlines are those of the first missed run, all in the past", () => {
    const hourly = cron("0 * * * *", "UTC");
    const lastPing = at("2026-06-01T10:00:05Z");
    const now = at("2026-06-01T15:30:00Z"); // 11:00 ... 15:00 all missed
    const d = deadlinesAfterPing(hourly, lastPing);
    expectDeadlines(d, "2026-06-01T11:00:00.000Z", "2026-06-01T11:05:00.000Z");
    assert.ok(d.lateAt < now && d.downAt < now); // the monitor goes down once, at 11:05, not once per missed run
  });
});

describe("cron: zones where cron-parser's own iteration breaks", () => {
  it("Australia/Lord_Howe falling back 30 minutes (2026-04-05 02:00 -> 01:30): a daily job keeps working", () => {
    // cron-parser's next() throws "loop limit exceeded" here. 16:05 on the 5th is at +10:30 = 05:35Z.
    const job = cron("5 16 * * *", "Australia/Lord_Howe");
    expectDeadlines(
      deadlinesAfterPing(job, at("2026-04-04T06:00:00Z")),
      "2026-04-05T05:35:00.000Z",
      "2026-04-05T05:40:00.000Z",
    );
    // a job at 01:45 runs in the first copy of the repeated half hour only:
    // 2026-04-05 01:45 +11 = 04-04 14:45Z (not 01:45 +10:30 = 15:15Z); then 04-06 01:45 +10:30 = 04-05 15:15Z
    assert.deepEqual(runs(preview(cron("45 1 * * *", "Australia/Lord_Howe"), at("2026-04-04T00:00:00Z"), 2)), [
      "2026-04-04T14:45:00.000Z",
      "2026-04-05T15:15:00.000Z",
    ]);
  });

  it("America/Nuuk (change at local midnight): an every-2-hours job does not skip a day", () => {
    // Nuuk moves from -02 to -01 at 2026-03-29 01:00Z (Saturday 23:00 -> Sunday 00:00);
    // cron-parser's iterator jumps from Friday 22:00 straight to Sunday 00:00.
    assert.deepEqual(runs(preview(cron("0 */2 * * *", "America/Nuuk"), at("2026-03-28T19:00:00Z"), 4)), [
      "2026-03-28T20:00:00.000Z", // 18:00 -02
      "2026-03-28T22:00:00.000Z", // 20:00 -02
      "2026-03-29T00:00:00.000Z", // 22:00 -02
      "2026-03-29T01:00:00.000Z", // 00:00 -01
    ]);
  });
});

describe("parseSchedule", () => {
  const describeInput = (input: unknown): string => {
    try {
      return JSON.stringify(input) ?? String(input);
    } catch {
      return String(input);
    }
  };
  const errorsOf = (input: unknown, defaultTimezone = "UTC", field?: string) => {
    const result = parseSchedule(input, defaultTimezone, field);
    assert.equal(result.ok, false, `expected errors for ${describeInput(input)}`);
    return result.ok ? [] : result.errors;
  };
  const fieldsOf = (input: unknown, defaultTimezone = "UTC") => errorsOf(input, defaultTimezone).map((e) => e.field);
  const scheduleOf = (input: unknown, defaultTimezone = "UTC"): Schedule => {
    const result = parseSchedule(input, defaultTimezone);
    assert.equal(result.ok, true, `expected ok for ${describeInput(input)}: ${describeInput(result)}`);
    return (result as { ok: true; schedule: Schedule }).schedule;
  };

  it("accepts an interval and drops unknown keys", () => {
    assert.deepEqual(scheduleOf({ kind: "interval", periodSeconds: 3600, graceSeconds: 0, colour: "red" }), {
      kind: "interval",
      periodSeconds: 3600,
      graceSeconds: 0,
    });
    assert.deepEqual(scheduleOf({ kind: "interval", periodSeconds: MAX_SECONDS, graceSeconds: MAX_SECONDS }), {
      kind: "interval",
      periodSeconds: MAX_SECONDS,
      graceSeconds: MAX_SECONDS,
    });
    assert.deepEqual(scheduleOf({ kind: "interval", periodSeconds: 1, graceSeconds: -0 }), {
      kind: "interval",
      periodSeconds: 1,
      graceSeconds: 0,
    });
    assert.ok(
      Object.is(
        (scheduleOf({ kind: "interval", periodSeconds: 1, graceSeconds: -0 }) as { graceSeconds: number }).graceSeconds,
        0,
      ),
    );
  });

  it("interval: both numbers are required", () => {
    assert.deepEqual(errorsOf({ kind: "interval" }), [
      { field: "schedule.periodSeconds", message: "is required" },
      { field: "schedule.graceSeconds", message: "is required" },
    ]);
  });

  it("interval: periodSeconds must be a whole number 1..MAX_SECONDS", () => {
    for (const bad of [
      "60",
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1.5,
      -1,
      0,
      MAX_SECONDS + 1,
      true,
      [60],
      { n: 60 },
      60n,
    ]) {
      assert.deepEqual(
        fieldsOf({ kind: "interval", periodSeconds: bad, graceSeconds: 0 }),
        ["schedule.periodSeconds"],
        String(bad),
      );
    }
    assert.match(
      errorsOf({ kind: "interval", periodSeconds: 0, graceSeconds: 0 })[0].message,
      /between 1 and 31536000/,
    );
    assert.match(errorsOf({ kind: "interval", periodSeconds: 2.5, graceSeconds: 0 })[0].message, /whole number/);
    assert.match(errorsOf({ kind: "interval", periodSeconds: "60", graceSeconds: 0 })[0].message, /number/);
  });

  it("interval: graceSeconds must be a whole number 0..MAX_SECONDS", () => {
    for (const bad of ["0", Number.NaN, -1, 0.5, MAX_SECONDS + 1, null]) {
      assert.deepEqual(
        fieldsOf({ kind: "interval", periodSeconds: 60, graceSeconds: bad }),
        ["schedule.graceSeconds"],
        String(bad),
      );
    }
  });

  it("kind must be interval or cron", () => {
    for (const kind of [undefined, "daily", "Interval", "", 1, null, {}, []]) {
      assert.deepEqual(fieldsOf({ kind, periodSeconds: 60, graceSeconds: 0 }), ["schedule.kind"], String(kind));
    }
    // inherited properties are not the input's own
    assert.deepEqual(fieldsOf(Object.create({ kind: "interval", periodSeconds: 60, graceSeconds: 0 })), [
      "schedule.kind",
    ]);
  });

  it("the input must be an object", () => {
    for (const input of [null, undefined, [], [{ kind: "interval" }], "x", 42, true, Symbol("s")]) {
      assert.deepEqual(errorsOf(input), [{ field: "schedule", message: "must be an object" }], String(input));
    }
  });

  it("field paths use the given prefix", () => {
    assert.deepEqual(parseSchedule({ kind: "cron", expression: "", timezone: 5 }, "UTC", "monitors[2].schedule"), {
      ok: false,
      errors: [
        { field: "monitors[2].schedule.expression", message: "must not be empty" },
        { field: "monitors[2].schedule.timezone", message: "must be a string" },
      ],
    });
    assert.deepEqual(errorsOf(null, "UTC", "s"), [{ field: "s", message: "must be an object" }]);
  });

  it("cron: defaults — zone from the caller, 300 s grace, grace deadline", () => {
    assert.deepEqual(scheduleOf({ kind: "cron", expression: "0 3 * * *" }, "Europe/Berlin"), {
      kind: "cron",
      expression: "0 3 * * *",
      timezone: "Europe/Berlin",
      dialect: "cron",
      graceSeconds: DEFAULT_CRON_GRACE_SECONDS,
      deadline: "grace",
    });
    assert.deepEqual(
      scheduleOf(
        { kind: "cron", expression: "0 3 * * *", timezone: null, deadline: null, graceSeconds: null },
        "Asia/Shanghai",
      ),
      {
        kind: "cron",
        expression: "0 3 * * *",
        timezone: "Asia/Shanghai",
        dialect: "cron",
        graceSeconds: 300,
        deadline: "grace",
      },
    );
  });

  it("cron: explicit values are kept, the expression normalized (trimmed, single spaces)", () => {
    assert.deepEqual(
      scheduleOf({
        kind: "cron",
        expression: "  */2\t* *  * * *\n",
        timezone: "America/New_York",
        graceSeconds: 0,
        deadline: "grace",
        extra: 1,
      }),
      {
        kind: "cron",
        expression: "*/2 * * * * *",
        timezone: "America/New_York",
        dialect: "cron",
        graceSeconds: 0,
        deadline: "grace",
      },
    );
  });

  it("cron: end-of-day deadline normalizes graceSeconds to 0 and rejects any other grace", () => {
    const expected = {
      kind: "cron",
      expression: "5 16 * * *",
      timezone: "Asia/Shanghai",
      dialect: "cron",
      graceSeconds: 0,
      deadline: "end-of-day",
    };
    assert.deepEqual(
      scheduleOf({ kind: "cron", expression: "5 16 * * *", timezone: "Asia/Shanghai", deadline: "end-of-day" }),
      expected,
    );
    assert.deepEqual(
      scheduleOf({
        kind: "cron",
        expression: "5 16 * * *",
        timezone: "Asia/Shanghai",
        deadline: "end-of-day",
        graceSeconds: 0,
      }),
      expected,
    );
    const errors = errorsOf({ kind: "cron", expression: "5 16 * * *", deadline: "end-of-day", graceSeconds: 60 });
    assert.deepEqual(
      errors.map((e) => e.field),
      ["schedule.graceSeconds"],
    );
    assert.match(errors[0].message, /end of the day/);
    assert.deepEqual(fieldsOf({ kind: "cron", expression: "5 16 * * *", deadline: "end-of-day", graceSeconds: "0" }), [
      "schedule.graceSeconds",
    ]);
  });

  it("cron: graceSeconds must be a whole number 0..MAX_SECONDS", () => {
    for (const bad of [-1, 1.5, "300", MAX_SECONDS + 1, Number.NaN]) {
      assert.deepEqual(
        fieldsOf({ kind: "cron", expression: "0 3 * * *", graceSeconds: bad }),
        ["schedule.graceSeconds"],
        String(bad),
      );
    }
    assert.equal(
      (scheduleOf({ kind: "cron", expression: "0 3 * * *", graceSeconds: MAX_SECONDS }) as { graceSeconds: number })
        .graceSeconds,
      MAX_SECONDS,
    );
  });

  it("cron: deadline must be grace or end-of-day", () => {
    for (const bad of ["sometimes", "END-OF-DAY", 1, {}, ""]) {
      assert.deepEqual(
        fieldsOf({ kind: "cron", expression: "0 3 * * *", deadline: bad }),
        ["schedule.deadline"],
        String(bad),
      );
    }
  });

  it("cron: timezone must be a valid IANA zone", () => {
    for (const bad of ["Mars/Olympus_Mons", "", " UTC", "local", "x".repeat(500)]) {
      assert.deepEqual(fieldsOf({ kind: "cron", expression: "0 3 * * *", timezone: bad }), ["schedule.timezone"], bad);
    }
    assert.deepEqual(errorsOf({ kind: "cron", expression: "0 3 * * *", timezone: 3 }), [
      { field: "schedule.timezone", message: "must be a string" },
    ]);
    // an invalid default only matters when the input has no zone
    assert.deepEqual(fieldsOf({ kind: "cron", expression: "0 3 * * *" }, "Nowhere/Land"), ["schedule.timezone"]);
    assert.equal(
      (scheduleOf({ kind: "cron", expression: "0 3 * * *", timezone: "UTC" }, "Nowhere/Land") as { timezone: string })
        .timezone,
      "UTC",
    );
    for (const good of ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "Australia/Lord_Howe"]) {
      assert.equal(
        (scheduleOf({ kind: "cron", expression: "0 3 * * *", timezone: good }) as { timezone: string }).timezone,
        good,
      );
    }
  });

  it("cron: accepted expressions", () => {
    for (const expression of [
      "* * * * *",
      "0 3 * * *",
      "*/2 * * * * *",
      "0 0 L * *",
      "0 12 31 * *",
      "0 9 29 2 *",
      "0 0 * * THU", // the H of THU is not the random H
      "0 0 * * thu,sun",
      "0 0 * MAR,AUG *",
      "0 8 * * 1#2",
      "0 12 * * 5L",
      "0 0 ? * *",
      "@yearly",
      "@annually",
      "@monthly",
      "@weekly",
      "@daily",
      "@hourly",
      "@minutely",
      "@secondly",
      "@weekdays",
      "@weekends",
    ]) {
      assert.equal((scheduleOf({ kind: "cron", expression }) as { expression: string }).expression, expression);
    }
  });

  it("cron: rejected expressions", () => {
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /required/],
      [null, /required/],
      [42, /string/],
      [["0 3 * * *"], /string/],
      ["", /empty/],
      ["   ", /empty/],
      ["0 3 * * *" + " ".repeat(10) + "*".repeat(200), /at most 200/],
      ["1,".repeat(100) + "2 * * * *", /at most 200/],
      ["* * * *", /5 fields .* or 6/],
      ["0 0 0 * * * *", /5 fields .* or 6/],
      ["0 3 * * * 0 0 3 * * *", /5 fields .* or 6/],
      ["H * * * *", /H \(random/],
      ["H/5 * * * *", /H \(random/],
      ["0 H(0-3) * * *", /H \(random/],
      ["0 0 * * H", /H \(random/],
      ["0 0 * * THUH", /H \(random/],
      ["@reboot", /predefined/],
      ["@DAILY", /predefined/],
      ["@daily 0", /predefined/],
      ["61 * * * *", /not a valid cron expression/],
      ["0 24 * * *", /not a valid cron expression/],
      ["0 0 32 * *", /not a valid cron expression/],
      ["0 0 * 13 *", /not a valid cron expression/],
      ["0 0 * * 8", /not a valid cron expression/],
      ["*/0 * * * *", /not a valid cron expression/],
      ["5-1 * * * *", /not a valid cron expression/],
      ["0 0 1W * *", /not a valid cron expression/],
      ["0 0 * * FOO", /not a valid cron expression/],
      ["a b c d e", /not a valid cron expression/],
      ["0 0 30 2 *", /never matches/],
      ["0 0 31 4,6,9,11 *", /never matches/],
    ];
    for (const [expression, message] of cases) {
      const errors = errorsOf({ kind: "cron", expression, timezone: "UTC" });
      assert.deepEqual(
        errors.map((e) => e.field),
        ["schedule.expression"],
        String(expression),
      );
      assert.match(errors[0].message, message, String(expression));
    }
  });

  it("cron: dialect is cron (the default) or kubernetes, each with its own grammar", () => {
    assert.equal((scheduleOf({ kind: "cron", expression: "0 3 * * *" }) as { dialect: string }).dialect, "cron");
    assert.equal(
      (scheduleOf({ kind: "cron", expression: "0 3 * * *", dialect: "kubernetes" }) as { dialect: string }).dialect,
      "kubernetes",
    );
    for (const bad of ["systemd", "", 5, {}, "CRON"]) {
      assert.deepEqual(
        fieldsOf({ kind: "cron", expression: "0 3 * * *", dialect: bad }),
        ["schedule.dialect"],
        String(bad),
      );
    }
    // robfig/cron v3 reads 5 fields, 0-6 weekdays, its own descriptors, no L or #
    for (const good of ["0 3 * * *", "@midnight", "@hourly", "0 0 ? * MON-FRI", "*/5 * * * *", "0 0 1,15 * sun"]) {
      assert.equal(
        (scheduleOf({ kind: "cron", expression: good, dialect: "kubernetes" }) as { expression: string }).expression,
        good,
      );
    }
    const kubernetesErrors: Array<[string, RegExp]> = [
      ["*/2 * * * * *", /exactly 5 fields/],
      ["0 0 * * 7", /above 6/],
      ["0 0 L * *", /not a valid cron expression/],
      ["0 8 * * 1#2", /not a valid cron expression/],
      ["@every 1h", /interval/],
      ["@weekdays", /unknown descriptor/],
      ["TZ=UTC 0 3 * * *", /timeZone/],
    ];
    for (const [expression, message] of kubernetesErrors) {
      const errors = errorsOf({ kind: "cron", expression, timezone: "UTC", dialect: "kubernetes" });
      assert.deepEqual(
        errors.map((e) => e.field),
        ["schedule.expression"],
        expression,
      );
      assert.match(errors[0].message, message, expression);
    }
    // Debian cron's 7 is Sunday
    assert.equal(
      (scheduleOf({ kind: "cron", expression: "0 0 * * 7" }) as { expression: string }).expression,
      "0 0 * * 7",
    );
  });

  it("oncalendar: one or more systemd calendar events, the cron options, no dialect", () => {
    assert.deepEqual(
      scheduleOf({ kind: "oncalendar", expressions: ["Mon..Fri  09:00", "Sat 10:00"], timezone: "Europe/Berlin" }),
      {
        kind: "oncalendar",
        expressions: ["Mon..Fri 09:00", "Sat 10:00"],
        timezone: "Europe/Berlin",
        graceSeconds: 300,
        deadline: "grace",
      },
    );
    // one string, one expression a line (healthchecks.io keeps them so)
    assert.deepEqual(
      (scheduleOf({ kind: "oncalendar", expressions: "daily\nweekly\n" }) as { expressions: string[] }).expressions,
      ["daily", "weekly"],
    );
    assert.deepEqual(
      (scheduleOf({ kind: "oncalendar", expressions: ["16:05"], deadline: "end-of-day" }) as { deadline: string })
        .deadline,
      "end-of-day",
    );
    assert.deepEqual(fieldsOf({ kind: "oncalendar" }), ["schedule.expressions"]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: [] }), ["schedule.expressions"]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: Array(11).fill("daily") }), ["schedule.expressions"]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: ["daily", "Mnn 10:00"] }), [
      "schedule.expressions[1]",
    ]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: ["daily", 5] }), ["schedule.expressions[1]"]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: ["Mon 10:00 Europe/Berlin"] }), [
      "schedule.expressions[0]",
    ]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: ["2020-01-01 00:00"] }), ["schedule.expressions"]);
    assert.deepEqual(fieldsOf({ kind: "oncalendar", expressions: ["daily"], dialect: "cron" }), ["schedule.dialect"]);
  });

  it("parseInstant: epoch ms or ISO 8601 with an offset", () => {
    assert.equal(parseInstant(1774746000000), 1774746000000);
    assert.equal(parseInstant("1774746000000"), 1774746000000);
    assert.equal(parseInstant("2026-03-29T01:00:00Z"), 1774746000000);
    assert.equal(parseInstant("2026-03-29T03:00:00+02:00"), 1774746000000);
    assert.equal(parseInstant("2026-03-29"), Date.parse("2026-03-29T00:00:00Z"));
    for (const bad of ["2026-03-29T03:00:00", "yesterday", "", "2026-13-01T00:00:00Z", "-5", "1e12"])
      assert.ok(Number.isNaN(parseInstant(bad)), bad);
    for (const bad of [-1, 1.5, Number.NaN, Infinity]) assert.ok(Number.isNaN(parseInstant(bad)), String(bad));
  });

  it("cron: reports every invalid field at once", () => {
    assert.deepEqual(
      fieldsOf({ kind: "cron", expression: "", timezone: "Nowhere/Land", deadline: "x", graceSeconds: -5 }),
      ["schedule.expression", "schedule.timezone", "schedule.deadline", "schedule.graceSeconds"],
    );
  });

  it("never throws on junk", () => {
    const throwing = {
      get kind(): string {
        throw new Error("boom");
      },
    };
    const proxy = new Proxy(
      {},
      {
        getOwnPropertyDescriptor() {
          throw new Error("boom");
        },
        get() {
          throw new Error("boom");
        },
      },
    );
    const junk: unknown[] = [
      null,
      undefined,
      [],
      "x",
      0,
      -1,
      Number.NaN,
      true,
      Symbol("x"),
      () => 1,
      new Date(),
      /re/,
      new Map(),
      Object.create(null),
      { kind: {} },
      { kind: [] },
      { kind: "cron" },
      { kind: "cron", expression: {} },
      { kind: "cron", expression: [] },
      { kind: "cron", expression: "0 0 * * *", timezone: {} },
      { kind: "cron", expression: "0 0 * * *", timezone: [] },
      { kind: "cron", expression: "\u0000\u0001", timezone: "\u0000" },
      { kind: "cron", expression: "0 0 * * *", timezone: "Europe/Berlin", graceSeconds: { valueOf: () => 5 } },
      { kind: "interval", periodSeconds: { valueOf: () => 5 }, graceSeconds: Symbol("g") },
      { kind: "interval", periodSeconds: Number.MAX_VALUE, graceSeconds: Number.MIN_VALUE },
      { kind: "cron", expression: "x".repeat(100_000) },
      { kind: "cron", expression: " ".repeat(100_000) },
      { kind: "cron", expression: "0 0 * * *", timezone: "x".repeat(100_000) },
      JSON.parse('{"__proto__": {"kind": "interval"}, "constructor": 1}'),
      JSON.parse('{"kind": "cron", "expression": "0 0 * * *", "__proto__": null}'),
      throwing,
      proxy,
    ];
    for (const input of junk) {
      for (const tz of ["UTC", "", "Nowhere/Land"]) {
        let result: ReturnType<typeof parseSchedule> | undefined;
        assert.doesNotThrow(() => {
          result = parseSchedule(input, tz);
        });
        assert.ok(result !== undefined && typeof result.ok === "boolean");
        if (result !== undefined && !result.ok) {
          assert.ok(result.errors.length > 0);
          for (const e of result.errors)
            assert.ok(typeof e.field === "string" && e.field.startsWith("schedule") && e.message.length > 0);
        }
      }
    }
  });

  it("every accepted schedule can be evaluated", () => {
    for (const input of [
      { kind: "interval", periodSeconds: 1, graceSeconds: 0 },
      { kind: "cron", expression: "@yearly", timezone: "Pacific/Kiritimati" },
      { kind: "cron", expression: "0 9 29 2 *", deadline: "end-of-day" },
      { kind: "cron", expression: "0 0 * 2 1#5", timezone: "Europe/Berlin" }, // a fifth Monday in February: 2044-02-29
    ]) {
      const schedule = scheduleOf(input);
      const from = at("2026-01-01T00:00:00Z");
      const d = deadlinesAfterArm(schedule, from);
      assert.ok(d.expectedAt > from && d.lateAt === d.expectedAt && d.downAt >= d.lateAt);
      assert.ok(deadlinesAfterPing(schedule, d.expectedAt).expectedAt > d.expectedAt);
    }
    assert.equal(
      iso(
        deadlinesAfterArm(
          scheduleOf({ kind: "cron", expression: "0 0 * 2 1#5", timezone: "Europe/Berlin" }),
          at("2026-01-01T00:00:00Z"),
        ).expectedAt,
      ),
      "2044-02-28T23:00:00.000Z",
    );
  });
});
