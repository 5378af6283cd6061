// The host form's logic, without components: the typed form model, form <-> API conversion,
// the check and fingerprint validators, their messages, and API error fields -> form controls.
// No decorators and only erasable TypeScript, so Node's test runner can import it
// (test/unit/dashboard-hosts.test.ts).

import {
  FormArray,
  FormControl,
  FormGroup,
  Validators,
  type AbstractControl,
  type ValidationErrors,
  type ValidatorFn,
} from '@angular/forms';
import type { Host, HostInput } from '../api/models.ts';
import type { FieldProblem } from '../api/api-error.ts';
import { durationValidator, errorMessage, fromSeconds, toSeconds, type TimeUnit } from '../monitors/schedule-form.ts';
import { translate } from '../i18n/translate.ts';

/** The API's limits (services/registry/params.ts). */
export const MAX_HOST_NAME = 200;
export const MAX_ADDRESS = 253;
export const MAX_USERNAME = 100;
export const MAX_KEY = 16_384;
export const MAX_KEY_PATH = 1000;
export const MAX_PASSPHRASE = 1024;
export const MAX_CHECKS = 50;
export const MAX_CHECK = 200;
export const MAX_HOST_SECONDS = 86_400;
export const DEFAULT_PORT = 22;
export const DEFAULT_INTERVAL_SECONDS = 300;
export const DEFAULT_GRACE_SECONDS = 60;
/** What the API sends instead of a stored secret, and accepts back as "keep it". */
export const SECRET_MASK = '********';

export const CHECK_EXAMPLES: readonly string[] = [
  'cpu > 90',
  'memory > 85',
  'swap > 50',
  'load1 > 8',
  'disk:/ > 90',
  'disk > 95',
  'process:nginx >= 1',
];

export type KeyMode = 'key' | 'path';

export type HostForm = FormGroup<{
  name: FormControl<string>;
  address: FormControl<string>;
  port: FormControl<number | null>;
  username: FormControl<string>;
  keyMode: FormControl<KeyMode>;
  privateKey: FormControl<string>;
  keyPath: FormControl<string>;
  passphrase: FormControl<string>;
  clearPassphrase: FormControl<boolean>;
  hostKeyFingerprint: FormControl<string>;
  trustOnFirstUse: FormControl<boolean>;
  interval: FormControl<number | null>;
  intervalUnit: FormControl<TimeUnit>;
  grace: FormControl<number | null>;
  graceUnit: FormControl<TimeUnit>;
  checks: FormArray<FormControl<string>>;
  enabled: FormControl<boolean>;
}>;

export interface HostFormValue {
  name: string;
  address: string;
  port: number | null;
  username: string;
  keyMode: KeyMode;
  /** Only ever what the user typed: a stored key is never put back into the form. */
  privateKey: string;
  keyPath: string;
  passphrase: string;
  clearPassphrase: boolean;
  hostKeyFingerprint: string;
  trustOnFirstUse: boolean;
  interval: number | null;
  intervalUnit: TimeUnit;
  grace: number | null;
  graceUnit: TimeUnit;
  checks: string[];
  enabled: boolean;
}

/** What the server holds that the form does not show: decides "leave empty to keep it". */
export interface StoredSecrets {
  privateKey: boolean;
  passphrase: boolean;
}

export const NO_SECRETS: StoredSecrets = { privateKey: false, passphrase: false };

export function storedSecrets(h: Host | null | undefined): StoredSecrets {
  return h ? { privateKey: Boolean(h.privateKey), passphrase: Boolean(h.passphrase) } : NO_SECRETS;
}

export function emptyHostValue(): HostFormValue {
  const interval = fromSeconds(DEFAULT_INTERVAL_SECONDS);
  const grace = fromSeconds(DEFAULT_GRACE_SECONDS);
  return {
    name: '',
    address: '',
    port: DEFAULT_PORT,
    username: '',
    keyMode: 'key',
    privateKey: '',
    keyPath: '',
    passphrase: '',
    clearPassphrase: false,
    hostKeyFingerprint: '',
    trustOnFirstUse: false,
    interval: interval.value,
    intervalUnit: interval.unit,
    grace: grace.value,
    graceUnit: grace.unit,
    checks: [],
    enabled: true,
  };
}

/** The form's value for a stored host. Secrets stay empty: they are write-only. */
export function hostToFormValue(h: Host): HostFormValue {
  const interval = fromSeconds(h.intervalSeconds);
  const grace = fromSeconds(h.graceSeconds);
  return {
    name: h.name,
    address: h.address,
    port: h.port,
    username: h.username,
    keyMode: h.keyPath && !h.privateKey ? 'path' : 'key',
    privateKey: '',
    keyPath: h.keyPath ?? '',
    passphrase: '',
    clearPassphrase: false,
    hostKeyFingerprint: h.hostKeyFingerprint ?? '',
    trustOnFirstUse: h.trustOnFirstUse,
    interval: interval.value,
    intervalUnit: interval.unit,
    grace: grace.value,
    graceUnit: grace.unit,
    checks: [...h.checks],
    enabled: h.enabled,
  };
}

export function checkControl(value = ''): FormControl<string> {
  return new FormControl<string>(value, { nonNullable: true, validators: [checkValidator] });
}

/**
 * Builds the typed form. `secrets` says what the server already holds: with a stored key, an
 * empty key field means "keep it" and is valid.
 */
export function createHostForm(
  initial: HostFormValue = emptyHostValue(),
  secrets: StoredSecrets = NO_SECRETS,
): HostForm {
  const form: HostForm = new FormGroup({
    name: new FormControl(initial.name, {
      nonNullable: true,
      validators: [Validators.required, notBlank, Validators.maxLength(MAX_HOST_NAME)],
    }),
    address: new FormControl(initial.address, {
      nonNullable: true,
      validators: [Validators.required, notBlank, Validators.maxLength(MAX_ADDRESS), addressValidator],
    }),
    port: new FormControl<number | null>(initial.port, { validators: [portValidator] }),
    username: new FormControl(initial.username, {
      nonNullable: true,
      validators: [Validators.required, notBlank, Validators.maxLength(MAX_USERNAME), usernameValidator],
    }),
    keyMode: new FormControl<KeyMode>(initial.keyMode, { nonNullable: true }),
    privateKey: new FormControl(initial.privateKey, {
      nonNullable: true,
      validators: [privateKeyValidator(secrets.privateKey)],
    }),
    keyPath: new FormControl(initial.keyPath, {
      nonNullable: true,
      validators: [Validators.required, notBlank, Validators.maxLength(MAX_KEY_PATH)],
    }),
    passphrase: new FormControl(initial.passphrase, {
      nonNullable: true,
      validators: [Validators.maxLength(MAX_PASSPHRASE)],
    }),
    clearPassphrase: new FormControl(initial.clearPassphrase, { nonNullable: true }),
    hostKeyFingerprint: new FormControl(initial.hostKeyFingerprint, {
      nonNullable: true,
      validators: [fingerprintValidator],
    }),
    trustOnFirstUse: new FormControl(initial.trustOnFirstUse, { nonNullable: true }),
    interval: new FormControl<number | null>(initial.interval, {
      validators: [durationValidator('intervalUnit', 1, MAX_HOST_SECONDS, true)],
    }),
    intervalUnit: new FormControl<TimeUnit>(initial.intervalUnit, { nonNullable: true }),
    grace: new FormControl<number | null>(initial.grace, {
      validators: [durationValidator('graceUnit', 0, MAX_HOST_SECONDS, true)],
    }),
    graceUnit: new FormControl<TimeUnit>(initial.graceUnit, { nonNullable: true }),
    checks: new FormArray(
      initial.checks.map((c) => checkControl(c)),
      { validators: [Validators.maxLength(MAX_CHECKS)] },
    ),
    enabled: new FormControl(initial.enabled, { nonNullable: true }),
  });
  const c = form.controls;
  c.intervalUnit.valueChanges.subscribe(() => c.interval.updateValueAndValidity());
  c.graceUnit.valueChanges.subscribe(() => c.grace.updateValueAndValidity());
  c.keyMode.valueChanges.subscribe((mode) => applyKeyMode(form, mode));
  applyKeyMode(form, initial.keyMode);
  return form;
}

/** Key text or key path: only the chosen one is enabled, so only it is validated and sent. */
export function applyKeyMode(form: HostForm, mode: KeyMode): void {
  const c = form.controls;
  const set = (control: AbstractControl, on: boolean) => {
    if (on && control.disabled) control.enable({ emitEvent: false });
    if (!on && control.enabled) control.disable({ emitEvent: false });
  };
  set(c.privateKey, mode === 'key');
  set(c.keyPath, mode === 'path');
  form.updateValueAndValidity({ emitEvent: false });
}

/** Replaces the check inputs with `checks` (keeps the FormArray instance the template binds). */
export function setChecks(form: HostForm, checks: readonly string[]): void {
  const arr = form.controls.checks;
  arr.clear({ emitEvent: false });
  for (const c of checks) arr.push(checkControl(c), { emitEvent: false });
  arr.updateValueAndValidity();
}

/**
 * The POST/PATCH body. Secrets are only sent when typed: an empty key or passphrase on edit is
 * left out, which keeps what is stored. Blank check rows are dropped.
 */
export function formValueToHostInput(v: HostFormValue, opts: { editing: boolean } = { editing: false }): HostInput {
  const input: HostInput = {
    name: v.name.trim(),
    address: v.address.trim(),
    port: v.port ?? DEFAULT_PORT,
    username: v.username.trim(),
    hostKeyFingerprint: v.hostKeyFingerprint.trim() || null,
    trustOnFirstUse: v.trustOnFirstUse,
    intervalSeconds: toSeconds(v.interval, v.intervalUnit) ?? DEFAULT_INTERVAL_SECONDS,
    graceSeconds: toSeconds(v.grace, v.graceUnit) ?? DEFAULT_GRACE_SECONDS,
    checks: normalizeChecks(v.checks),
    enabled: v.enabled,
  };
  if (v.keyMode === 'path') {
    input.keyPath = v.keyPath.trim();
  } else if (v.privateKey.trim()) {
    input.privateKey = normalizeKey(v.privateKey);
  }
  if (v.passphrase) input.passphrase = v.passphrase;
  else if (opts.editing && v.clearPassphrase) input.passphrase = null;
  return input;
}

/** A pasted key: Windows line ends out, one final newline (OpenSSH refuses keys without it). */
export function normalizeKey(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim() + '\n';
}

export function normalizeChecks(checks: readonly string[]): string[] {
  return checks.map((c) => c.trim().replace(/\s+/g, ' ')).filter((c) => c.length > 0);
}

// ---------------------------------------------------------------------------------------------
// Validators and their messages
// ---------------------------------------------------------------------------------------------

const notBlank: ValidatorFn = (c) =>
  typeof c.value === 'string' && c.value.length > 0 && !c.value.trim() ? { required: true } : null;

const ADDRESS_RE = /^[A-Za-z0-9.:_-]+$/;
const USERNAME_RE = /^[A-Za-z0-9._-]+$/;
export const FINGERPRINT_RE = /^SHA256:[A-Za-z0-9+/]{43}=?$/;

export const addressValidator: ValidatorFn = (c) => {
  const v = typeof c.value === 'string' ? c.value.trim() : '';
  return !v || ADDRESS_RE.test(v) ? null : { address: true };
};

export const usernameValidator: ValidatorFn = (c) => {
  const v = typeof c.value === 'string' ? c.value.trim() : '';
  return !v || USERNAME_RE.test(v) ? null : { username: true };
};

export const portValidator: ValidatorFn = (c) => {
  const v = c.value as number | null | string | undefined;
  if (v === null || v === undefined || v === '') return null; // empty: 22
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) return { port: true };
  return null;
};

export const fingerprintValidator: ValidatorFn = (c) => {
  const v = typeof c.value === 'string' ? c.value.trim() : '';
  return !v || FINGERPRINT_RE.test(v) ? null : { fingerprint: true };
};

/** Key text: required unless one is stored (then empty keeps it); must look like a private key. */
export function privateKeyValidator(stored: boolean): ValidatorFn {
  return (c) => {
    const v = typeof c.value === 'string' ? c.value.trim() : '';
    if (!v) return stored ? null : { required: true };
    if (v.length > MAX_KEY) return { maxlength: { requiredLength: MAX_KEY, actualLength: v.length } };
    if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(v) || !/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(v))
      return { privateKey: true };
    return null;
  };
}

const CHECK_RE = /^\s*([a-z0-9]+)(?::(.+?))?\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/i;
const PLAIN_METRICS = ['cpu', 'memory', 'mem', 'swap', 'load1', 'load5', 'load15'];

/** The problem with a check expression as the server would word it, or null when it reads. Mirrors core/hosts/host-checks.ts. */
export function checkProblem(text: string): string | null {
  const m = CHECK_RE.exec(text);
  if (!m) return translate('hostForm.checkSyntax');
  const name = m[1].toLowerCase();
  const arg = m[2]?.trim();
  if (PLAIN_METRICS.includes(name)) return arg === undefined ? null : translate('hostForm.checkNoArg', { name });
  if (name === 'disk') return arg === undefined || arg.startsWith('/') ? null : translate('hostForm.checkDisk');
  if (name === 'process') return arg ? null : translate('hostForm.checkProcess');
  return translate('hostForm.checkUnknown', { name });
}

/** An empty row is fine (it is dropped); anything else must read as a check. */
export const checkValidator: ValidatorFn = (c) => {
  const v = typeof c.value === 'string' ? c.value.trim() : '';
  if (!v) return null;
  if (v.length > MAX_CHECK) return { maxlength: { requiredLength: MAX_CHECK, actualLength: v.length } };
  const problem = checkProblem(v);
  return problem ? { check: problem } : null;
};

/** The message under a control, or '' when valid. The server's message wins. */
export function hostErrorMessage(errors: ValidationErrors | null | undefined, label: string): string {
  if (!errors) return '';
  if (typeof errors['server'] === 'string') return errors['server'];
  if (typeof errors['check'] === 'string') return errors['check'];
  if (errors['address']) return translate('hostForm.addressInvalid');
  if (errors['username']) return translate('hostForm.userInvalid');
  if (errors['port']) return translate('hostForm.portInvalid');
  if (errors['fingerprint']) return translate('hostForm.fingerprintInvalid');
  if (errors['privateKey']) return translate('hostForm.keyInvalid');
  return errorMessage(errors, label);
}

// ---------------------------------------------------------------------------------------------
// API errors -> form controls
// ---------------------------------------------------------------------------------------------

const HOST_FIELD_TO_CONTROL: Readonly<Record<string, string>> = {
  name: 'name',
  address: 'address',
  port: 'port',
  username: 'username',
  privateKey: 'privateKey',
  keyPath: 'keyPath',
  passphrase: 'passphrase',
  hostKeyFingerprint: 'hostKeyFingerprint',
  trustOnFirstUse: 'trustOnFirstUse',
  intervalSeconds: 'interval',
  graceSeconds: 'grace',
  checks: 'checks',
  enabled: 'enabled',
};

/** "checks[2]" and "checks.2" -> "checks.2"; "intervalSeconds" -> "interval"; null if no control. */
export function hostControlPath(field: string): string | null {
  const f = field
    .trim()
    .replace(/^body\./, '')
    .replace(/^\./, '');
  const m = /^checks(?:\[(\d+)\]|\.(\d+))$/.exec(f);
  if (m) return `checks.${m[1] ?? m[2]}`;
  return HOST_FIELD_TO_CONTROL[f] ?? null;
}

/**
 * Puts each API field error on its control as `{server: message}` and marks it touched.
 * `checkIndex` maps the index the server saw (blank rows dropped) to the form's row.
 * Returns the problems no control shows.
 */
export function applyHostApiErrors(
  form: HostForm,
  problems: readonly FieldProblem[],
  checkIndex: readonly number[] = [],
): FieldProblem[] {
  const rest: FieldProblem[] = [];
  for (const p of problems) {
    let path = hostControlPath(p.field);
    if (path?.startsWith('checks.')) {
      const sent = Number(path.slice('checks.'.length));
      path = `checks.${checkIndex[sent] ?? sent}`;
    }
    // A key problem with the key path in use is the key path's.
    if (path === 'privateKey' && form.controls.keyMode.value === 'path') path = 'keyPath';
    const control = path ? form.get(path) : null;
    if (!control || control.disabled) {
      rest.push(p);
      continue;
    }
    control.setErrors({ ...(control.errors ?? {}), server: sentenceCase(p.message) });
    control.markAsTouched();
  }
  return rest;
}

/** Form row of each check the API receives: blank rows are not sent. */
export function sentCheckRows(checks: readonly string[]): number[] {
  const rows: number[] = [];
  checks.forEach((c, i) => {
    if (c.trim()) rows.push(i);
  });
  return rows;
}

function sentenceCase(message: string): string {
  const m = message.trim();
  return m ? m[0].toUpperCase() + m.slice(1) : translate('form.notValid');
}
