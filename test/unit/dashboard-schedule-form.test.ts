// The dashboard's monitor form logic (dashboard/src/app/monitors/schedule-form.ts), run with real
// Angular forms in Node: schedule switching (interval, cron with its dialect, systemd OnCalendar),
// units, validation messages, API errors -> controls, preview parameters, and the preview's DST
// notes in both languages (dashboard/src/app/monitors/clock-change.ts).

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  addTags,
  applyApiErrors,
  controlPathForField,
  createMonitorForm,
  emptyMonitorValue,
  errorMessage,
  formValueToInput,
  formatDuration,
  fromSeconds,
  monitorToFormValue,
  previewParams,
  scheduleFromApi,
  scheduleToApi,
  splitTags,
  switchKind,
  toSeconds,
  wallTimeToInstant,
  zoneOffsetMs,
  MAX_SECONDS,
} from "../../dashboard/src/app/monitors/schedule-form.ts";
import { clockChangeText, utcOffsetText } from "../../dashboard/src/app/monitors/clock-change.ts";
import { parseApiError } from "../../dashboard/src/app/api/api-error.ts";
import type { ClockChange, Monitor, PreviewRun, Schedule } from "../../dashboard/src/app/api/models.ts";

function filledForm() {
  const form = createMonitorForm();
  form.controls.name.setValue("backup");
  const s = form.controls.schedule.controls;
  s.period.setValue(2);
  s.periodUnit.setValue("hours");
  s.grace.setValue(10);
  s.graceUnit.setValue("minutes");
  return form;
}

test("units: to seconds and back to the largest whole unit", () => {
  assert.equal(toSeconds(2, "seconds"), 2);
  assert.equal(toSeconds(5, "minutes"), 300);
  assert.equal(toSeconds(1.5, "hours"), 5400);
  assert.equal(toSeconds(2, "days"), 172_800);
  assert.equal(toSeconds(null, "days"), null);
  assert.equal(toSeconds(Number.NaN, "days"), null);
  assert.deepEqual(fromSeconds(86_400), { value: 1, unit: "days" });
  assert.deepEqual(fromSeconds(7200), { value: 2, unit: "hours" });
  assert.deepEqual(fromSeconds(5400), { value: 90, unit: "minutes" });
  assert.deepEqual(fromSeconds(90), { value: 90, unit: "seconds" });
  assert.deepEqual(fromSeconds(0), { value: 0, unit: "minutes" });
  assert.deepEqual(fromSeconds(null), { value: null, unit: "minutes" });
  assert.equal(formatDuration(3600), "1 hour");
  assert.equal(formatDuration(300), "5 minutes");
  assert.equal(formatDuration(MAX_SECONDS), "365 days");
});

test("a new form: seconds as the unit, empty period and grace are required", () => {
  const form = createMonitorForm();
  const s = form.controls.schedule.controls;
  assert.equal(s.kind.value, "interval");
  assert.equal(s.periodUnit.value, "seconds");
  assert.ok(form.invalid);
  assert.equal(errorMessage(form.controls.name.errors, "Name"), "Name is required");
  assert.equal(errorMessage(s.period.errors, "Period"), "Period is required");
  s.period.setValue(2);
  s.grace.setValue(2);
  form.controls.name.setValue("job");
  assert.ok(form.valid);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), { kind: "interval", periodSeconds: 2, graceSeconds: 2 });
});

test("interval -> cron: the interval fields drop out of the value, cron's come in; back again keeps the period", () => {
  const form = filledForm();
  const schedule = form.controls.schedule;
  const s = schedule.controls;
  assert.ok(form.valid);
  assert.deepEqual(Object.keys(schedule.value).sort(), ["grace", "graceUnit", "kind", "period", "periodUnit"]);

  switchKind(schedule, "cron");
  assert.ok(s.period.disabled && s.periodUnit.disabled, "period is not part of a cron schedule");
  assert.ok(s.expression.enabled && s.timezone.enabled && s.endOfDay.enabled);
  assert.ok(!("period" in schedule.value));
  assert.ok(s.timezone.value, "a time zone is filled in (the browser's)");
  assert.equal(s.grace.value, 10, "grace is shared by both kinds");
  assert.ok(form.invalid, "an empty expression is required");
  assert.equal(errorMessage(s.expression.errors, "Expression"), "Expression is required");

  s.expression.setValue("0 3 * * *");
  s.timezone.setValue("Europe/Berlin");
  assert.ok(form.valid);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), {
    kind: "cron",
    expression: "0 3 * * *",
    timezone: "Europe/Berlin",
    dialect: "cron",
    graceSeconds: 600,
    deadline: "grace",
  });

  // "Until the end of the day" replaces the grace time.
  s.endOfDay.setValue(true);
  assert.ok(s.grace.disabled);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), {
    kind: "cron",
    expression: "0 3 * * *",
    timezone: "Europe/Berlin",
    dialect: "cron",
    graceSeconds: 0,
    deadline: "end-of-day",
  });

  switchKind(schedule, "interval");
  assert.ok(s.expression.disabled && s.timezone.disabled && s.endOfDay.disabled);
  assert.ok(s.grace.enabled, "grace comes back for intervals even if end-of-day was on");
  assert.equal(s.period.value, 2);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), {
    kind: "interval",
    periodSeconds: 7200,
    graceSeconds: 600,
  });
  assert.ok(form.valid, "a bad cron expression no longer matters");
});

test("switching to cron with no grace fills the API's default of 5 minutes", () => {
  const form = createMonitorForm();
  switchKind(form.controls.schedule, "cron");
  const s = form.controls.schedule.controls;
  assert.equal(toSeconds(s.grace.value, s.graceUnit.value), 300);
});

test("validators: limits in seconds follow the unit, cron fields, time zones, tags", () => {
  const form = filledForm();
  const s = form.controls.schedule.controls;
  s.period.setValue(400);
  s.periodUnit.setValue("days");
  assert.equal(errorMessage(s.period.errors, "Period"), "Period must be at most 365 days");
  s.periodUnit.setValue("hours");
  assert.equal(s.period.errors, null, "changing the unit re-validates");
  s.period.setValue(0);
  assert.equal(errorMessage(s.period.errors, "Period"), "Period must be at least 1 second");
  s.period.setValue(-1);
  assert.equal(errorMessage(s.period.errors, "Period"), "Period must not be negative");
  s.period.setValue(1.5);
  s.periodUnit.setValue("seconds");
  assert.equal(errorMessage(s.period.errors, "Period"), "Period must be a whole number of seconds");
  s.periodUnit.setValue("minutes");
  assert.equal(s.period.errors, null, "1.5 minutes is 90 seconds");

  s.grace.setValue(0);
  assert.equal(s.grace.errors, null, "no grace is fine");

  switchKind(form.controls.schedule, "cron");
  s.expression.setValue("* * *");
  assert.match(errorMessage(s.expression.errors, "Expression"), /5 fields .* this has 3/);
  s.expression.setValue("@sometimes");
  assert.match(errorMessage(s.expression.errors, "Expression"), /Unknown shortcut/);
  s.expression.setValue("@daily");
  assert.equal(s.expression.errors, null);
  s.expression.setValue("*/5 * * * * *");
  assert.equal(s.expression.errors, null, "six fields: seconds first");
  s.timezone.setValue("Mars/Olympus");
  assert.equal(errorMessage(s.timezone.errors, "Time zone"), "Pick a time zone from the list, e.g. Europe/Berlin");
  s.timezone.setValue("America/New_York");
  assert.equal(s.timezone.errors, null);

  form.controls.name.setValue("   ");
  assert.equal(errorMessage(form.controls.name.errors, "Name"), "Name is required");
  form.controls.name.setValue("x".repeat(201));
  assert.equal(errorMessage(form.controls.name.errors, "Name"), "Name must be at most 200 characters");

  form.controls.tags.setValue(["y".repeat(65)]);
  assert.equal(errorMessage(form.controls.tags.errors, "Tags"), "A tag must be at most 64 characters");

  form.controls.repeatEvery.setValue(null);
  assert.equal(form.controls.repeatEvery.errors, null, "no reminders is fine");
  form.controls.repeatEvery.setValue(31);
  form.controls.repeatUnit.setValue("days");
  assert.equal(
    errorMessage(form.controls.repeatEvery.errors, "Reminder interval"),
    "Reminder interval must be at most 30 days",
  );
});

test("tags: comma-separated text becomes chips, trimmed, lower-cased, no duplicates", () => {
  assert.deepEqual(splitTags("a, b"), ["a", "b"]);
  assert.deepEqual(splitTags(" Backup ,,nightly, backup "), ["backup", "nightly"]);
  assert.deepEqual(splitTags(""), []);
  assert.deepEqual(addTags(["a"], "a, B,c"), ["a", "b", "c"]);
});

test("form <-> API: a monitor fills the form and the form gives back the same body", () => {
  const monitor: Monitor = {
    id: 7,
    code: "abc",
    name: "Nightly",
    description: "db dump",
    schedule: {
      kind: "cron",
      expression: "0 3 * * *",
      timezone: "Europe/Berlin",
      dialect: "kubernetes",
      graceSeconds: 1800,
      deadline: "grace",
    },
    tags: ["db", "nightly"],
    channels: [1, 3],
    repeatEverySeconds: 7200,
    maxRunSeconds: 900,
    slowFactor: 2.5,
    slowWindow: 30,
    failureThreshold: 3,
    recoveryThreshold: 2,
    failureRate: { failures: 3, runs: 5 },
    minRunSeconds: 60,
    minGapSeconds: null,
    reportUnexpectedRuns: true,
    rateWindow: { runs: 2, failed: 1 },
    consecutiveFailures: 0,
    consecutiveSuccesses: 4,
    runDeadlineAt: null,
    snoozedUntil: null,
    dependsOn: [4],
    parents: [{ id: 4, name: "db", status: "up" }],
    children: [],
    status: "up",
    paused: false,
    lastPingAt: null,
    lastPingKind: null,
    nextDueAt: null,
    downAt: null,
    statusChangedAt: null,
    createdAt: "2024-01-01T00:00:00.000Z",
    updatedAt: "2024-01-01T00:00:00.000Z",
    timezone: "Europe/Berlin",
    maintenance: [],
    uptime: { day: null, week: null, month: null },
    recentRuns: [],
  };
  const v = monitorToFormValue(monitor);
  assert.equal(v.schedule.dialect, "kubernetes", "editing a CronJob's monitor keeps its dialect");
  assert.equal(v.schedule.grace, 30);
  assert.equal(v.schedule.graceUnit, "minutes");
  assert.equal(v.repeatEvery, 2);
  assert.equal(v.repeatUnit, "hours");
  const form = createMonitorForm(v);
  assert.ok(form.valid);
  assert.ok(form.controls.schedule.controls.period.disabled);
  assert.deepEqual(formValueToInput(form.getRawValue()), {
    name: "Nightly",
    description: "db dump",
    schedule: monitor.schedule,
    tags: ["db", "nightly"],
    channels: [1, 3],
    repeatEverySeconds: 7200,
    maxRunSeconds: 900,
    slowFactor: 2.5,
    slowWindow: 30,
    failureThreshold: 3,
    recoveryThreshold: 2,
    failureRate: { failures: 3, runs: 5 },
    minRunSeconds: 60,
    minGapSeconds: null,
    reportUnexpectedRuns: true,
    dependsOn: [4],
  });
  assert.ok(
    !("channels" in formValueToInput(form.getRawValue(), { includeChannels: false })),
    "no channels when the picker is hidden",
  );

  const blank = { ...emptyMonitorValue(), name: " x ", description: "  " };
  blank.schedule = { ...blank.schedule, period: 5, periodUnit: "minutes", grace: 0 };
  const input = formValueToInput(blank);
  assert.equal(input.name, "x");
  assert.equal(input.description, null, "an empty description clears it");
  assert.equal(input.repeatEverySeconds, null, "empty reminders turn them off");

  const endOfDay = scheduleFromApi({
    kind: "cron",
    expression: "@daily",
    timezone: "UTC",
    dialect: "cron",
    graceSeconds: 0,
    deadline: "end-of-day",
  });
  assert.equal(endOfDay.endOfDay, true);
  assert.deepEqual(scheduleToApi(endOfDay), {
    kind: "cron",
    expression: "@daily",
    timezone: "UTC",
    dialect: "cron",
    graceSeconds: 0,
    deadline: "end-of-day",
  });
  assert.deepEqual(
    scheduleToApi({ ...endOfDay, expression: "  0   3 * * * " }).kind === "cron" &&
      scheduleToApi({ ...endOfDay, expression: "  0   3 * * * " }),
    {
      kind: "cron",
      expression: "0 3 * * *",
      timezone: "UTC",
      dialect: "cron",
      graceSeconds: 0,
      deadline: "end-of-day",
    },
  );
});

test("preview parameters: the schedule's fields at the top level, the dialect, the calendar events a line each, and where to start", () => {
  assert.deepEqual(previewParams({ kind: "interval", periodSeconds: 60, graceSeconds: 5 }, 3), {
    kind: "interval",
    periodSeconds: "60",
    graceSeconds: "5",
    count: "3",
  });
  assert.deepEqual(
    previewParams({
      kind: "cron",
      expression: "0 * * * *",
      timezone: "UTC",
      dialect: "cron",
      graceSeconds: 0,
      deadline: "end-of-day",
    }),
    {
      kind: "cron",
      expression: "0 * * * *",
      dialect: "cron",
      timezone: "UTC",
      graceSeconds: "0",
      deadline: "end-of-day",
      count: "5",
    },
  );
  const k8s: Schedule = {
    kind: "cron",
    expression: "30 2 * * *",
    timezone: "Europe/Berlin",
    dialect: "kubernetes",
    graceSeconds: 300,
    deadline: "grace",
  };
  assert.deepEqual(previewParams(k8s, 5, "2026-03-27T23:00:00.000Z"), {
    kind: "cron",
    expression: "30 2 * * *",
    dialect: "kubernetes",
    timezone: "Europe/Berlin",
    graceSeconds: "300",
    deadline: "grace",
    count: "5",
    from: "2026-03-27T23:00:00.000Z",
  });
  const cal: Schedule = {
    kind: "oncalendar",
    expressions: ["Mon..Fri 09:00", "Sat 10:00"],
    timezone: "Asia/Shanghai",
    graceSeconds: 600,
    deadline: "grace",
  };
  const p = previewParams(cal, 10, "2026-03-28T00:00:00.000Z");
  assert.deepEqual(p, {
    kind: "oncalendar",
    expressions: "Mon..Fri 09:00\nSat 10:00",
    timezone: "Asia/Shanghai",
    graceSeconds: "600",
    deadline: "grace",
    count: "10",
    from: "2026-03-28T00:00:00.000Z",
  });
  assert.ok(!("dialect" in p), "the API refuses a dialect on an OnCalendar schedule");
  assert.ok(
    !("from" in previewParams(cal, 5, null)) && !("from" in previewParams(cal, 5, "")),
    "no from: the server starts now",
  );
});

test("cron dialect: a new cron schedule is Debian cron's; Kubernetes survives form -> API -> form", () => {
  const form = filledForm();
  const schedule = form.controls.schedule;
  const s = schedule.controls;
  assert.ok(s.dialect.disabled, "an interval has no dialect");
  switchKind(schedule, "cron");
  assert.ok(s.dialect.enabled);
  assert.equal(s.dialect.value, "cron", "the API's default");
  s.expression.setValue("30 2 * * *");
  s.timezone.setValue("Europe/Berlin");
  s.dialect.setValue("kubernetes");
  const api = scheduleToApi(form.getRawValue().schedule);
  assert.deepEqual(api, {
    kind: "cron",
    expression: "30 2 * * *",
    timezone: "Europe/Berlin",
    dialect: "kubernetes",
    graceSeconds: 600,
    deadline: "grace",
  });
  const back = scheduleFromApi(api);
  assert.equal(back.kind, "cron");
  assert.equal(back.dialect, "kubernetes");
  assert.deepEqual(scheduleToApi(back), api);
  // An answer from a server that predates dialects is Debian cron's.
  const old = {
    kind: "cron",
    expression: "0 3 * * *",
    timezone: "UTC",
    graceSeconds: 300,
    deadline: "grace",
  } as unknown as Schedule;
  assert.equal(scheduleFromApi(old).dialect, "cron");
  // Switching away and back keeps the choice.
  switchKind(schedule, "oncalendar");
  assert.ok(s.dialect.disabled && s.expression.disabled);
  switchKind(schedule, "cron");
  assert.equal(s.dialect.value, "kubernetes");
});

test("OnCalendar: one calendar event a line, time zone, grace or end of day; round trip; its own validation", () => {
  const form = filledForm();
  const schedule = form.controls.schedule;
  const s = schedule.controls;
  switchKind(schedule, "oncalendar");
  assert.ok(s.expressions.enabled && s.timezone.enabled && s.endOfDay.enabled && s.grace.enabled);
  assert.ok(s.period.disabled && s.expression.disabled && s.dialect.disabled);
  assert.deepEqual(Object.keys(schedule.value).sort(), [
    "endOfDay",
    "expressions",
    "grace",
    "graceUnit",
    "kind",
    "timezone",
  ]);
  assert.ok(form.invalid, "no calendar event yet");
  assert.equal(
    errorMessage(s.expressions.errors, "Calendar events"),
    "Enter at least one calendar event, e.g. Mon..Fri 09:00",
  );
  s.expressions.setValue("  Mon..Fri   09:00 \n\n Sat 10:00\n");
  s.timezone.setValue("Europe/Berlin");
  assert.ok(form.valid);
  const api = scheduleToApi(form.getRawValue().schedule);
  assert.deepEqual(api, {
    kind: "oncalendar",
    expressions: ["Mon..Fri 09:00", "Sat 10:00"],
    timezone: "Europe/Berlin",
    graceSeconds: 600,
    deadline: "grace",
  });
  assert.ok(!("dialect" in api));

  s.endOfDay.setValue(true);
  assert.ok(s.grace.disabled);
  const eod = scheduleToApi(form.getRawValue().schedule);
  assert.deepEqual(eod, {
    kind: "oncalendar",
    expressions: ["Mon..Fri 09:00", "Sat 10:00"],
    timezone: "Europe/Berlin",
    graceSeconds: 0,
    deadline: "end-of-day",
  });

  // From the API back into a form: the lines in the textarea, the same body out again.
  const back = scheduleFromApi(eod);
  assert.equal(back.kind, "oncalendar");
  assert.equal(back.expressions, "Mon..Fri 09:00\nSat 10:00");
  assert.equal(back.endOfDay, true);
  assert.deepEqual(scheduleToApi(back), eod);
  const edit = createMonitorForm({ ...emptyMonitorValue(), name: "timer", schedule: scheduleFromApi(api) });
  assert.ok(edit.valid);
  assert.equal(edit.controls.schedule.controls.kind.value, "oncalendar");
  assert.deepEqual(formValueToInput(edit.getRawValue()).schedule, api);

  // More than 10 events, and an over-long line (numbered as the user sees it).
  s.expressions.setValue(Array.from({ length: 11 }, (_, i) => `*-*-* ${String(i).padStart(2, "0")}:00`).join("\n"));
  assert.equal(errorMessage(s.expressions.errors, "Calendar events"), "At most 10 calendar events, one per line");
  s.expressions.setValue(`daily\n\n${"x".repeat(201)}`);
  assert.equal(errorMessage(s.expressions.errors, "Calendar events"), "Line 3 is longer than 200 characters");

  // Back to interval: the calendar fields drop out, the period comes back.
  switchKind(schedule, "interval");
  assert.ok(s.expressions.disabled && s.timezone.disabled);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), {
    kind: "interval",
    periodSeconds: 7200,
    graceSeconds: 600,
  });
});

test("an OnCalendar monitor fills the form, and the server's error on one event lands under the textarea with its line", () => {
  const monitor = {
    id: 9,
    code: "cal",
    name: "timer",
    description: null,
    schedule: {
      kind: "oncalendar",
      expressions: ["Mon..Fri 09:00", "Sat 10:00"],
      timezone: "Asia/Shanghai",
      graceSeconds: 300,
      deadline: "grace",
    },
    tags: [],
    channels: [],
    repeatEverySeconds: null,
    maxRunSeconds: null,
    slowFactor: null,
    slowWindow: 20,
    failureThreshold: 1,
    recoveryThreshold: 1,
    failureRate: null,
    minRunSeconds: null,
    minGapSeconds: null,
    reportUnexpectedRuns: false,
    rateWindow: null,
    consecutiveFailures: 0,
    consecutiveSuccesses: 0,
    runDeadlineAt: null,
    snoozedUntil: null,
    dependsOn: [],
    parents: [],
    children: [],
    status: "new",
    paused: false,
    lastPingAt: null,
    lastPingKind: null,
    nextDueAt: null,
    downAt: null,
    statusChangedAt: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    timezone: "Asia/Shanghai",
    maintenance: [],
    uptime: { day: null, week: null, month: null },
    recentRuns: [],
  } satisfies Monitor;
  const form = createMonitorForm(monitorToFormValue(monitor));
  const s = form.controls.schedule.controls;
  assert.equal(s.expressions.value, "Mon..Fri 09:00\nSat 10:00");
  assert.equal(s.timezone.value, "Asia/Shanghai");
  assert.equal(toSeconds(s.grace.value, s.graceUnit.value), 300);

  s.expressions.setValue("Mon..Fri 09:00\n\nSat 25:00");
  assert.equal(controlPathForField("expressions[1]"), "schedule.expressions");
  assert.equal(controlPathForField("schedule.expressions"), "schedule.expressions");
  assert.equal(controlPathForField(".expressions[1]"), "schedule.expressions", "the preview's fields");
  assert.equal(controlPathForField("schedule.dialect"), "schedule.dialect");
  const rest = applyApiErrors(form, [
    { field: "schedule.expressions[1]", message: "is not a valid OnCalendar expression: hour 25 out of range" },
  ]);
  assert.deepEqual(rest, []);
  assert.equal(
    errorMessage(s.expressions.errors, "Calendar events"),
    "Line 3: is not a valid OnCalendar expression: hour 25 out of range",
    "the second event is on line 3",
  );
  // A dialect error on an OnCalendar schedule has no control to show it (it is disabled): returned.
  assert.equal(applyApiErrors(form, [{ field: "dialect", message: "applies to cron schedules only" }]).length, 1);
});

test("preview from: a wall time in the schedule's zone becomes an instant, DST nights included", () => {
  assert.equal(wallTimeToInstant("2026-03-28T00:00", "Europe/Berlin"), "2026-03-27T23:00:00.000Z");
  assert.equal(
    wallTimeToInstant("2026-03-28", "Europe/Berlin"),
    "2026-03-27T23:00:00.000Z",
    "a date alone: its midnight",
  );
  assert.equal(wallTimeToInstant("2026-07-01T12:30", "Europe/Berlin"), "2026-07-01T10:30:00.000Z");
  assert.equal(wallTimeToInstant("2026-03-28T00:00", "Asia/Shanghai"), "2026-03-27T16:00:00.000Z");
  assert.equal(wallTimeToInstant("2026-03-28T00:00", "UTC"), "2026-03-28T00:00:00.000Z");
  assert.equal(
    wallTimeToInstant("2026-11-01T01:30", "America/New_York"),
    "2026-11-01T05:30:00.000Z",
    "a repeated time: the first pass (EDT)",
  );
  assert.equal(
    wallTimeToInstant("2026-03-29T02:30", "Europe/Berlin"),
    "2026-03-29T01:30:00.000Z",
    "a skipped time: read with the offset before",
  );
  assert.equal(wallTimeToInstant("2026-03-29T03:00", "Europe/Berlin"), "2026-03-29T01:00:00.000Z");
  assert.equal(wallTimeToInstant("", "Europe/Berlin"), null, "empty: now");
  assert.equal(wallTimeToInstant("2026-02-30T00:00", "UTC"), null);
  assert.equal(wallTimeToInstant("tomorrow", "UTC"), null);
  assert.equal(wallTimeToInstant("2026-03-28T00:00", "Mars/Olympus"), null);
  assert.equal(zoneOffsetMs("Europe/Berlin", Date.parse("2026-07-01T00:00:00Z")), 7_200_000);
  assert.equal(zoneOffsetMs("America/St_Johns", Date.parse("2026-01-01T00:00:00Z")), -12_600_000);
});

// What the server answers for a preview of "30 2 * * *" in Europe/Berlin (core/schedule/clock-change-note.ts).
const berlin = (over: Partial<ClockChange>): ClockChange => ({
  kind: "moved",
  date: "2026-03-29",
  zone: "Europe/Berlin",
  runner: "cron",
  times: ["02:30"],
  count: 1,
  runsAt: "03:00",
  text: "",
  ...over,
});
const run = (expectedAt: string, clockChange?: ClockChange): PreviewRun => ({
  expectedAt,
  lateAt: expectedAt,
  downAt: expectedAt,
  ...(clockChange ? { note: clockChange.text, clockChange } : {}),
});

test("DST notes: the English reads as the server's note, the Chinese is built from the same facts", () => {
  const cases: [PreviewRun, string, string][] = [
    [
      run(
        "2026-03-29T01:00:00.000Z",
        berlin({ text: "02:30 does not exist on 2026-03-29 (Europe/Berlin); cron runs it at 03:00" }),
      ),
      "02:30 does not exist on 2026-03-29 (Europe/Berlin); cron runs it at 03:00",
      "2026-03-29（Europe/Berlin）没有 02:30 这一时刻（时钟拨快）；cron 改在 03:00 运行",
    ],
    [
      run(
        "2026-03-30T00:30:00.000Z",
        berlin({
          kind: "skipped",
          runner: "kubernetes",
          runsAt: "02:30",
          text: "02:30 does not exist on 2026-03-29 (Europe/Berlin); Kubernetes does not run it",
        }),
      ),
      "02:30 does not exist on 2026-03-29 (Europe/Berlin); Kubernetes does not run it",
      "2026-03-29（Europe/Berlin）没有 02:30 这一时刻（时钟拨快）；Kubernetes 不运行这一次",
    ],
    [
      run(
        "2026-03-30T00:00:00.000Z",
        berlin({
          kind: "skipped",
          times: ["02:00", "02:45"],
          count: 4,
          runsAt: "02:00",
          text: "02:00 to 02:45 (4 times) do not exist on 2026-03-29 (Europe/Berlin); cron does not run them",
        }),
      ),
      "02:00 to 02:45 (4 times) do not exist on 2026-03-29 (Europe/Berlin); cron does not run them",
      "2026-03-29（Europe/Berlin）没有 02:00 至 02:45 这段时间（共 4 个计划时刻，时钟拨快）；cron 都不运行",
    ],
    [
      run(
        "2026-03-29T01:00:00.000Z",
        berlin({
          runner: "systemd",
          times: ["02:00", "02:45"],
          count: 4,
          text: "02:00 to 02:45 (4 times) do not exist on 2026-03-29 (Europe/Berlin); systemd runs them once at 03:00",
        }),
      ),
      "02:00 to 02:45 (4 times) do not exist on 2026-03-29 (Europe/Berlin); systemd runs them once at 03:00",
      "2026-03-29（Europe/Berlin）没有 02:00 至 02:45 这段时间（共 4 个计划时刻，时钟拨快）；systemd 在 03:00 只运行一次",
    ],
    [
      run(
        "2026-10-25T00:30:00.000Z",
        berlin({
          kind: "repeated",
          date: "2026-10-25",
          runsAt: "02:30",
          pass: 1,
          both: false,
          text: "02:30 happens twice on 2026-10-25 (Europe/Berlin); cron runs it once, the first time (UTC+02:00)",
        }),
      ),
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); cron runs it once, the first time (UTC+02:00)",
      "2026-10-25（Europe/Berlin）02:30 会出现两次（时钟拨回）；cron 只运行一次，在第一次出现时（UTC+02:00）",
    ],
    [
      run(
        "2026-10-25T01:30:00.000Z",
        berlin({
          kind: "repeated",
          date: "2026-10-25",
          runner: "kubernetes",
          runsAt: "02:30",
          pass: 2,
          both: true,
          text: "02:30 happens twice on 2026-10-25 (Europe/Berlin); Kubernetes runs it both times, this is the second (UTC+01:00)",
        }),
      ),
      "02:30 happens twice on 2026-10-25 (Europe/Berlin); Kubernetes runs it both times, this is the second (UTC+01:00)",
      "2026-10-25（Europe/Berlin）02:30 会出现两次（时钟拨回）；Kubernetes 两次都运行，这是第二次（UTC+01:00）",
    ],
  ];
  for (const [r, en, zh] of cases) {
    assert.equal(clockChangeText(r, "en"), en);
    assert.equal(clockChangeText(r, "en"), r.clockChange!.text, "the English is the server's note");
    assert.equal(clockChangeText(r, "zh-Hans"), zh);
  }
  assert.equal(clockChangeText(run("2026-03-28T01:30:00.000Z"), "zh-Hans"), "", "no clock change: no note");
  // A kind this dashboard does not know (a newer server): the server's English note.
  const odd = run("2026-03-29T01:00:00.000Z", berlin({ kind: "merged" as never, text: "something new" }));
  assert.equal(clockChangeText(odd, "zh-Hans"), "something new");
  assert.equal(utcOffsetText("2026-10-25T01:30:00.000Z", "Europe/Berlin"), "+01:00");
  assert.equal(utcOffsetText("2026-01-01T00:00:00.000Z", "UTC"), "+00:00");
  assert.equal(utcOffsetText("2026-01-01T00:00:00.000Z", "America/St_Johns"), "-03:30");
});

test("API error fields map to form controls", () => {
  assert.equal(controlPathForField("schedule.expressions[0]"), "schedule.expressions");
  assert.equal(controlPathForField("dialect"), "schedule.dialect");
  assert.equal(controlPathForField("name"), "name");
  assert.equal(controlPathForField("schedule.periodSeconds"), "schedule.period");
  assert.equal(controlPathForField("schedule.graceSeconds"), "schedule.grace");
  assert.equal(controlPathForField("graceSeconds"), "schedule.grace", "the preview names fields without the prefix");
  assert.equal(controlPathForField("expression"), "schedule.expression");
  assert.equal(controlPathForField("schedule.timezone"), "schedule.timezone");
  assert.equal(controlPathForField("schedule.deadline"), "schedule.endOfDay");
  assert.equal(controlPathForField("schedule.kind"), "schedule.kind");
  assert.equal(controlPathForField("schedule"), "schedule.kind");
  assert.equal(controlPathForField("tags[2]"), "tags");
  assert.equal(controlPathForField("tags.2"), "tags");
  assert.equal(controlPathForField("channels[0]"), "channels");
  assert.equal(controlPathForField("repeatEverySeconds"), "repeatEvery");
  assert.equal(controlPathForField("somethingElse"), null);
});

test("a 422 from the API puts each message under its field; the next edit clears it", () => {
  const form = filledForm();
  switchKind(form.controls.schedule, "cron");
  const s = form.controls.schedule.controls;
  s.expression.setValue("0 0 31 2 *");
  const problem = parseApiError(422, {
    error: {
      code: "VALIDATION_ERROR",
      message: "Parameters validation error!",
      field: "schedule.expression",
      details: [
        { field: "schedule.expression", message: "expression never matches" },
        { field: "channels[0]", message: "no channel has id 99" },
        { field: "mystery", message: "is odd" },
      ],
    },
  });
  assert.equal(problem.fields.length, 3);
  const rest = applyApiErrors(form, problem.fields);
  assert.deepEqual(rest, [{ field: "mystery", message: "is odd" }], "what no control shows is returned");
  assert.equal(errorMessage(s.expression.errors, "Expression"), "Expression never matches");
  assert.ok(s.expression.touched);
  assert.equal(errorMessage(form.controls.channels.errors, "Channels"), "No channel has id 99");
  assert.ok(form.invalid);

  s.expression.setValue("0 0 * * *");
  assert.equal(s.expression.errors, null, "edited: the server's message goes");

  // A field of the kind that is not shown (disabled) is not hidden on an invisible control.
  const rest2 = applyApiErrors(form, [{ field: "schedule.periodSeconds", message: "is required" }]);
  assert.equal(rest2.length, 1);
});

test("parseApiError: the API's shape, a bare message, and no network", () => {
  assert.deepEqual(parseApiError(404, { error: { code: "NOT_FOUND", message: "monitor not found", field: "id" } }), {
    status: 404,
    code: "NOT_FOUND",
    message: "monitor not found",
    fields: [{ field: "id", message: "monitor not found" }],
  });
  assert.equal(parseApiError(0, null).code, "NETWORK");
  assert.equal(parseApiError(500, "<html>").message, "<html>");
  assert.equal(parseApiError(502, null).message, "The server had a problem; try again.");
  assert.equal(parseApiError(403, {}).message, "You do not have permission to do this.");
});
