// The maintenance form model without a browser: form value -> API body, window -> form value,
// and API field errors onto the right controls.

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyWindowApiErrors,
  createWindowForm,
  toWindowInput,
  toLocalInput,
  windowFieldError,
  windowFormValue,
} from "../../dashboard/src/app/maintenance/window-form-model.ts";
import { setActiveLocale } from "../../dashboard/src/app/i18n/translate.ts";

test("a one-off form becomes ISO times, a recurring one seconds and a zone; scope lists are split", () => {
  const form = createWindowForm(Date.parse("2026-05-01T10:00:00Z"), "Europe/Berlin");
  form.patchValue({ name: " deploy ", monitorIds: "3, 5,", tags: "db, web" });
  const once = toWindowInput(form.getRawValue());
  assert.equal(once.name, "deploy");
  assert.equal(once.rule.kind, "once");
  if (once.rule.kind === "once") assert.equal(Date.parse(once.rule.endsAt) - Date.parse(once.rule.startsAt), 3_600_000);
  assert.deepEqual(once.monitorIds, [3, 5]);
  assert.deepEqual(once.tags, ["db", "web"]);
  form.patchValue({ kind: "recurring", expression: " 0 3 * * 0 ", durationMinutes: 90 });
  assert.deepEqual(toWindowInput(form.getRawValue()).rule, {
    kind: "recurring",
    expression: "0 3 * * 0",
    durationSeconds: 5400,
    timezone: "Europe/Berlin",
  });
});

test("a stored window fills the form back", () => {
  const base = {
    id: 1,
    name: "w",
    monitorIds: [2],
    tags: ["db"],
    active: false,
    activeUntil: null,
    nextChangeAt: null,
    createdAt: "",
    updatedAt: "",
  };
  const rec = windowFormValue({
    ...base,
    rule: { kind: "recurring", expression: "0 3 * * *", durationSeconds: 1800, timezone: "Asia/Shanghai" },
  });
  assert.deepEqual(
    [rec.kind, rec.expression, rec.durationMinutes, rec.timezone, rec.monitorIds, rec.tags],
    ["recurring", "0 3 * * *", 30, "Asia/Shanghai", "2", "db"],
  );
  const once = windowFormValue({
    ...base,
    rule: { kind: "once", startsAt: "2026-05-01T10:00:00.000Z", endsAt: "2026-05-01T11:00:00.000Z" },
  });
  assert.equal(once.startsAt, toLocalInput("2026-05-01T10:00:00.000Z"));
  assert.equal(new Date(once.endsAt).toISOString(), "2026-05-01T11:00:00.000Z");
});

test("API field errors land on their controls; unknown fields are handed back", () => {
  const form = createWindowForm();
  const rest = applyWindowApiErrors(form, [
    { field: "rule.expression", message: "bad cron" },
    { field: "monitorIds[1]", message: "no monitor has id 9" },
    { field: "somethingElse", message: "?" },
  ]);
  assert.equal(form.controls.expression.getError("server"), "bad cron");
  assert.equal(form.controls.monitorIds.getError("server"), "no monitor has id 9");
  assert.deepEqual(
    rest.map((r) => r.field),
    ["somethingElse"],
  );
});

test("the messages under the fields name the field, in the active language; the server's verdict wins", () => {
  const form = createWindowForm();
  assert.equal(windowFieldError(form, "name"), "Name is required");
  form.controls.name.setValue("x".repeat(101));
  assert.equal(windowFieldError(form, "name"), "Name must be at most 100 characters");
  form.controls.name.setValue("deploy");
  assert.equal(windowFieldError(form, "name"), "");
  applyWindowApiErrors(form, [{ field: "rule.timezone", message: "unknown time zone" }]);
  setActiveLocale("zh-Hans");
  try {
    assert.equal(windowFieldError(form, "timezone"), "unknown time zone", "what the server says is shown as it comes");
    form.controls.name.setValue("");
    assert.equal(windowFieldError(form, "name"), "请填写名称");
  } finally {
    setActiveLocale("en");
  }
});
