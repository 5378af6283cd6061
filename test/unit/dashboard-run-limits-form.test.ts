// The dashboard's run-limit fields (dashboard/src/app/monitors/run-limits-form.ts) with real Angular forms in Node.

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createRunLimitsForm,
  DEFAULT_RUN_LIMITS,
  runLimitsFromApi,
  runLimitsSummary,
  runLimitsToApi,
} from "../../dashboard/src/app/monitors/run-limits-form.ts";
import { applyApiErrors, createMonitorForm, errorMessage } from "../../dashboard/src/app/monitors/schedule-form.ts";

test("run limits: the defaults are valid and give the API's defaults", () => {
  const form = createRunLimitsForm();
  assert.ok(form.valid);
  assert.deepEqual(runLimitsToApi(form.getRawValue()), { maxRunSeconds: null, slowFactor: null, slowWindow: 20, failureThreshold: 1, recoveryThreshold: 1 });
});

test("run limits: each bad value is refused with a message naming the rule", () => {
  const c = createRunLimitsForm().controls;
  const cases: [keyof typeof c, unknown, string, string][] = [
    ["maxRunSeconds", 0, "Max run time", "Max run time must be a whole number from 1 to 604800"],
    ["maxRunSeconds", 1.5, "Max run time", "Max run time must be a whole number from 1 to 604800"],
    ["slowFactor", 1, "Slow factor", "Slow factor must be a number greater than 1, at most 1000"],
    ["slowWindow", 4, "Window", "Window must be a whole number from 5 to 1000"],
    ["failureThreshold", 0, "Failure threshold", "Failure threshold must be a whole number from 1 to 100"],
    ["recoveryThreshold", null, "Recovery threshold", "Recovery threshold is required"],
  ];
  for (const [name, value, label, message] of cases) {
    const control = c[name];
    control.setValue(value as never);
    assert.ok(control.invalid, `${name}=${value}`);
    assert.equal(errorMessage(control.errors, label), message);
    control.setValue(DEFAULT_RUN_LIMITS[name] as never);
    assert.ok(control.valid);
  }
  c.maxRunSeconds.setValue(null);
  c.slowFactor.setValue(null);
  assert.ok(c.maxRunSeconds.valid && c.slowFactor.valid, "empty turns the limit off");
  c.slowFactor.setValue(1.5);
  assert.ok(c.slowFactor.valid);
});

test("run limits: a monitor fills the form and gives back the same fields; older monitors get the defaults", () => {
  const m = { maxRunSeconds: 600, slowFactor: 2, slowWindow: 10, failureThreshold: 3, recoveryThreshold: 2 };
  assert.deepEqual(runLimitsToApi(createRunLimitsForm(runLimitsFromApi(m)).getRawValue()), m);
  assert.deepEqual(runLimitsFromApi({}), DEFAULT_RUN_LIMITS);
});

test("run limits: a 422 naming a limit lands under its control in the monitor form", () => {
  const form = createMonitorForm();
  const rest = applyApiErrors(form, [{ field: "slowFactor", message: "must be a number greater than 1 (at most 1000), or null" }]);
  assert.deepEqual(rest, []);
  assert.equal(errorMessage(form.controls.limits.controls.slowFactor.errors, "Slow factor"), "Must be a number greater than 1 (at most 1000), or null");
});

test("run limits: the detail page's summary", () => {
  const d = (ms: number) => `${ms / 1000}s`;
  assert.equal(runLimitsSummary({}, d), "none");
  assert.equal(
    runLimitsSummary({ maxRunSeconds: 60, slowFactor: 2, slowWindow: 20, failureThreshold: 3, recoveryThreshold: 2 }, d),
    "max run 60s · slow over 2× the median of 20 runs · down after 3 failures in a row · up after 2 successes in a row",
  );
});
