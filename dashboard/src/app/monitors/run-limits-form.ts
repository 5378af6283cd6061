// The monitor form's run limits (duration alerts and thresholds against flapping): the typed
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

export interface RunLimitsValue {
  /** in seconds; null: no limit */
  maxRunSeconds: number | null;
  /** null: slow runs are not judged */
  slowFactor: number | null;
  slowWindow: number | null;
  failureThreshold: number | null;
  recoveryThreshold: number | null;
}

export type RunLimitsForm = FormGroup<{ [K in keyof RunLimitsValue]: FormControl<RunLimitsValue[K]> }>;

export const DEFAULT_RUN_LIMITS: RunLimitsValue = {
  maxRunSeconds: null,
  slowFactor: null,
  slowWindow: 20,
  failureThreshold: 1,
  recoveryThreshold: 1,
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

/** The message for a range error ("Window must be a whole number from 5 to 1000"), or null when the errors hold none. */
export function rangeMessage(errors: ValidationErrors | null | undefined, label: string): string | null {
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

/** The fields as the form lays them out, a row each: the duration rules, then the thresholds. */
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
];

export function createRunLimitsForm(v: RunLimitsValue = DEFAULT_RUN_LIMITS): RunLimitsForm {
  return new FormGroup({
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
  });
}

type LimitFields = Pick<
  Monitor,
  'maxRunSeconds' | 'slowFactor' | 'slowWindow' | 'failureThreshold' | 'recoveryThreshold'
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
  };
}

/** API error fields -> the limits' control paths in the monitor form. */
export const RUN_LIMIT_FIELDS: Readonly<Record<string, string>> = {
  maxRunSeconds: 'limits.maxRunSeconds',
  slowFactor: 'limits.slowFactor',
  slowWindow: 'limits.slowWindow',
  failureThreshold: 'limits.failureThreshold',
  recoveryThreshold: 'limits.recoveryThreshold',
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
  return parts.length ? parts.join(' · ') : t('common.none');
}
