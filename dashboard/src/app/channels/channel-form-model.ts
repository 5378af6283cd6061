// The channel form's logic, without components: the form generated from a channel type's fields
// (GET /api/v1/channel-types), form <-> API conversion with write-only secrets, and API error
// fields -> form controls. No decorators and only erasable TypeScript, so Node's test runner can
// import it (test/unit/dashboard-channel-form.test.ts).

import { FormControl, FormGroup, FormRecord, Validators, type AbstractControl } from '@angular/forms';
import type { Channel, ChannelField, ChannelType, Locale } from '../api/models.ts';
import type { FieldProblem } from '../api/api-error.ts';
import { sentence } from '../api/api-error.ts';

/** What the API sends instead of a stored secret. */
export const SECRET_MASK = '********';
/** The events a channel may choose (core/alerts/alert.ts CHOOSABLE_EVENTS). */
export const CHANNEL_EVENTS = ['down', 'up', 'failure'] as const;
export type ChannelEvent = (typeof CHANNEL_EVENTS)[number];
export const MAX_CHANNEL_NAME = 200;

/** How a field is edited: one input per kind. */
export type FieldKind = 'text' | 'url' | 'email' | 'number' | 'boolean' | 'enum' | 'list' | 'record';

/** One generated field: what its input is, its label and whether it must be filled. */
export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  secret: boolean;
  description: string;
  values: readonly string[];
  min?: number;
  max?: number;
}

const KINDS: Readonly<Record<string, FieldKind>> = {
  string: 'text',
  url: 'url',
  email: 'email',
  number: 'number',
  boolean: 'boolean',
  enum: 'enum',
  array: 'list',
  record: 'record',
};

/** "botToken" → "Bot token", "url" → "URL": a label from a field's key. */
export function labelOf(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => (/^(url|id|api|smtp|tls|hmac)$/i.test(w) ? w.toUpperCase() : w.toLowerCase()));
  const text = words.join(' ');
  return text ? text[0].toUpperCase() + text.slice(1) : key;
}

/** The form's fields for a channel type, in the plugin's order. An unknown rule type is edited as text. */
export function fieldSpecs(type: ChannelType): FieldSpec[] {
  return Object.entries(type.fields).map(([key, rule]: [string, ChannelField]) => ({
    key,
    label: labelOf(key),
    kind: KINDS[rule.type] ?? 'text',
    required: rule.optional !== true && rule.default === undefined,
    secret: rule.secret === true,
    description: rule.description ?? '',
    values: rule.values ?? [],
    min: rule.min,
    max: rule.max,
  }));
}

/** A config value as its input holds it: lists one per line, records "Name: value" per line. */
export function toControlValue(spec: FieldSpec, value: unknown): string | boolean {
  if (spec.kind === 'boolean') return value === true;
  if (value === undefined || value === null) return '';
  if (spec.kind === 'list' && Array.isArray(value)) return value.map(String).join('\n');
  if (spec.kind === 'record' && typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');
  return String(value);
}

/** An input's value as the API takes it; undefined when empty. */
export function toApiValue(spec: FieldSpec, value: string | boolean): unknown {
  if (spec.kind === 'boolean') return value === true;
  const text = String(value).trim();
  if (!text) return undefined;
  switch (spec.kind) {
    case 'number':
      return Number(text);
    case 'list':
      return text
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter(Boolean);
    case 'record':
      return Object.fromEntries(
        text
          .split('\n')
          .map((line) => line.trim())
          .filter(Boolean)
          .map((line) => {
            const at = line.indexOf(':');
            return at < 0 ? [line, ''] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
          }),
      );
    default:
      return text;
  }
}

export type ConfigGroup = FormRecord<FormControl<string | boolean>>;

export type ChannelForm = FormGroup<{
  name: FormControl<string>;
  type: FormControl<string>;
  events: FormControl<ChannelEvent[]>;
  isDefault: FormControl<boolean>;
  enabled: FormControl<boolean>;
  /** '' for the server's default language */
  locale: FormControl<Locale | ''>;
  config: ConfigGroup;
}>;

export function createChannelForm(): ChannelForm {
  return new FormGroup({
    name: new FormControl('', {
      nonNullable: true,
      validators: [Validators.required, Validators.maxLength(MAX_CHANNEL_NAME)],
    }),
    type: new FormControl('webhook', { nonNullable: true, validators: [Validators.required] }),
    events: new FormControl<ChannelEvent[]>([...CHANNEL_EVENTS], { nonNullable: true }),
    isDefault: new FormControl(false, { nonNullable: true }),
    enabled: new FormControl(true, { nonNullable: true }),
    locale: new FormControl<Locale | ''>('', { nonNullable: true }),
    config: new FormRecord<FormControl<string | boolean>>({}),
  });
}

/**
 * The config controls for a type, replacing the old ones. `shown` is an existing channel's config
 * (secrets masked): a secret that is set starts disabled and empty — "set", kept unless replaced —
 * so its value is never in the page.
 */
export function setConfigControls(group: ConfigGroup, specs: readonly FieldSpec[], shown?: Record<string, unknown>) {
  for (const key of Object.keys(group.controls)) group.removeControl(key);
  for (const spec of specs) {
    const stored = spec.secret && shown?.[spec.key] === SECRET_MASK;
    const control = new FormControl<string | boolean>(stored ? '' : toControlValue(spec, shown?.[spec.key]), {
      nonNullable: true,
      validators: spec.required && spec.kind !== 'boolean' ? [Validators.required] : [],
    });
    if (stored) control.disable();
    group.addControl(spec.key, control);
  }
}

/** The secrets an existing channel has set (shown masked). */
export function storedSecrets(specs: readonly FieldSpec[], shown: Record<string, unknown> | undefined): Set<string> {
  return new Set(specs.filter((s) => s.secret && shown?.[s.key] === SECRET_MASK).map((s) => s.key));
}

/**
 * The config to send. Creating: what is filled. Editing: every field, cleared ones as null (the
 * API unsets them), but a kept secret (its control disabled) is left out so the stored one stays.
 */
export function configToApi(
  group: ConfigGroup,
  specs: readonly FieldSpec[],
  editing: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const control = group.controls[spec.key];
    if (!control || control.disabled) continue;
    const v = toApiValue(spec, control.value);
    if (v !== undefined) out[spec.key] = v;
    else if (editing) out[spec.key] = null;
  }
  return out;
}

/** The whole body for POST (with the type) or PATCH /api/v1/channels. */
export function formToApi(form: ChannelForm, specs: readonly FieldSpec[], channel: Channel | null) {
  const v = form.getRawValue();
  const body: Record<string, unknown> = {
    name: v.name.trim(),
    events: v.events,
    isDefault: v.isDefault,
    enabled: v.enabled,
    locale: v.locale === '' ? null : v.locale,
  };
  // The environment's email channel: SMTP_URL and ALERT_TO own its settings.
  if (channel?.managedBy !== 'environment') body['config'] = configToApi(form.controls.config, specs, channel !== null);
  if (!channel) body['type'] = v.type;
  return body;
}

/** An existing channel's values in the form (its config controls are set apart, by setConfigControls). */
export function channelToFormValue(c: Channel) {
  return {
    name: c.name,
    type: c.type,
    events: CHANNEL_EVENTS.filter((e) => c.events.includes(e)),
    isDefault: c.isDefault,
    enabled: c.enabled,
    locale: (c.locale ?? '') as Locale | '',
  };
}

/** The control an API error field names: "config.url" → config.url, "name" → name. */
export function channelControl(form: ChannelForm, field: string): AbstractControl | null {
  const path = field.trim().replace(/\[\d+\]$/, '');
  return form.get(path);
}

/** Puts each API error under its field; answers those no visible control takes. */
export function applyChannelApiErrors(form: ChannelForm, problems: readonly FieldProblem[]): FieldProblem[] {
  const rest: FieldProblem[] = [];
  for (const p of problems) {
    const control = channelControl(form, p.field);
    if (!control || control.disabled || control instanceof FormGroup || control instanceof FormRecord) {
      rest.push(p);
      continue;
    }
    control.setErrors({ ...(control.errors ?? {}), server: sentence(p.message) });
    control.markAsTouched();
  }
  return rest;
}
