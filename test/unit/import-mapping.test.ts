// The pure mappings of the imports: the original tool's schedules and rows, healthchecks.io checks.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mapOriginal, originalSchedule } from "../../core/import/heartbeats-mysql.ts";
import { mapHealthchecks } from "../../core/import/healthchecks.ts";
import { mapBackup } from "../../core/import/backup.ts";
import { ImportInputError } from "../../core/import/plan.ts";

const TZ = "Asia/Shanghai";

describe("the original tool's schedules", () => {
  it("every: value and grace in minutes become an interval in seconds", () => {
    assert.deepEqual(originalSchedule({ tp: "every", value: "15", grace: 2 }, TZ), {
      schedule: { kind: "interval", periodSeconds: 900, graceSeconds: 120 },
    });
  });
  it("at: a daily cron in the zone, down at HH:MM + grace (check.py)", () => {
    assert.deepEqual(originalSchedule({ tp: "at", value: "16:05", grace: 30 }, TZ), {
      schedule: {
        kind: "cron",
        expression: "5 16 * * *",
        timezone: TZ,
        dialect: "cron",
        graceSeconds: 1800,
        deadline: "grace",
      },
    });
    assert.deepEqual(originalSchedule({ tp: "at", value: "7:00:00", grace: "0" }, TZ), {
      schedule: {
        kind: "cron",
        expression: "0 7 * * *",
        timezone: TZ,
        dialect: "cron",
        graceSeconds: 0,
        deadline: "grace",
      },
    });
  });
  it("at: a grace reaching past midnight becomes the end-of-day deadline", () => {
    assert.deepEqual(originalSchedule({ tp: "at", value: "23:30", grace: 30 }, TZ), {
      schedule: { kind: "cron", expression: "30 23 * * *", timezone: TZ, dialect: "cron", deadline: "end-of-day" },
    });
  });
  it("says why a row has no schedule", () => {
    assert.match((originalSchedule({ tp: "every", value: "0", grace: 1 }, TZ) as { reason: string }).reason, /minutes/);
    assert.match((originalSchedule({ tp: "at", value: "25:00", grace: 1 }, TZ) as { reason: string }).reason, /HH:MM/);
    assert.match(
      (originalSchedule({ tp: "cron", value: "* * * * *", grace: 1 }, TZ) as { reason: string }).reason,
      /tp "cron"/,
    );
    assert.match((originalSchedule({ tp: "every", value: "5", grace: -1 }, TZ) as { reason: string }).reason, /grace/);
  });
});

describe("the original tool's rows", () => {
  const rows = {
    services: [
      {
        id: 1,
        name: "a",
        status: "running",
        tp: "every",
        value: "5",
        grace: 1,
        notify_to: " x@example.org ; y@example.org;",
        short_url: "abcde",
      },
      {
        id: 2,
        name: "b",
        status: "stoped",
        tp: "every",
        value: "5",
        grace: 1,
        notify_to: "x@example.org",
        short_url: "has space",
      },
    ],
    tags: [
      { id: 1, name: "Prod" },
      { id: 2, name: "a,b" },
    ],
    serviceTags: [
      { service_id: 1, tag_id: 1 },
      { service_id: 1, tag_id: 2 },
    ],
    pings: [{ service_id: 1, remote_addr: null, ua: "", data: "boom", created: "2026-03-01 02:00:00" }],
  };
  it("one email channel per address, tags cleaned, pings as UTC, unusable codes skipped", () => {
    const plan = mapOriginal(rows, { timezone: TZ, smtp: { url: "smtp://relay:25", from: "hb@example.org" } });
    assert.deepEqual(
      plan.channels.map((c) => c.config.to),
      [["x@example.org"], ["y@example.org"]],
    );
    assert.equal(plan.monitors.length, 1);
    assert.deepEqual(plan.monitors[0]!.channels, ["email:x@example.org", "email:y@example.org"]);
    assert.deepEqual(plan.monitors[0]!.tags, ["prod"]);
    assert.deepEqual(plan.monitors[0]!.pings, [
      { kind: "fail", data: "boom", receivedAt: Date.UTC(2026, 2, 1, 2), sourceIp: null, userAgent: null },
    ]);
    assert.deepEqual(
      plan.skipped.map((s) => s.kind),
      ["tag", "monitor"],
    );
  });
  it("without SMTP no channels, and the report says so once", () => {
    const plan = mapOriginal({ ...rows, pings: undefined }, { timezone: TZ, smtp: null });
    assert.deepEqual(plan.channels, []);
    assert.equal(plan.skipped.filter((s) => /SMTP/.test(s.reason)).length, 1);
    assert.equal(plan.monitors[0]!.pings, undefined);
  });
});

describe("healthchecks.io checks", () => {
  const uuid = "31365bce-8da9-4729-8ff3-aaa71d56b712";
  it("a read-only listing (no ping_url) is skipped with the reason", () => {
    const plan = mapHealthchecks(
      { checks: [{ name: "x", unique_key: "a".repeat(40), timeout: 60, grace: 60 }] },
      "UTC",
    );
    assert.equal(plan.monitors.length, 0);
    assert.match(plan.skipped[0]!.reason, /read-only/);
  });
  it("cron without tz takes the default zone; the uuid is lower-cased", () => {
    const plan = mapHealthchecks(
      [{ name: "x", schedule: "*/5 * * * *", grace: 60, ping_url: `https://hc-ping.com/${uuid.toUpperCase()}` }],
      "Europe/Riga",
    );
    assert.equal(plan.monitors[0]!.code, uuid);
    assert.deepEqual(plan.monitors[0]!.schedule, {
      kind: "cron",
      expression: "*/5 * * * *",
      timezone: "Europe/Riga",
      dialect: "cron",
      graceSeconds: 60,
      deadline: "grace",
    });
  });

  it("an OnCalendar check (one calendar event a line) becomes an oncalendar monitor in its zone", () => {
    const plan = mapHealthchecks(
      [
        {
          name: "t",
          grace: 120,
          schedule: "Mon..Fri 09:00\nSat,Sun 10:30\n",
          tz: "Asia/Tokyo",
          ping_url: "https://hc-ping.com/9b1cbd9f-0d5a-4a4f-8d1e-52a8f1a2f0c4",
        },
      ],
      "UTC",
    );
    assert.deepEqual(plan.skipped, []);
    assert.deepEqual(plan.monitors[0]!.schedule, {
      kind: "oncalendar",
      expressions: ["Mon..Fri 09:00", "Sat,Sun 10:30"],
      timezone: "Asia/Tokyo",
      graceSeconds: 120,
      deadline: "grace",
    });
  });
  it("malformed fields are named", () => {
    assert.throws(
      () => mapHealthchecks({ checks: {} }, "UTC"),
      (e: ImportInputError) => e.field === "checks",
    );
    assert.throws(
      () => mapHealthchecks({ checks: [{ name: 3 }] }, "UTC"),
      (e: ImportInputError) => e.field === "checks[0].name",
    );
    assert.throws(
      () => mapHealthchecks({ checks: [{ name: "x", grace: -1 }] }, "UTC"),
      (e: ImportInputError) => e.field === "checks[0].grace",
    );
  });
});

describe("backup files", () => {
  it("must say their format and version", () => {
    assert.throws(
      () => mapBackup({ monitors: [] }),
      (e: ImportInputError) => e.field === "format",
    );
    assert.throws(
      () => mapBackup({ format: "heartbeats-backup", version: 2 }),
      (e: ImportInputError) => e.field === "version",
    );
    assert.throws(
      () => mapBackup({ format: "heartbeats-backup", version: 1, monitors: [{ code: "x", name: "y", schedule: 5 }] }),
      (e: ImportInputError) => e.field === "monitors[0].schedule",
    );
  });

  it("carry a monitor's parents by code and a running snooze; older files have neither", () => {
    const monitor = {
      code: "child",
      name: "child",
      schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
    };
    const file = (m: Record<string, unknown>) => ({ format: "heartbeats-backup", version: 1, monitors: [m] });
    const [m] = mapBackup(
      file({ ...monitor, dependsOn: ["db", "net"], snoozedUntil: "2031-01-01T00:00:00.000Z" }),
    ).monitors;
    assert.deepEqual(m!.dependsOn, ["db", "net"]);
    assert.equal(m!.snoozedUntil, Date.parse("2031-01-01T00:00:00.000Z"));
    const [old] = mapBackup(file(monitor)).monitors;
    assert.equal(old!.dependsOn, undefined);
    assert.equal(old!.snoozedUntil, undefined);
    assert.equal(mapBackup(file({ ...monitor, snoozedUntil: null })).monitors[0]!.snoozedUntil, undefined);
    assert.throws(
      () => mapBackup(file({ ...monitor, snoozedUntil: "soon" })),
      (e: ImportInputError) => e.field === "monitors[0].snoozedUntil",
    );
    assert.throws(
      () => mapBackup(file({ ...monitor, dependsOn: "db" })),
      (e: ImportInputError) => e.field === "monitors[0].dependsOn",
    );
  });
});
