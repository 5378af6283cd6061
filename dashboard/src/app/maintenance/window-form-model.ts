// The maintenance window form's logic, without components: the typed form model, form <-> API
// conversion, API error fields -> form controls and the messages under them. Only erasable
// TypeScript, so Node's test runner can import it (test/unit/dashboard-maintenance.test.ts).

import { FormControl, FormGroup, Validators } from '@angular/forms';
import type { MaintenanceInput, MaintenanceWindow } from '../api/models.ts';
import type { FieldProblem } from '../api/api-error.ts';
import { errorMessage, localTimeZone } from '../monitors/schedule-form.ts';
import { translate, type MessageKey } from '../i18n/translate.ts';

export type WindowKind = 'once' | 'recurring';

export type WindowForm = FormGroup<{
  name: FormControl<string>;
  kind: FormControl<WindowKind>;
  /** `datetime-local` values, read in the browser's zone */
  startsAt: FormControl<string>;
  endsAt: FormControl<string>;
  expression: FormControl<string>;
  durationMinutes: FormControl<number | null>;
  timezone: FormControl<string>;
  /** comma-separated */
  monitorIds: FormControl<string>;
  tags: FormControl<string>;
}>;

export type WindowFormValue = ReturnType<WindowForm['getRawValue']>;

/** "2026-05-01T10:00" in the browser's zone, as datetime-local inputs take it. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function createWindowForm(now = Date.now(), timezone = localTimeZone()): WindowForm {
  const text = (v = '') => new FormControl(v, { nonNullable: true });
  return new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.required, Validators.maxLength(100)] }),
    kind: new FormControl<WindowKind>('once', { nonNullable: true }),
    startsAt: text(toLocalInput(new Date(now).toISOString())),
    endsAt: text(toLocalInput(new Date(now + 3_600_000).toISOString())),
    expression: text('0 3 * * 0'),
    durationMinutes: new FormControl<number | null>(60),
    timezone: text(timezone),
    monitorIds: text(),
    tags: text(),
  });
}

const split = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** The API body of a form's value. Values the form cannot judge go as typed: the API names the field. */
export function toWindowInput(v: WindowFormValue): MaintenanceInput {
  const rule: MaintenanceInput['rule'] =
    v.kind === 'once'
      ? {
          kind: 'once',
          startsAt: v.startsAt ? new Date(v.startsAt).toISOString() : '',
          endsAt: v.endsAt ? new Date(v.endsAt).toISOString() : '',
        }
      : {
          kind: 'recurring',
          expression: v.expression.trim(),
          durationSeconds: Math.round((v.durationMinutes ?? 0) * 60),
          timezone: v.timezone.trim(),
        };
  return {
    name: v.name.trim(),
    rule,
    monitorIds: split(v.monitorIds).map((x) => (/^\d+$/.test(x) ? Number(x) : (x as unknown as number))),
    tags: split(v.tags),
  };
}

export function windowFormValue(w: MaintenanceWindow): WindowFormValue {
  const base = { name: w.name, monitorIds: w.monitorIds.join(', '), tags: w.tags.join(', ') };
  if (w.rule.kind === 'once') {
    return {
      ...base,
      kind: 'once',
      startsAt: toLocalInput(w.rule.startsAt),
      endsAt: toLocalInput(w.rule.endsAt),
      expression: '',
      durationMinutes: 60,
      timezone: localTimeZone(),
    };
  }
  return {
    ...base,
    kind: 'recurring',
    startsAt: '',
    endsAt: '',
    expression: w.rule.expression,
    durationMinutes: w.rule.durationSeconds / 60,
    timezone: w.rule.timezone,
  };
}

/** The form control an API field error belongs to (`rule.endsAt` -> endsAt, `monitorIds[2]` -> monitorIds). */
const CONTROLS: Record<string, keyof WindowForm['controls']> = {
  name: 'name',
  'rule.kind': 'kind',
  'rule.startsAt': 'startsAt',
  'rule.endsAt': 'endsAt',
  'rule.expression': 'expression',
  'rule.durationSeconds': 'durationMinutes',
  'rule.timezone': 'timezone',
  monitorIds: 'monitorIds',
  tags: 'tags',
};

/** Puts each API field error on its control; answers the errors no control could show. */
export function applyWindowApiErrors(form: WindowForm, fields: FieldProblem[]): FieldProblem[] {
  const rest: FieldProblem[] = [];
  for (const f of fields) {
    const name = CONTROLS[f.field.replace(/\[\d+\]$/, '')];
    const control = name ? form.controls[name] : undefined;
    if (!control) {
      rest.push(f);
      continue;
    }
    control.setErrors({ server: f.message });
    control.markAsTouched();
  }
  return rest;
}

/** Each control's label, which its messages name too ("Name is required"). */
export const WINDOW_LABELS: Readonly<Record<keyof WindowForm['controls'], MessageKey>> = {
  name: 'list.name',
  kind: 'maintenance.kind',
  startsAt: 'maintenance.starts',
  endsAt: 'maintenance.ends',
  expression: 'form.cron',
  durationMinutes: 'maintenance.duration',
  timezone: 'form.timezone',
  monitorIds: 'maintenance.monitorIds',
  tags: 'list.tags',
};

/** The message under a control in the active language: the server's verdict, else the form's own; '' when valid. */
export function windowFieldError(form: WindowForm, name: keyof WindowForm['controls']): string {
  return errorMessage(form.controls[name].errors, translate(WINDOW_LABELS[name]));
}
