// The dashboard's run-limit fields (dashboard/src/app/monitors/run-limits-form.ts) with real Angular forms in Node.

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  createRunLimitsForm,
  DEFAULT_RUN_LIMITS,
  failureRateLine,
  RUN_LIMIT_ROWS,
  runLimitsFromApi,
  runLimitsSummary,
  runLimitsToApi,
} from "../../dashboard/src/app/monitors/run-limits-form.ts";
import { applyApiErrors, createMonitorForm, errorMessage } from "../../dashboard/src/app/monitors/schedule-form.ts";
import { setActiveLocale, translate, type Locale } from "../../dashboard/src/app/i18n/translate.ts";

/** What the form calls a field in its messages ("Slow factor"), from the catalog as the form reads it. */
const nameOf = (control: string, locale: Locale = "en") =>
  translate(RUN_LIMIT_ROWS.flat().find((f) => f.control === control)!.name, undefined, locale);

test("run limits: the defaults are valid and give the API's defaults", () => {
  const form = createRunLimitsForm();
  assert.ok(form.valid);
  assert.deepEqual(runLimitsToApi(form.getRawValue()), {
    maxRunSeconds: null,
    slowFactor: null,
    slowWindow: 20,
    failureThreshold: 1,
    recoveryThreshold: 1,
    failureRate: null,
    minRunSeconds: null,
    minGapSeconds: null,
    reportUnexpectedRuns: false,
  });
});

test("run limits: each bad value is refused with a message naming the rule", () => {
  const c = createRunLimitsForm().controls;
  const cases: [keyof typeof c, unknown, string][] = [
    ["maxRunSeconds", 0, "Max run time must be a whole number from 1 to 604800"],
    ["maxRunSeconds", 1.5, "Max run time must be a whole number from 1 to 604800"],
    ["slowFactor", 1, "Slow factor must be a number greater than 1, at most 1000"],
    ["slowWindow", 4, "Window must be a whole number from 5 to 1000"],
    ["failureThreshold", 0, "Failure threshold must be a whole number from 1 to 100"],
    ["recoveryThreshold", null, "Recovery threshold is required"],
  ];
  for (const [name, value, message] of cases) {
    const control = c[name];
    control.setValue(value as never);
    assert.ok(control.invalid, `${name}=${value}`);
    assert.equal(errorMessage(control.errors, nameOf(name)), message);
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
  const m = {
    maxRunSeconds: 600,
    slowFactor: 2,
    slowWindow: 10,
    failureThreshold: 3,
    recoveryThreshold: 2,
    failureRate: { failures: 3, runs: 5 },
    minRunSeconds: 30,
    minGapSeconds: 600,
    reportUnexpectedRuns: true,
  };
  assert.deepEqual(runLimitsToApi(createRunLimitsForm(runLimitsFromApi(m)).getRawValue()), m);
  assert.deepEqual(runLimitsFromApi({}), DEFAULT_RUN_LIMITS);
});

test("run limits: a 422 naming a limit lands under its control in the monitor form", () => {
  const form = createMonitorForm();
  const rest = applyApiErrors(form, [
    { field: "slowFactor", message: "must be a number greater than 1 (at most 1000), or null" },
  ]);
  assert.deepEqual(rest, []);
  assert.equal(
    errorMessage(form.controls.limits.controls.slowFactor.errors, nameOf("slowFactor")),
    "Must be a number greater than 1 (at most 1000), or null",
  );
});

test("run limits: the messages in Chinese, for each kind of range", () => {
  const c = createRunLimitsForm().controls;
  setActiveLocale("zh-Hans");
  try {
    const cases: [keyof typeof c, unknown, string][] = [
      ["maxRunSeconds", 0, "最长运行时间必须是 1 到 604800 之间的整数"],
      ["slowFactor", 1, "慢运行倍数必须是大于 1、不超过 1000 的数字"],
      ["slowWindow", 2000, "统计次数必须是 5 到 1000 之间的整数"],
      ["recoveryThreshold", null, "请填写恢复阈值"],
    ];
    for (const [name, value, message] of cases) {
      c[name].setValue(value as never);
      assert.equal(errorMessage(c[name].errors, nameOf(name, "zh-Hans")), message);
    }
  } finally {
    setActiveLocale("en");
  }
});

test("run limits: every field of the form has its words and a control of the form", () => {
  const fields = RUN_LIMIT_ROWS.flat();
  // reportUnexpectedRuns is a toggle of its own, shown for calendar schedules.
  assert.deepEqual(
    [...fields.map((f) => f.control), "reportUnexpectedRuns"].sort(),
    Object.keys(DEFAULT_RUN_LIMITS).sort(),
  );
  assert.equal(new Set(fields.map((f) => f.testId)).size, fields.length);
  const window = fields.find((f) => f.control === "slowWindow")!;
  assert.equal(translate(window.hint, { min: window.min }, "en"), "At least 5");
  assert.equal(translate(window.hint, { min: window.min }, "zh-Hans"), "至少 5 次");
});

test("run limits: the detail page's summary", () => {
  const d = (ms: number) => `${ms / 1000}s`;
  assert.equal(runLimitsSummary({}, d), "none");
  assert.equal(
    runLimitsSummary(
      { maxRunSeconds: 60, slowFactor: 2, slowWindow: 20, failureThreshold: 3, recoveryThreshold: 2 },
      d,
    ),
    "max run 60s · slow over 2× the median of 20 runs · down after 3 failures in a row · up after 2 successes in a row",
  );
  assert.equal(runLimitsSummary({}, d, "zh-Hans"), "无");
  assert.equal(
    runLimitsSummary(
      { maxRunSeconds: 60, slowFactor: 2.5, slowWindow: 10, failureThreshold: 3, recoveryThreshold: 2 },
      d,
      "zh-Hans",
    ),
    "最长运行 60s · 超过最近 10 次运行中位数的 2.5 倍即为慢运行 · 连续失败 3 次后判定故障 · 连续成功 2 次后恢复正常",
  );
});

test("run rules: the failure rate needs both numbers, failures at most runs; the minimums are whole seconds", () => {
  const c = createRunLimitsForm().controls;
  c.rateFailures.setValue(3);
  assert.equal(
    errorMessage(c.rateFailures.errors, nameOf("rateFailures")),
    translate("limits.ratePair", undefined, "en"),
  );
  c.rateRuns.setValue(2);
  assert.equal(
    errorMessage(c.rateFailures.errors, nameOf("rateFailures")),
    "Failed runs must be at most the runs counted (2)",
  );
  c.rateRuns.setValue(5);
  assert.ok(c.rateFailures.valid, "3 of 5: judged again when runs changes");
  c.rateRuns.setValue(101);
  assert.equal(
    errorMessage(c.rateRuns.errors, nameOf("rateRuns")),
    "Runs counted must be a whole number from 1 to 100",
  );
  c.minRunSeconds.setValue(0);
  assert.equal(
    errorMessage(c.minRunSeconds.errors, nameOf("minRunSeconds")),
    "Min run time must be a whole number from 1 to 604800",
  );
  c.minGapSeconds.setValue(1.5);
  assert.equal(
    errorMessage(c.minGapSeconds.errors, nameOf("minGapSeconds")),
    "Min gap must be a whole number from 1 to 2678400",
  );
  setActiveLocale("zh-Hans");
  try {
    c.rateRuns.setValue(2);
    assert.equal(
      errorMessage(c.rateFailures.errors, nameOf("rateFailures", "zh-Hans")),
      "失败次数不能超过统计的运行次数（2）",
    );
  } finally {
    setActiveLocale("en");
  }
});

test("run rules: a 422 naming failureRate.failures or minGapSeconds lands under its control", () => {
  const form = createMonitorForm();
  const rest = applyApiErrors(form, [
    { field: "failureRate.failures", message: "must be a whole number from 1 to runs (5)" },
    { field: "minGapSeconds", message: "must be a whole number from 1 to 2678400, or null" },
  ]);
  assert.deepEqual(rest, []);
  const l = form.controls.limits.controls;
  assert.equal(
    errorMessage(l.rateFailures.errors, nameOf("rateFailures")),
    "Must be a whole number from 1 to runs (5)",
  );
  assert.equal(
    errorMessage(l.minGapSeconds.errors, nameOf("minGapSeconds")),
    "Must be a whole number from 1 to 2678400, or null",
  );
});

test("run rules: the detail page's summary and failure-rate line, in both languages", () => {
  const d = (ms: number) => `${ms / 1000}s`;
  const m = {
    failureRate: { failures: 3, runs: 5 },
    minRunSeconds: 60,
    minGapSeconds: 600,
    reportUnexpectedRuns: true,
  };
  assert.equal(
    runLimitsSummary(m, d),
    "down at 3 failed of the last 5 runs · runs under 60s fail · runs less than 600s apart fail · unscheduled runs fail",
  );
  assert.equal(
    runLimitsSummary(m, d, "zh-Hans"),
    "最近 5 次运行中失败 3 次即故障 · 运行短于 60s 算失败 · 间隔短于 600s 算失败 · 非计划时间的运行算失败",
  );
  const withCount = { ...m, rateWindow: { runs: 4, failed: 2 } };
  assert.equal(failureRateLine(withCount, "en"), "2 of the last 5 runs failed; down at 3");
  assert.equal(failureRateLine(withCount, "zh-Hans"), "最近 5 次运行中失败 2 次；达到 3 次即故障");
  assert.equal(failureRateLine({ failureRate: null, rateWindow: null }, "en"), null);
});
