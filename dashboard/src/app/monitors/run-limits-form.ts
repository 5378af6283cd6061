// The monitor form's run limits (duration alerts, thresholds against flapping, and the run rules:
// failure rate, too fast, too often, unexpected runs): the typed
// controls, their validators and messages, and form <-> API conversion. Framework-free apart
// from @angular/forms, erasable TypeScript only, so Node's test runner imports it
// (test/unit/dashboard-run-limits-form.test.ts). The limits are the API's (core/monitor/run-limits.ts).

import { FormControl, FormGroup, type AbstractControl, type ValidationErrors, type ValidatorFn } from '@angular/forms';
import type { Monitor, MonitorInput } from '../api/models.ts';
import { activeLocale, translate, type Locale, type MessageKey, type Params } from '../i18n/translate.ts';

export const MAX_RUN_SECONDS = 7 * 86_400;
export const SLOW_MIN_HISTORY = 5;
export const MAX_SLOW_WINDOW = 1000;
export const MAX_THRESHOLD = 100;
export const MAX_SLOW_FACTOR = 1000;
export const MAX_RATE_RUNS = 100;
export const MAX_MIN_RUN_SECONDS = 7 * 86_400;
export const MAX_MIN_GAP_SECONDS = 31 * 86_400;

export interface RunLimitsValue {
  /** in seconds; null: no limit */
  maxRunSeconds: number | null;
  /** null: slow runs are not judged */
  slowFactor: number | null;
  slowWindow: number | null;
  failureThreshold: number | null;
  recoveryThreshold: number | null;
  /** the failure rate: down at rateFailures of the last rateRuns runs; both empty: off */
  rateFailures: number | null;
  rateRuns: number | null;
  /** in seconds; null: off */
  minRunSeconds: number | null;
  minGapSeconds: number | null;
  reportUnexpectedRuns: boolean;
}

export type RunLimitsForm = FormGroup<{ [K in keyof RunLimitsValue]: FormControl<RunLimitsValue[K]> }>;

export const DEFAULT_RUN_LIMITS: RunLimitsValue = {
  maxRunSeconds: null,
  slowFactor: null,
  slowWindow: 20,
  failureThreshold: 1,
  recoveryThreshold: 1,
  rateFailures: null,
  rateRuns: null,
  minRunSeconds: null,
  minGapSeconds: null,
  reportUnexpectedRuns: false,
};

/**
 * A number in [min, max] (`above`: strictly more than min), whole when `integer`; empty is fine
 * when `optional`. Errors: {required} or {range: {min, max, integer, above}}.
 */
export function rangeValidator(
  min: number,
  max: number,
  opts: { integer?: boolean; optional?: boolean; above?: boolean } = {},
): ValidatorFn {
  return (c: AbstractControl): ValidationErrors | null => {
    const v = c.value as unknown;
    if (v === null || v === undefined || v === '') return opts.optional ? null : { required: true };
    const n = typeof v === 'number' ? v : Number(v);
    const ok =
      Number.isFinite(n) && (opts.above ? n > min : n >= min) && n <= max && (!opts.integer || Number.isInteger(n));
    return ok ? null : { range: { min, max, integer: Boolean(opts.integer), above: Boolean(opts.above) } };
  };
}

/**
 * The message for a range error ("Window must be a whole number from 5 to 1000"), or for a
 * failure rate's pair (ratePair, rateOver), or null when the errors hold none.
 */
export function rangeMessage(errors: ValidationErrors | null | undefined, label: string): string | null {
  if (errors?.['ratePair']) return translate('limits.ratePair');
  const over = errors?.['rateOver'] as { runs: number } | undefined;
  if (over) return translate('limits.rateOver', { runs: over.runs });
  const r = errors?.['range'] as { min: number; max: number; integer: boolean; above: boolean } | undefined;
  if (!r) return null;
  return translate(`form.${r.above ? 'above' : 'range'}.${r.integer ? 'whole' : 'number'}`, {
    label,
    min: r.min,
    max: r.max,
  });
}

/** One run-limit field of the monitor form: its control, the words around it and its input's bounds. */
export interface RunLimitField {
  control: keyof RunLimitsValue;
  label: MessageKey;
  /** what its error messages call it */
  name: MessageKey;
  /** may use {min} */
  hint: MessageKey;
  testId: string;
  min: number;
  step: number;
  decimal?: boolean;
}

/** The fields as the form lays them out, a row each: the duration rules, the thresholds, then the run rules. */
export const RUN_LIMIT_ROWS: readonly (readonly RunLimitField[])[] = [
  [
    {
      control: 'maxRunSeconds',
      label: 'limits.maxRun',
      name: 'limits.maxRunName',
      hint: 'limits.maxRunHint',
      testId: 'form-max-run',
      min: 1,
      step: 1,
    },
    {
      control: 'slowFactor',
      label: 'limits.slowFactor',
      name: 'limits.slowFactorName',
      hint: 'limits.slowFactorHint',
      testId: 'form-slow-factor',
      min: 1,
      step: 0.1,
      decimal: true,
    },
    {
      control: 'slowWindow',
      label: 'limits.slowWindow',
      name: 'limits.slowWindowName',
      hint: 'limits.slowWindowHint',
      testId: 'form-slow-window',
      min: SLOW_MIN_HISTORY,
      step: 1,
    },
  ],
  [
    {
      control: 'failureThreshold',
      label: 'limits.failureThreshold',
      name: 'limits.failureThresholdName',
      hint: 'limits.failureThresholdHint',
      testId: 'form-failure-threshold',
      min: 1,
      step: 1,
    },
    {
      control: 'recoveryThreshold',
      label: 'limits.recoveryThreshold',
      name: 'limits.recoveryThresholdName',
      hint: 'limits.recoveryThresholdHint',
      testId: 'form-recovery-threshold',
      min: 1,
      step: 1,
    },
  ],
  [
    {
      control: 'rateFailures',
      label: 'limits.rateFailures',
      name: 'limits.rateFailuresName',
      hint: 'limits.rateFailuresHint',
      testId: 'form-rate-failures',
      min: 1,
      step: 1,
    },
    {
      control: 'rateRuns',
      label: 'limits.rateRuns',
      name: 'limits.rateRunsName',
      hint: 'limits.rateRunsHint',
      testId: 'form-rate-runs',
      min: 1,
      step: 1,
    },
  ],
  [
    {
      control: 'minRunSeconds',
      label: 'limits.minRun',
      name: 'limits.minRunName',
      hint: 'limits.minRunHint',
      testId: 'form-min-run',
      min: 1,
      step: 1,
    },
    {
      control: 'minGapSeconds',
      label: 'limits.minGap',
      name: 'limits.minGapName',
      hint: 'limits.minGapHint',
      testId: 'form-min-gap',
      min: 1,
      step: 1,
    },
  ],
];

const filled = (v: unknown) => v !== null && v !== undefined && v !== '';

/**
 * The failure rate's pair, checked on rateFailures: both or neither (ratePair), and no more
 * failures than runs (rateOver), as the API's failureRate.failures error says.
 */
function ratePairValidator(c: AbstractControl): ValidationErrors | null {
  // Before the control joins its group there is no pair to judge (createRunLimitsForm judges it then).
  if (!c.parent) return null;
  const runs = c.parent.get('rateRuns')?.value as unknown;
  if (filled(c.value) !== filled(runs)) return { ratePair: true };
  if (filled(c.value) && filled(runs) && Number(c.value) > Number(runs)) return { rateOver: { runs: Number(runs) } };
  return null;
}

export function createRunLimitsForm(v: RunLimitsValue = DEFAULT_RUN_LIMITS): RunLimitsForm {
  const group: RunLimitsForm = new FormGroup({
    maxRunSeconds: new FormControl<number | null>(v.maxRunSeconds, {
      validators: [rangeValidator(1, MAX_RUN_SECONDS, { integer: true, optional: true })],
    }),
    slowFactor: new FormControl<number | null>(v.slowFactor, {
      validators: [rangeValidator(1, MAX_SLOW_FACTOR, { optional: true, above: true })],
    }),
    slowWindow: new FormControl<number | null>(v.slowWindow, {
      validators: [rangeValidator(SLOW_MIN_HISTORY, MAX_SLOW_WINDOW, { integer: true })],
    }),
    failureThreshold: new FormControl<number | null>(v.failureThreshold, {
      validators: [rangeValidator(1, MAX_THRESHOLD, { integer: true })],
    }),
    recoveryThreshold: new FormControl<number | null>(v.recoveryThreshold, {
      validators: [rangeValidator(1, MAX_THRESHOLD, { integer: true })],
    }),
    rateFailures: new FormControl<number | null>(v.rateFailures, {
      validators: [rangeValidator(1, MAX_RATE_RUNS, { integer: true, optional: true }), ratePairValidator],
    }),
    rateRuns: new FormControl<number | null>(v.rateRuns, {
      validators: [rangeValidator(1, MAX_RATE_RUNS, { integer: true, optional: true })],
    }),
    minRunSeconds: new FormControl<number | null>(v.minRunSeconds, {
      validators: [rangeValidator(1, MAX_MIN_RUN_SECONDS, { integer: true, optional: true })],
    }),
    minGapSeconds: new FormControl<number | null>(v.minGapSeconds, {
      validators: [rangeValidator(1, MAX_MIN_GAP_SECONDS, { integer: true, optional: true })],
    }),
    reportUnexpectedRuns: new FormControl<boolean>(v.reportUnexpectedRuns, { nonNullable: true }),
  });
  // The pair is judged on rateFailures: a change of runs judges it again.
  group.controls.rateRuns.valueChanges.subscribe(() => group.controls.rateFailures.updateValueAndValidity());
  group.controls.rateFailures.updateValueAndValidity();
  return group;
}

type LimitFields = Pick<
  Monitor,
  | 'maxRunSeconds'
  | 'slowFactor'
  | 'slowWindow'
  | 'failureThreshold'
  | 'recoveryThreshold'
  | 'failureRate'
  | 'minRunSeconds'
  | 'minGapSeconds'
  | 'reportUnexpectedRuns'
>;

/** A monitor's limits as form values; a monitor from an older server (no fields) gets the defaults. */
export function runLimitsFromApi(m: Partial<LimitFields>): RunLimitsValue {
  const d = DEFAULT_RUN_LIMITS;
  return {
    maxRunSeconds: m.maxRunSeconds ?? null,
    slowFactor: m.slowFactor ?? null,
    slowWindow: m.slowWindow ?? d.slowWindow,
    failureThreshold: m.failureThreshold ?? d.failureThreshold,
    recoveryThreshold: m.recoveryThreshold ?? d.recoveryThreshold,
    rateFailures: m.failureRate?.failures ?? null,
    rateRuns: m.failureRate?.runs ?? null,
    minRunSeconds: m.minRunSeconds ?? null,
    minGapSeconds: m.minGapSeconds ?? null,
    reportUnexpectedRuns: m.reportUnexpectedRuns ?? false,
  };
}

const orNull = (v: number | null | undefined | string): number | null =>
  v === null || v === undefined || v === '' ? null : Number(v);

/** The API fields for the form's limits (a valid form: the required ones are numbers). */
export function runLimitsToApi(v: RunLimitsValue): Required<Pick<MonitorInput, keyof LimitFields>> {
  const d = DEFAULT_RUN_LIMITS;
  return {
    maxRunSeconds: orNull(v.maxRunSeconds),
    slowFactor: orNull(v.slowFactor),
    slowWindow: orNull(v.slowWindow) ?? d.slowWindow!,
    failureThreshold: orNull(v.failureThreshold) ?? d.failureThreshold!,
    recoveryThreshold: orNull(v.recoveryThreshold) ?? d.recoveryThreshold!,
    failureRate:
      orNull(v.rateFailures) === null || orNull(v.rateRuns) === null
        ? null
        : { failures: orNull(v.rateFailures)!, runs: orNull(v.rateRuns)! },
    minRunSeconds: orNull(v.minRunSeconds),
    minGapSeconds: orNull(v.minGapSeconds),
    reportUnexpectedRuns: Boolean(v.reportUnexpectedRuns),
  };
}

/** API error fields -> the limits' control paths in the monitor form. */
export const RUN_LIMIT_FIELDS: Readonly<Record<string, string>> = {
  maxRunSeconds: 'limits.maxRunSeconds',
  slowFactor: 'limits.slowFactor',
  slowWindow: 'limits.slowWindow',
  failureThreshold: 'limits.failureThreshold',
  recoveryThreshold: 'limits.recoveryThreshold',
  failureRate: 'limits.rateFailures',
  'failureRate.failures': 'limits.rateFailures',
  'failureRate.runs': 'limits.rateRuns',
  minRunSeconds: 'limits.minRunSeconds',
  minGapSeconds: 'limits.minGapSeconds',
  reportUnexpectedRuns: 'limits.reportUnexpectedRuns',
};

/** One line for the detail page: "max run 5 min · slow over 2× the median of 20 runs · down after 3 failures in a row". */
export function runLimitsSummary(
  m: Partial<LimitFields>,
  duration: (ms: number) => string,
  locale: Locale = activeLocale(),
): string {
  const v = runLimitsFromApi(m);
  const t = (key: MessageKey, params?: Params) => translate(key, params, locale);
  const parts: string[] = [];
  if (v.maxRunSeconds !== null) parts.push(t('limits.maxRunSummary', { duration: duration(v.maxRunSeconds * 1000) }));
  if (v.slowFactor !== null)
    parts.push(
      t('limits.slowSummary', { factor: v.slowFactor, window: v.slowWindow ?? DEFAULT_RUN_LIMITS.slowWindow! }),
    );
  if ((v.failureThreshold ?? 1) > 1) parts.push(t('limits.downSummary', { count: v.failureThreshold! }));
  if ((v.recoveryThreshold ?? 1) > 1) parts.push(t('limits.upSummary', { count: v.recoveryThreshold! }));
  if (v.rateFailures !== null && v.rateRuns !== null)
    parts.push(t('limits.rateSummary', { failures: v.rateFailures, runs: v.rateRuns }));
  if (v.minRunSeconds !== null) parts.push(t('limits.minRunSummary', { duration: duration(v.minRunSeconds * 1000) }));
  if (v.minGapSeconds !== null) parts.push(t('limits.minGapSummary', { duration: duration(v.minGapSeconds * 1000) }));
  if (v.reportUnexpectedRuns) parts.push(t('limits.unexpectedSummary'));
  return parts.length ? parts.join(' · ') : t('common.none');
}

/** With a failure rate: "2 of the last 5 runs failed; down at 3", or null. */
export function failureRateLine(
  m: Partial<Pick<Monitor, 'failureRate' | 'rateWindow'>>,
  locale: Locale = activeLocale(),
): string | null {
  if (!m.failureRate || !m.rateWindow) return null;
  return translate(
    'limits.rateNow',
    { failed: m.rateWindow.failed, runs: m.failureRate.runs, down: m.failureRate.failures },
    locale,
  );
}
