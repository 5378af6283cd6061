// The dashboard's monitor form logic (dashboard/src/app/monitors/schedule-form.ts), run with real
// Angular forms in Node: schedule switching, units, validation messages, API errors -> controls.

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
  MAX_SECONDS,
} from "../../dashboard/src/app/monitors/schedule-form.ts";
import { parseApiError } from "../../dashboard/src/app/api/api-error.ts";
import type { Monitor } from "../../dashboard/src/app/api/models.ts";

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
    graceSeconds: 0,
    deadline: "end-of-day",
  });

  switchKind(schedule, "interval");
  assert.ok(s.expression.disabled && s.timezone.disabled && s.endOfDay.disabled);
  assert.ok(s.grace.enabled, "grace comes back for intervals even if end-of-day was on");
  assert.equal(s.period.value, 2);
  assert.deepEqual(scheduleToApi(form.getRawValue().schedule), { kind: "interval", periodSeconds: 7200, graceSeconds: 600 });
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
  assert.equal(errorMessage(form.controls.repeatEvery.errors, "Reminder interval"), "Reminder interval must be at most 30 days");
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
    schedule: { kind: "cron", expression: "0 3 * * *", timezone: "Europe/Berlin", graceSeconds: 1800, deadline: "grace" },
    tags: ["db", "nightly"],
    channels: [1, 3],
    repeatEverySeconds: 7200,
    maxRunSeconds: 900,
    slowFactor: 2.5,
    slowWindow: 30,
    failureThreshold: 3,
    recoveryThreshold: 2,
    consecutiveFailures: 0,
    consecutiveSuccesses: 4,
    runDeadlineAt: null,
    status: "up",
    paused: false,
    lastPingAt: null,
    lastPingKind: null,
    nextDueAt: null,
    downAt: null,
    statusChangedAt: null,
    createdAt: "2024-01-01T00:00:00.000Z",
    updatedAt: "2024-01-01T00:00:00.000Z",
  };
  const v = monitorToFormValue(monitor);
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
  });
  assert.ok(!("channels" in formValueToInput(form.getRawValue(), { includeChannels: false })), "no channels when the picker is hidden");

  const blank = { ...emptyMonitorValue(), name: " x ", description: "  " };
  blank.schedule = { ...blank.schedule, period: 5, periodUnit: "minutes", grace: 0 };
  const input = formValueToInput(blank);
  assert.equal(input.name, "x");
  assert.equal(input.description, null, "an empty description clears it");
  assert.equal(input.repeatEverySeconds, null, "empty reminders turn them off");

  const endOfDay = scheduleFromApi({ kind: "cron", expression: "@daily", timezone: "UTC", graceSeconds: 0, deadline: "end-of-day" });
  assert.equal(endOfDay.endOfDay, true);
  assert.deepEqual(scheduleToApi(endOfDay), { kind: "cron", expression: "@daily", timezone: "UTC", graceSeconds: 0, deadline: "end-of-day" });
  assert.deepEqual(scheduleToApi({ ...endOfDay, expression: "  0   3 * * * " }).kind === "cron" && scheduleToApi({ ...endOfDay, expression: "  0   3 * * * " }), {
    kind: "cron", expression: "0 3 * * *", timezone: "UTC", graceSeconds: 0, deadline: "end-of-day",
  });
});

test("preview parameters: the schedule's fields at the top level", () => {
  assert.deepEqual(previewParams({ kind: "interval", periodSeconds: 60, graceSeconds: 5 }, 3), {
    kind: "interval", periodSeconds: "60", graceSeconds: "5", count: "3",
  });
  assert.deepEqual(previewParams({ kind: "cron", expression: "0 * * * *", timezone: "UTC", graceSeconds: 0, deadline: "end-of-day" }), {
    kind: "cron", expression: "0 * * * *", timezone: "UTC", graceSeconds: "0", deadline: "end-of-day", count: "5",
  });
});

test("API error fields map to form controls", () => {
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
    status: 404, code: "NOT_FOUND", message: "monitor not found", fields: [{ field: "id", message: "monitor not found" }],
  });
  assert.equal(parseApiError(0, null).code, "NETWORK");
  assert.equal(parseApiError(500, "<html>").message, "<html>");
  assert.equal(parseApiError(502, null).message, "The server had a problem; try again.");
  assert.equal(parseApiError(403, {}).message, "You do not have permission to do this.");
});
