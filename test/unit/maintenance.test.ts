import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  activeAt,
  activeUntil,
  activeWindowsFor,
  covers,
  fateOfHeld,
  nextChange,
  parseWindow,
  type WindowRule,
} from "../../core/schedule/maintenance.ts";

const at = (s: string): number => Date.parse(s);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

describe("maintenance windows: one-off", () => {
  const once: WindowRule = { kind: "once", startsAt: at("2026-05-01T10:00:00Z"), endsAt: at("2026-05-01T12:00:00Z") };
  it("is active from its start (inclusive) to its end (exclusive)", () => {
    assert.equal(activeAt(once, at("2026-05-01T09:59:59.999Z")), false);
    assert.equal(activeAt(once, at("2026-05-01T10:00:00Z")), true);
    assert.equal(activeAt(once, at("2026-05-01T11:59:59.999Z")), true);
    assert.equal(activeAt(once, at("2026-05-01T12:00:00Z")), false);
  });
  it("knows its end and its next change", () => {
    assert.equal(iso(activeUntil(once, at("2026-05-01T11:00:00Z"))), "2026-05-01T12:00:00.000Z");
    assert.equal(activeUntil(once, at("2026-05-01T13:00:00Z")), null);
    assert.equal(iso(nextChange(once, at("2026-05-01T08:00:00Z"))), "2026-05-01T10:00:00.000Z");
    assert.equal(iso(nextChange(once, at("2026-05-01T10:30:00Z"))), "2026-05-01T12:00:00.000Z");
    assert.equal(nextChange(once, at("2026-05-01T12:00:00Z")), null);
  });
});

describe("maintenance windows: recurring", () => {
  // Every Sunday 02:30 New York time, for one hour.
  const sunday: WindowRule = {
    kind: "recurring",
    expression: "30 2 * * 0",
    durationSeconds: 3600,
    timezone: "America/New_York",
  };
  it("opens at the local wall time, in winter and summer", () => {
    assert.equal(activeAt(sunday, at("2026-01-04T07:30:00Z")), true); // 02:30 EST
    assert.equal(activeAt(sunday, at("2026-01-04T07:29:59Z")), false);
    assert.equal(activeAt(sunday, at("2026-01-04T08:30:00Z")), false);
    assert.equal(activeAt(sunday, at("2026-06-07T06:30:00Z")), true); // 02:30 EDT
    assert.equal(activeAt(sunday, at("2026-06-07T07:29:59Z")), true);
    assert.equal(activeAt(sunday, at("2026-06-07T07:30:00Z")), false);
  });
  it("on the spring-forward night the skipped 02:30 runs at 03:00 EDT, right after the change, as cron runs it", () => {
    assert.equal(activeAt(sunday, at("2026-03-08T06:59:00Z")), false);
    assert.equal(activeAt(sunday, at("2026-03-08T07:00:00Z")), true);
    assert.equal(iso(activeUntil(sunday, at("2026-03-08T07:45:00Z"))), "2026-03-08T08:00:00.000Z");
  });
  it("gives the next start when inactive and the end when active", () => {
    assert.equal(iso(nextChange(sunday, at("2026-01-05T00:00:00Z"))), "2026-01-11T07:30:00.000Z");
    assert.equal(iso(nextChange(sunday, at("2026-01-11T07:40:00Z"))), "2026-01-11T08:30:00.000Z");
  });
  it("merges overlapping occurrences into one stretch", () => {
    // every minute for 90 s: always active, but a stretch must end somewhere finite
    const minutely: WindowRule = { kind: "recurring", expression: "* * * * *", durationSeconds: 90, timezone: "UTC" };
    assert.equal(activeAt(minutely, at("2026-01-01T00:00:30Z")), true);
    const hourly: WindowRule = { kind: "recurring", expression: "0,1 * * * *", durationSeconds: 90, timezone: "UTC" };
    assert.equal(iso(activeUntil(hourly, at("2026-01-01T05:00:10Z"))), "2026-01-01T05:02:30.000Z");
    assert.equal(activeAt(hourly, at("2026-01-01T05:02:30Z")), false);
  });
  it("evaluates in a zone with no DST", () => {
    const daily: WindowRule = {
      kind: "recurring",
      expression: "0 16 * * *",
      durationSeconds: 600,
      timezone: "Asia/Shanghai",
    };
    assert.equal(activeAt(daily, at("2026-07-01T08:05:00Z")), true);
    assert.equal(activeAt(daily, at("2026-07-01T16:05:00Z")), false);
  });
});

describe("maintenance windows: scope", () => {
  const windows = [
    { id: 1, monitorIds: [7], tags: [], rule: { kind: "once", startsAt: 0, endsAt: 100 } as WindowRule },
    { id: 2, monitorIds: [], tags: ["db"], rule: { kind: "once", startsAt: 50, endsAt: 200 } as WindowRule },
  ];
  it("covers a monitor by id or by any of its tags", () => {
    assert.equal(covers(windows[0]!, 7, []), true);
    assert.equal(covers(windows[0]!, 8, ["db"]), false);
    assert.equal(covers(windows[1]!, 8, ["web", "db"]), true);
    assert.equal(covers(windows[1]!, 8, ["web"]), false);
  });
  it("lists the active windows of a monitor", () => {
    assert.deepEqual(activeWindowsFor(windows, 7, ["db"], 60), [1, 2]);
    assert.deepEqual(activeWindowsFor(windows, 7, ["db"], 150), [2]);
    assert.deepEqual(activeWindowsFor(windows, 7, [], 150), []);
  });
});

describe("maintenance windows: validation", () => {
  const fields = (input: unknown): string[] => {
    const r = parseWindow(input, "UTC");
    return r.ok ? [] : r.errors.map((e) => e.field);
  };
  it("accepts a one-off and a recurring window", () => {
    const once = parseWindow(
      {
        name: " deploy ",
        rule: { kind: "once", startsAt: "2026-05-01T10:00:00Z", endsAt: "2026-05-01T11:00:00Z" },
        tags: ["DB"],
      },
      "UTC",
    );
    assert.ok(once.ok);
    assert.deepEqual(once.window, {
      name: "deploy",
      rule: { kind: "once", startsAt: at("2026-05-01T10:00:00Z"), endsAt: at("2026-05-01T11:00:00Z") },
      monitorIds: [],
      tags: ["db"],
    });
    const rec = parseWindow(
      {
        name: "nightly",
        rule: { kind: "recurring", expression: "0 3 * * *", durationSeconds: 60 },
        monitorIds: [1, 1],
      },
      "Europe/Berlin",
    );
    assert.ok(rec.ok);
    assert.deepEqual(rec.window.rule, {
      kind: "recurring",
      expression: "0 3 * * *",
      durationSeconds: 60,
      timezone: "Europe/Berlin",
    });
    assert.deepEqual(rec.window.monitorIds, [1]);
  });
  it("names the field of each mistake", () => {
    const base = { name: "w", monitorIds: [1] };
    assert.deepEqual(fields({ ...base, rule: { kind: "recurring", expression: "61 * * * *", durationSeconds: 60 } }), [
      "rule.expression",
    ]);
    assert.deepEqual(fields({ ...base, rule: { kind: "recurring", expression: "0 * * * *", durationSeconds: 0 } }), [
      "rule.durationSeconds",
    ]);
    assert.deepEqual(
      fields({
        ...base,
        rule: { kind: "recurring", expression: "0 * * * *", durationSeconds: 60, timezone: "Mars/Olympus" },
      }),
      ["rule.timezone"],
    );
    assert.deepEqual(
      fields({ ...base, rule: { kind: "once", startsAt: "2026-05-01T10:00:00Z", endsAt: "2026-05-01T09:00:00Z" } }),
      ["rule.endsAt"],
    );
    assert.deepEqual(
      fields({ ...base, rule: { kind: "once", startsAt: "yesterday", endsAt: "2026-05-01T09:00:00Z" } }),
      ["rule.startsAt"],
    );
    assert.deepEqual(fields({ ...base, rule: { kind: "weekly" } }), ["rule.kind"]);
    assert.deepEqual(fields({ name: "w", rule: { kind: "once", startsAt: 1, endsAt: 2 } }), ["monitorIds"]);
    assert.deepEqual(fields({ name: "", monitorIds: ["x"], rule: { kind: "once", startsAt: 1, endsAt: 2 } }), [
      "name",
      "monitorIds",
    ]);
  });
});

describe("maintenance windows: held alerts at the end", () => {
  const told = new Set([7]);
  const down = { status: "down", lastDownFlipId: 20, lastUpFlipId: 10, toldOfLastDown: new Set<number>() };
  const up = { status: "up", lastDownFlipId: 20, lastUpFlipId: 30, toldOfLastDown: told };
  it("a monitor still down sends its last down alert, nothing else", () => {
    assert.equal(fateOfHeld({ flipId: 20, round: 0, channelId: 7 }, down), "release");
    assert.equal(fateOfHeld({ flipId: 20, round: 2, channelId: 7 }, down), "suppress", "reminders");
    assert.equal(fateOfHeld({ flipId: 10, round: 0, channelId: 7 }, down), "suppress", "an earlier recovery");
    assert.equal(fateOfHeld({ flipId: 5, round: 0, channelId: 7 }, down), "suppress", "an earlier down");
  });
  it("a recovery goes only to channels that were told of the down", () => {
    assert.equal(fateOfHeld({ flipId: 30, round: 0, channelId: 7 }, up), "release");
    assert.equal(fateOfHeld({ flipId: 30, round: 0, channelId: 8 }, up), "suppress");
    assert.equal(
      fateOfHeld({ flipId: 30, round: 0, channelId: 7 }, { ...up, toldOfLastDown: new Set() }),
      "suppress",
      "down and up inside the window",
    );
    assert.equal(fateOfHeld({ flipId: 30, round: 0, channelId: 7 }, { ...up, status: "paused" }), "suppress");
    assert.equal(fateOfHeld({ flipId: 30, round: 0, channelId: 7 }, { ...up, status: "late" }), "release");
  });
});
