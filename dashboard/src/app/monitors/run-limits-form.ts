// The monitor form's run limits (duration alerts and thresholds against flapping): the typed
// controls, their validators and messages, and form <-> API conversion. Framework-free apart
// from @angular/forms, erasable TypeScript only, so Node's test runner imports it
// (test/unit/dashboard-run-limits-form.test.ts). The limits are the API's (core/run-limits.ts).

import { FormControl, FormGroup, type AbstractControl, type ValidationErrors, type ValidatorFn } from '@angular/forms';
import type { Monitor, MonitorInput } from '../api/models.ts';

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

export const DEFAULT_RUN_LIMITS: RunLimitsValue = { maxRunSeconds: null, slowFactor: null, slowWindow: 20, failureThreshold: 1, recoveryThreshold: 1 };

/**
 * A number in [min, max] (`above`: strictly more than min), whole when `integer`; empty is fine
 * when `optional`. Errors: {required} or {range: {min, max, integer, above}}.
 */
export function rangeValidator(min: number, max: number, opts: { integer?: boolean; optional?: boolean; above?: boolean } = {}): ValidatorFn {
  return (c: AbstractControl): ValidationErrors | null => {
    const v = c.value as unknown;
    if (v === null || v === undefined || v === '') return opts.optional ? null : { required: true };
    const n = typeof v === 'number' ? v : Number(v);
    const ok = Number.isFinite(n) && (opts.above ? n > min : n >= min) && n <= max && (!opts.integer || Number.isInteger(n));
    return ok ? null : { range: { min, max, integer: Boolean(opts.integer), above: Boolean(opts.above) } };
  };
}

/** The message for a range error, or null when the errors hold none. */
export function rangeMessage(errors: ValidationErrors | null | undefined, label: string): string | null {
  const r = errors?.['range'] as { min: number; max: number; integer: boolean; above: boolean } | undefined;
  if (!r) return null;
  const what = r.integer ? 'a whole number' : 'a number';
  return r.above ? `${label} must be ${what} greater than ${r.min}, at most ${r.max}` : `${label} must be ${what} from ${r.min} to ${r.max}`;
}

export function createRunLimitsForm(v: RunLimitsValue = DEFAULT_RUN_LIMITS): RunLimitsForm {
  return new FormGroup({
    maxRunSeconds: new FormControl<number | null>(v.maxRunSeconds, { validators: [rangeValidator(1, MAX_RUN_SECONDS, { integer: true, optional: true })] }),
    slowFactor: new FormControl<number | null>(v.slowFactor, { validators: [rangeValidator(1, MAX_SLOW_FACTOR, { optional: true, above: true })] }),
    slowWindow: new FormControl<number | null>(v.slowWindow, { validators: [rangeValidator(SLOW_MIN_HISTORY, MAX_SLOW_WINDOW, { integer: true })] }),
    failureThreshold: new FormControl<number | null>(v.failureThreshold, { validators: [rangeValidator(1, MAX_THRESHOLD, { integer: true })] }),
    recoveryThreshold: new FormControl<number | null>(v.recoveryThreshold, { validators: [rangeValidator(1, MAX_THRESHOLD, { integer: true })] }),
  });
}

type LimitFields = Pick<Monitor, 'maxRunSeconds' | 'slowFactor' | 'slowWindow' | 'failureThreshold' | 'recoveryThreshold'>;

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

const orNull = (v: number | null | undefined | string): number | null => (v === null || v === undefined || v === '' ? null : Number(v));

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
export function runLimitsSummary(m: Partial<LimitFields>, duration: (ms: number) => string): string {
  const v = runLimitsFromApi(m);
  const parts: string[] = [];
  if (v.maxRunSeconds !== null) parts.push(`max run ${duration(v.maxRunSeconds * 1000)}`);
  if (v.slowFactor !== null) parts.push(`slow over ${v.slowFactor}× the median of ${v.slowWindow} runs`);
  if ((v.failureThreshold ?? 1) > 1) parts.push(`down after ${v.failureThreshold} failures in a row`);
  if ((v.recoveryThreshold ?? 1) > 1) parts.push(`up after ${v.recoveryThreshold} successes in a row`);
  return parts.length ? parts.join(' · ') : 'none';
}
