// The monitor form's logic, without components: the typed form model, form <-> API conversion,
// time units, validators, validation messages, and API error fields -> form controls.
// No decorators and only erasable TypeScript, so Node's test runner can import it
// (test/unit/dashboard-schedule-form.test.ts).

import {
  FormControl,
  FormGroup,
  Validators,
  type AbstractControl,
  type ValidationErrors,
  type ValidatorFn,
} from '@angular/forms';
import type { CronDialect, Monitor, MonitorInput, Schedule } from '../api/models.ts';
import type { FieldProblem } from '../api/api-error.ts';
import {
  DEFAULT_RUN_LIMITS,
  RUN_LIMIT_FIELDS,
  createRunLimitsForm,
  rangeMessage,
  runLimitsFromApi,
  runLimitsToApi,
  type RunLimitsForm,
  type RunLimitsValue,
} from './run-limits-form.ts';
import { translate } from '../i18n/translate.ts';
import { normalizeTags } from './tags.ts';

// ---------------------------------------------------------------------------------------------
// Time units
// ---------------------------------------------------------------------------------------------

export type TimeUnit = 'seconds' | 'minutes' | 'hours' | 'days';
export const TIME_UNITS: readonly TimeUnit[] = ['seconds', 'minutes', 'hours', 'days'];
export const UNIT_SECONDS: Readonly<Record<TimeUnit, number>> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

/** The API's limits (core/schedule/schedule.ts, services/registry/params.ts). */
export const MAX_SECONDS = 31_536_000; // one year
export const MAX_REPEAT_SECONDS = 30 * 86_400;
export const MAX_NAME = 200;
export const MAX_DESCRIPTION = 2000;
export const MAX_TAG = 64;
export const MAX_TAGS = 30;
export const MAX_EXPRESSION = 200;
export const MAX_CALENDAR_EXPRESSIONS = 10;
export const DEFAULT_CRON_GRACE_SECONDS = 300;

/** `value` `unit`s in seconds, or null when there is no usable number. Rounds to whole seconds. */
export function toSeconds(value: number | null | undefined, unit: TimeUnit): number | null {
  if (value === null || value === undefined || typeof value !== 'number' || !Number.isFinite(value)) return null;
  return Math.round(value * UNIT_SECONDS[unit]);
}

/** The largest unit that expresses `seconds` as a whole number: 3600 -> 1 hours, 90 -> 90 seconds. */
export function fromSeconds(seconds: number | null | undefined): { value: number | null; unit: TimeUnit } {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return { value: null, unit: 'minutes' };
  if (seconds === 0) return { value: 0, unit: 'minutes' };
  for (const unit of ['days', 'hours', 'minutes'] as const) {
    if (seconds % UNIT_SECONDS[unit] === 0) return { value: seconds / UNIT_SECONDS[unit], unit };
  }
  return { value: seconds, unit: 'seconds' };
}

/** "1 hour", "90 seconds", "2 days". */
export function formatDuration(seconds: number): string {
  const { value, unit } = fromSeconds(seconds);
  if (value === null) return '';
  return translate(value === 1 ? `unit.${unit}.one` : `unit.${unit}`, { n: value });
}

// ---------------------------------------------------------------------------------------------
// The form model
// ---------------------------------------------------------------------------------------------

export type ScheduleKind = 'interval' | 'cron' | 'oncalendar';
export const CRON_DIALECTS: readonly CronDialect[] = ['cron', 'kubernetes'];

/** Whether the kind's runs are calendar times in a zone (time zone, grace or end of day). */
export function isCalendarKind(kind: ScheduleKind): kind is 'cron' | 'oncalendar' {
  return kind === 'cron' || kind === 'oncalendar';
}

export type ScheduleForm = FormGroup<{
  kind: FormControl<ScheduleKind>;
  period: FormControl<number | null>;
  periodUnit: FormControl<TimeUnit>;
  expression: FormControl<string>;
  /** cron only: whose rules the expression runs by */
  dialect: FormControl<CronDialect>;
  /** oncalendar only: the textarea, one calendar event per line */
  expressions: FormControl<string>;
  timezone: FormControl<string>;
  endOfDay: FormControl<boolean>;
  grace: FormControl<number | null>;
  graceUnit: FormControl<TimeUnit>;
}>;

export type MonitorForm = FormGroup<{
  name: FormControl<string>;
  description: FormControl<string>;
  tags: FormControl<string[]>;
  schedule: ScheduleForm;
  channels: FormControl<number[]>;
  /** its parents: while one is down, its alerts are held */
  dependsOn: FormControl<number[]>;
  repeatEvery: FormControl<number | null>;
  repeatUnit: FormControl<TimeUnit>;
  limits: RunLimitsForm;
}>;

/** Everything the form holds, whether or not the current schedule kind uses it. */
export interface ScheduleFormValue {
  kind: ScheduleKind;
  period: number | null;
  periodUnit: TimeUnit;
  expression: string;
  dialect: CronDialect;
  /** one calendar event per line, as typed */
  expressions: string;
  timezone: string;
  endOfDay: boolean;
  grace: number | null;
  graceUnit: TimeUnit;
}

export interface MonitorFormValue {
  name: string;
  description: string;
  tags: string[];
  schedule: ScheduleFormValue;
  channels: number[];
  dependsOn: number[];
  repeatEvery: number | null;
  repeatUnit: TimeUnit;
  limits: RunLimitsValue;
}

/** The browser's (or Node's) own time zone, the default for a new cron schedule. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function emptyMonitorValue(timezone = localTimeZone()): MonitorFormValue {
  return {
    name: '',
    description: '',
    tags: [],
    schedule: {
      kind: 'interval',
      period: null,
      periodUnit: 'seconds',
      expression: '',
      dialect: 'cron',
      expressions: '',
      timezone,
      endOfDay: false,
      grace: null,
      graceUnit: 'seconds',
    },
    channels: [],
    dependsOn: [],
    repeatEvery: null,
    repeatUnit: 'hours',
    limits: { ...DEFAULT_RUN_LIMITS },
  };
}

/** Builds the typed form, its validators and the enable/disable rules, filled with `initial`. */
export function createMonitorForm(initial: MonitorFormValue = emptyMonitorValue()): MonitorForm {
  const s = initial.schedule;
  const schedule: ScheduleForm = new FormGroup({
    kind: new FormControl<ScheduleKind>(s.kind, { nonNullable: true }),
    period: new FormControl<number | null>(s.period, {
      validators: [durationValidator('periodUnit', 1, MAX_SECONDS, true)],
    }),
    periodUnit: new FormControl<TimeUnit>(s.periodUnit, { nonNullable: true }),
    expression: new FormControl<string>(s.expression, { nonNullable: true, validators: [cronExpressionValidator] }),
    dialect: new FormControl<CronDialect>(s.dialect, { nonNullable: true }),
    expressions: new FormControl<string>(s.expressions, {
      nonNullable: true,
      validators: [calendarExpressionsValidator],
    }),
    timezone: new FormControl<string>(s.timezone, { nonNullable: true, validators: [timeZoneValidator] }),
    endOfDay: new FormControl<boolean>(s.endOfDay, { nonNullable: true }),
    grace: new FormControl<number | null>(s.grace, {
      validators: [durationValidator('graceUnit', 0, MAX_SECONDS, true)],
    }),
    graceUnit: new FormControl<TimeUnit>(s.graceUnit, { nonNullable: true }),
  });
  const form: MonitorForm = new FormGroup({
    name: new FormControl<string>(initial.name, {
      nonNullable: true,
      validators: [Validators.required, notBlank, Validators.maxLength(MAX_NAME)],
    }),
    description: new FormControl<string>(initial.description, {
      nonNullable: true,
      validators: [Validators.maxLength(MAX_DESCRIPTION)],
    }),
    tags: new FormControl<string[]>([...initial.tags], { nonNullable: true, validators: [tagsValidator] }),
    schedule,
    channels: new FormControl<number[]>([...initial.channels], { nonNullable: true }),
    dependsOn: new FormControl<number[]>([...initial.dependsOn], { nonNullable: true }),
    repeatEvery: new FormControl<number | null>(initial.repeatEvery, {
      validators: [durationValidator('repeatUnit', 1, MAX_REPEAT_SECONDS, false)],
    }),
    repeatUnit: new FormControl<TimeUnit>(initial.repeatUnit, { nonNullable: true }),
    limits: createRunLimitsForm(initial.limits),
  });

  // A unit change re-checks its number (the limit is in seconds).
  const c = schedule.controls;
  c.periodUnit.valueChanges.subscribe(() => c.period.updateValueAndValidity());
  c.graceUnit.valueChanges.subscribe(() => c.grace.updateValueAndValidity());
  form.controls.repeatUnit.valueChanges.subscribe(() => form.controls.repeatEvery.updateValueAndValidity());
  c.kind.valueChanges.subscribe((kind) => applyKind(schedule, kind));
  c.endOfDay.valueChanges.subscribe(() => applyKind(schedule, c.kind.value));
  applyKind(schedule, s.kind);
  return form;
}

/**
 * Enables the controls the schedule kind uses and disables the others, so that the form's value
 * and validity only cover what is shown. Disabled controls keep what was typed: switching
 * interval -> cron -> interval gives the period back.
 */
export function applyKind(schedule: ScheduleForm, kind: ScheduleKind): void {
  const c = schedule.controls;
  const set = (control: AbstractControl, on: boolean) => {
    if (on && control.disabled) control.enable({ emitEvent: false });
    if (!on && control.enabled) control.disable({ emitEvent: false });
  };
  const calendar = isCalendarKind(kind);
  set(c.period, !calendar);
  set(c.periodUnit, !calendar);
  set(c.expression, kind === 'cron');
  set(c.dialect, kind === 'cron');
  set(c.expressions, kind === 'oncalendar');
  set(c.timezone, calendar);
  set(c.endOfDay, calendar);
  const graceOn = !calendar || !c.endOfDay.value;
  set(c.grace, graceOn);
  set(c.graceUnit, graceOn);
  if (calendar) {
    if (!c.timezone.value) c.timezone.setValue(localTimeZone(), { emitEvent: false });
    if (graceOn && (c.grace.value === null || c.grace.value === undefined)) {
      const d = fromSeconds(DEFAULT_CRON_GRACE_SECONDS);
      c.grace.setValue(d.value, { emitEvent: false });
      c.graceUnit.setValue(d.unit, { emitEvent: false });
    }
  }
  schedule.updateValueAndValidity();
}

/** Switches the schedule kind (what the interval | cron | OnCalendar toggle does). */
export function switchKind(schedule: ScheduleForm, kind: ScheduleKind): void {
  schedule.controls.kind.setValue(kind);
  applyKind(schedule, kind);
}

// ---------------------------------------------------------------------------------------------
// Form <-> API
// ---------------------------------------------------------------------------------------------

/** The textarea's calendar events: one a line, trimmed, inner spaces single, empty lines dropped. */
export function calendarLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().replace(/\s+/g, ' '))
    .filter((l) => l !== '');
}

/** The API schedule for the form's schedule. Only the current kind's fields are read. */
export function scheduleToApi(v: ScheduleFormValue): Schedule {
  if (isCalendarKind(v.kind)) {
    const endOfDay = v.endOfDay;
    const timing = {
      timezone: v.timezone.trim(),
      graceSeconds: endOfDay ? 0 : (toSeconds(v.grace, v.graceUnit) ?? DEFAULT_CRON_GRACE_SECONDS),
      deadline: endOfDay ? ('end-of-day' as const) : ('grace' as const),
    };
    if (v.kind === 'oncalendar') {
      return { kind: 'oncalendar', expressions: calendarLines(v.expressions), ...timing };
    }
    return {
      kind: 'cron',
      expression: v.expression.trim().replace(/\s+/g, ' '),
      timezone: timing.timezone,
      dialect: CRON_DIALECTS.includes(v.dialect) ? v.dialect : 'cron',
      graceSeconds: timing.graceSeconds,
      deadline: timing.deadline,
    };
  }
  return {
    kind: 'interval',
    periodSeconds: toSeconds(v.period, v.periodUnit) ?? 0,
    graceSeconds: toSeconds(v.grace, v.graceUnit) ?? 0,
  };
}

/** The form's schedule for an API schedule; fields of the other kind get defaults. */
export function scheduleFromApi(
  s: Schedule,
  defaults: ScheduleFormValue = emptyMonitorValue().schedule,
): ScheduleFormValue {
  const grace = fromSeconds(s.graceSeconds);
  if (s.kind === 'cron' || s.kind === 'oncalendar') {
    const endOfDay = s.deadline === 'end-of-day';
    const timing = {
      timezone: s.timezone,
      endOfDay,
      grace: endOfDay ? (defaults.grace ?? null) : grace.value,
      graceUnit: endOfDay ? defaults.graceUnit : grace.unit,
    };
    if (s.kind === 'oncalendar') {
      return { ...defaults, kind: 'oncalendar', expressions: s.expressions.join('\n'), ...timing };
    }
    // An older answer without a dialect is Debian cron's, the API's default.
    const dialect: CronDialect = s.dialect && CRON_DIALECTS.includes(s.dialect) ? s.dialect : 'cron';
    return { ...defaults, kind: 'cron', expression: s.expression, dialect, ...timing };
  }
  const period = fromSeconds(s.periodSeconds);
  return {
    ...defaults,
    kind: 'interval',
    period: period.value,
    periodUnit: period.unit,
    grace: grace.value,
    graceUnit: grace.unit,
  };
}

export function monitorToFormValue(m: Monitor): MonitorFormValue {
  const base = emptyMonitorValue();
  const repeat = fromSeconds(m.repeatEverySeconds);
  return {
    name: m.name,
    description: m.description ?? '',
    tags: [...m.tags],
    schedule: scheduleFromApi(m.schedule, base.schedule),
    channels: [...m.channels],
    dependsOn: [...m.dependsOn],
    repeatEvery: m.repeatEverySeconds ? repeat.value : null,
    repeatUnit: m.repeatEverySeconds ? repeat.unit : base.repeatUnit,
    limits: runLimitsFromApi(m),
  };
}

/** The POST/PATCH body for the form's value (raw value: disabled controls are ignored by kind). */
export function formValueToInput(
  v: MonitorFormValue,
  opts: { includeChannels: boolean } = { includeChannels: true },
): MonitorInput {
  const input: MonitorInput = {
    name: v.name.trim(),
    description: v.description.trim() ? v.description.trim() : null,
    schedule: scheduleToApi(v.schedule),
    tags: normalizeTags(v.tags),
    repeatEverySeconds: toSeconds(v.repeatEvery, v.repeatUnit),
    ...runLimitsToApi(v.limits),
    dependsOn: [...v.dependsOn],
  };
  if (opts.includeChannels) input.channels = [...v.channels];
  return input;
}

/**
 * Query parameters for /api/v1/schedule/preview: the schedule's fields at the top level (an
 * OnCalendar schedule's events as one string, one a line), and where the listing starts
 * (`from`: an ISO 8601 instant; none: now).
 */
export function previewParams(s: Schedule, count = 5, from?: string | null): Record<string, string> {
  const p: Record<string, string> = { kind: s.kind, graceSeconds: String(s.graceSeconds), count: String(count) };
  if (s.kind === 'interval') {
    p['periodSeconds'] = String(s.periodSeconds);
  } else {
    if (s.kind === 'cron') {
      p['expression'] = s.expression;
      p['dialect'] = s.dialect;
    } else {
      p['expressions'] = s.expressions.join('\n');
    }
    p['timezone'] = s.timezone;
    p['deadline'] = s.deadline;
  }
  if (from) p['from'] = from;
  return p;
}

// ---------------------------------------------------------------------------------------------
// The preview's start ("preview from"): a wall time in a zone
// ---------------------------------------------------------------------------------------------

const WALL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** How far `zone`'s clocks are ahead of UTC at `epochMs`, in ms; NaN for a zone Intl does not know. */
export function zoneOffsetMs(zone: string, epochMs: number): number {
  try {
    const f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const part = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((x) => [x.type, x.value]));
    const wall = Date.UTC(
      Number(part['year']),
      Number(part['month']) - 1,
      Number(part['day']),
      Number(part['hour']),
      Number(part['minute']),
      Number(part['second']),
    );
    return wall - Math.floor(epochMs / 1000) * 1000;
  } catch {
    return Number.NaN;
  }
}

/**
 * The instant of a wall time ("2026-03-28T00:00", as a datetime-local input gives it, or a date
 * alone: its midnight) in `zone`, as ISO 8601 UTC; null when it is empty or not a time. A wall
 * time the clock skips is read with the offset before the change, one it repeats as the first.
 */
export function wallTimeToInstant(wall: string | null | undefined, zone: string): string | null {
  const m = WALL.exec((wall ?? '').trim());
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  const asUtc = Date.UTC(y, mo - 1, d, h, mi, sec);
  if (Number.isNaN(asUtc) || new Date(asUtc).getUTCDate() !== d) return null;
  const before = zoneOffsetMs(zone, asUtc - 86_400_000);
  const after = zoneOffsetMs(zone, asUtc + 86_400_000);
  if (Number.isNaN(before) || Number.isNaN(after)) return null;
  // The offset that reproduces the wall time; the earlier instant where both do (a repeated
  // hour); in a gap (no instant has this wall time), the offset before the change.
  const first = asUtc - before;
  const second = asUtc - after;
  const at = zoneOffsetMs(zone, first) === before ? first : zoneOffsetMs(zone, second) === after ? second : first;
  return at >= 0 ? new Date(at).toISOString() : null;
}

// Tags: ./tags.ts (framework-free, shared with the list's URL state).
export { addTags, normalizeTags, splitTags } from './tags.ts';

// ---------------------------------------------------------------------------------------------
// Validators and their messages
// ---------------------------------------------------------------------------------------------

const notBlank: ValidatorFn = (c) =>
  typeof c.value === 'string' && c.value.length > 0 && !c.value.trim() ? { required: true } : null;

/**
 * A number with a unit from the sibling control `unitName`: whole seconds in [min, max].
 * `required`: an empty value is an error (otherwise empty means "off").
 */
export function durationValidator(unitName: string, min: number, max: number, required: boolean): ValidatorFn {
  return (control: AbstractControl): ValidationErrors | null => {
    const v = control.value as number | null | undefined | string;
    if (v === null || v === undefined || v === '') return required ? { required: true } : null;
    if (typeof v !== 'number' || !Number.isFinite(v)) return { number: true };
    if (v < 0) return { min: { min, actual: v } };
    const unit = (control.parent?.get(unitName)?.value as TimeUnit | undefined) ?? 'seconds';
    const seconds = v * UNIT_SECONDS[unit];
    if (!Number.isInteger(Math.round(seconds * 1000) / 1000)) return { wholeSeconds: true };
    if (seconds < min) return { minSeconds: { min } };
    if (seconds > max) return { maxSeconds: { max } };
    return null;
  };
}

const CRON_ALIASES = [
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
  '@minutely',
  '@secondly',
  '@weekdays',
  '@weekends',
];

/** A quick local check; the server's preview says the rest (e.g. "expression never matches"). */
export const cronExpressionValidator: ValidatorFn = (control) => {
  const v = typeof control.value === 'string' ? control.value.trim() : '';
  if (!v) return { required: true };
  if (v.length > MAX_EXPRESSION) return { maxlength: { requiredLength: MAX_EXPRESSION, actualLength: v.length } };
  if (v.startsWith('@')) return CRON_ALIASES.includes(v.toLowerCase()) ? null : { cronAlias: true };
  const n = v.split(/\s+/).length;
  return n === 5 || n === 6 ? null : { cronFields: { count: n } };
};

/** The OnCalendar textarea: 1 to 10 calendar events, one a line, none too long. The server checks their syntax. */
export const calendarExpressionsValidator: ValidatorFn = (control) => {
  const text = typeof control.value === 'string' ? control.value : '';
  const lines = text.split(/\r?\n/);
  const events = lines.filter((l) => l.trim() !== '');
  if (events.length === 0) return { calendarRequired: true };
  if (events.length > MAX_CALENDAR_EXPRESSIONS)
    return { calendarCount: { max: MAX_CALENDAR_EXPRESSIONS, count: events.length } };
  const long = lines.findIndex((l) => l.trim().length > MAX_EXPRESSION);
  if (long >= 0) return { calendarLine: { line: long + 1, max: MAX_EXPRESSION } };
  return null;
};

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 100) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const timeZoneValidator: ValidatorFn = (control) => {
  const v = typeof control.value === 'string' ? control.value.trim() : '';
  if (!v) return { required: true };
  return isValidTimeZone(v) ? null : { timezone: true };
};

export const tagsValidator: ValidatorFn = (control) => {
  const tags = (control.value ?? []) as string[];
  if (tags.length > MAX_TAGS) return { maxTags: { max: MAX_TAGS } };
  const long = tags.find((t) => t.length > MAX_TAG);
  if (long !== undefined) return { tagLength: { max: MAX_TAG, tag: long } };
  return null;
};

/** The message to show under a control, or '' when it is valid. The server's message wins. */
export function errorMessage(errors: ValidationErrors | null | undefined, label: string): string {
  if (!errors) return '';
  if (typeof errors['server'] === 'string') return errors['server'];
  const range = rangeMessage(errors, label);
  if (range) return range;
  if (errors['required']) return translate('form.required', { label });
  if (errors['number']) return translate('form.number', { label });
  if (errors['min']) return translate('form.negative', { label });
  if (errors['wholeSeconds']) return translate('form.wholeSeconds', { label });
  if (errors['minSeconds']) {
    const min = (errors['minSeconds'] as { min: number }).min;
    return translate('form.atLeast', { label, min: formatDuration(min) });
  }
  if (errors['maxSeconds']) {
    const max = (errors['maxSeconds'] as { max: number }).max;
    return translate('form.atMost', { label, max: formatDuration(max) });
  }
  if (errors['maxlength']) {
    const max = (errors['maxlength'] as { requiredLength: number }).requiredLength;
    return translate('form.maxLength', { label, max });
  }
  if (errors['cronFields']) {
    const n = (errors['cronFields'] as { count: number }).count;
    return translate('form.cronFields', { n });
  }
  if (errors['cronAlias']) return translate('form.cronAlias', { aliases: CRON_ALIASES.join(', ') });
  if (errors['calendarRequired']) return translate('form.calendarRequired');
  if (errors['calendarCount'])
    return translate('form.calendarCount', { max: (errors['calendarCount'] as { max: number }).max });
  if (errors['calendarLine']) {
    const e = errors['calendarLine'] as { line: number; max: number };
    return translate('form.calendarLineLength', { n: e.line, max: e.max });
  }
  if (errors['timezone']) return translate('form.timezoneInvalid');
  if (errors['maxTags']) return translate('form.maxTags', { max: (errors['maxTags'] as { max: number }).max });
  if (errors['tagLength']) return translate('form.tagLength', { max: (errors['tagLength'] as { max: number }).max });
  return translate('form.invalid', { label });
}

// ---------------------------------------------------------------------------------------------
// API errors -> form controls
// ---------------------------------------------------------------------------------------------

const FIELD_TO_CONTROL: Readonly<Record<string, string>> = {
  name: 'name',
  description: 'description',
  tags: 'tags',
  channels: 'channels',
  dependsOn: 'dependsOn',
  repeatEverySeconds: 'repeatEvery',
  schedule: 'schedule.kind',
  kind: 'schedule.kind',
  periodSeconds: 'schedule.period',
  graceSeconds: 'schedule.grace',
  expression: 'schedule.expression',
  dialect: 'schedule.dialect',
  expressions: 'schedule.expressions',
  timezone: 'schedule.timezone',
  deadline: 'schedule.endOfDay',
  ...RUN_LIMIT_FIELDS,
};

/**
 * The form control path for an API error field: "schedule.graceSeconds" and the preview's
 * "graceSeconds" -> "schedule.grace", "tags[2]" -> "tags", "channels.0" -> "channels". Null if none.
 */
export function controlPathForField(field: string): string | null {
  let f = field
    .trim()
    .replace(/^body\./, '')
    .replace(/^\./, '');
  f = f.replace(/\[\d+\]$/, '').replace(/\.\d+$/, '');
  if (f.startsWith('schedule.')) f = f.slice('schedule.'.length);
  return FIELD_TO_CONTROL[f] ?? null;
}

/**
 * Puts each API field error on its control (as `{server: message}`, shown by errorMessage and
 * cleared by the next edit) and marks it touched. Returns the problems no control shows.
 */
export function applyApiErrors(form: FormGroup, problems: readonly FieldProblem[]): FieldProblem[] {
  const rest: FieldProblem[] = [];
  for (const p of problems) {
    const path = controlPathForField(p.field);
    const control = path ? form.get(path) : null;
    if (!control || control.disabled) {
      rest.push(p);
      continue;
    }
    const line = calendarLineOf(form, p.field);
    const message =
      line === null ? serverMessage(p.message) : translate('form.calendarLine', { n: line, message: p.message.trim() });
    control.setErrors({ ...(control.errors ?? {}), server: message });
    control.markAsTouched();
  }
  return rest;
}

/**
 * The textarea line (1-based) an error on "expressions[i]" is about: the API counts the events,
 * the user sees lines (blank ones included). Null for any other field.
 */
function calendarLineOf(form: FormGroup, field: string): number | null {
  const m = /(?:^|\.)expressions\[(\d+)\]$/.exec(field.trim());
  if (!m) return null;
  const index = Number(m[1]);
  const text = form.get('schedule.expressions')?.value;
  const lines = typeof text === 'string' ? text.split(/\r?\n/) : [];
  let seen = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '' && ++seen === index) return i + 1;
  }
  return index + 1;
}

function serverMessage(message: string): string {
  const m = message.trim();
  return m ? m[0].toUpperCase() + m.slice(1) : translate('form.notValid');
}
