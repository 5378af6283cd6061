import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { ReactiveFormsModule, type AbstractControl } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { startWith } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Host } from '../api/models';
import { TIME_UNITS, type TimeUnit } from '../monitors/schedule-form';
import { I18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/translate';
import {
  CHECK_EXAMPLES,
  MAX_CHECKS,
  applyHostApiErrors,
  checkControl,
  createHostForm,
  formValueToHostInput,
  hostErrorMessage,
  hostToFormValue,
  sentCheckRows,
  storedSecrets,
  type KeyMode,
} from './host-form-model';

/** Create (/hosts/new) and edit (/hosts/:id/edit): one form. Secrets are write-only. */
@Component({
  selector: 'hb-host-form',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatSlideToggleModule,
    MatCheckboxModule,
    MatIconModule,
    MatCardModule,
    MatTooltipModule,
    MatProgressSpinnerModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './host-form.html',
  styleUrl: './host-form.css',
})
export class HostFormPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  private readonly router = inject(Router);

  /** From the route (:id) when editing. */
  readonly id = input<string | undefined>(undefined);
  protected readonly editing = computed(() => this.id() !== undefined);
  protected readonly units = TIME_UNITS;
  protected readonly examples = CHECK_EXAMPLES;
  protected readonly maxChecks = MAX_CHECKS;

  /** Rebuilt once an edited host is loaded (the template is only shown after that). */
  protected form = createHostForm();
  protected readonly host = signal<Host | null>(null);
  protected readonly keyMode = signal<KeyMode>('key');
  protected readonly keyStored = computed(() => Boolean(this.host()?.privateKey));
  protected readonly passphraseStored = computed(() => Boolean(this.host()?.passphrase));

  protected readonly loadingHost = signal(false);
  protected readonly loadError = signal('');
  protected readonly saving = signal(false);
  protected readonly saveError = signal<string[]>([]);
  protected readonly checkRows = signal(0);

  ngOnInit(): void {
    const id = this.id();
    if (id === undefined) {
      this.wire();
      return;
    }
    this.loadingHost.set(true);
    this.api.getHost(Number(id)).subscribe({
      next: (h) => {
        this.host.set(h);
        // Rebuilt with what is stored: an empty key field then means "keep the stored key".
        this.form = createHostForm(hostToFormValue(h), storedSecrets(h));
        this.wire();
        this.loadingHost.set(false);
      },
      error: (err) => {
        this.loadError.set(problemOf(err).message);
        this.loadingHost.set(false);
      },
    });
  }

  private wire(): void {
    const c = this.form.controls;
    this.keyMode.set(c.keyMode.value);
    c.keyMode.valueChanges.subscribe((m) => this.keyMode.set(m));
    this.checkRows.set(c.checks.length);
    c.checks.valueChanges.pipe(startWith(null)).subscribe(() => this.checkRows.set(c.checks.length));
  }

  protected setKeyMode(mode: KeyMode): void {
    this.form.controls.keyMode.setValue(mode);
    this.form.controls.keyMode.markAsDirty();
  }

  protected addCheck(text = ''): void {
    const arr = this.form.controls.checks;
    if (arr.length >= MAX_CHECKS) return;
    // An example fills the first empty row rather than adding one below it.
    const empty = text ? arr.controls.findIndex((c) => !c.value.trim()) : -1;
    if (empty >= 0) {
      arr.at(empty).setValue(text);
      arr.at(empty).markAsDirty();
    } else {
      arr.push(checkControl(text));
    }
    arr.markAsDirty();
    if (!text) {
      // Focus the new row once it is rendered.
      setTimeout(() => {
        const inputs = document.querySelectorAll<HTMLInputElement>('[data-testid="host-form-check"]');
        inputs[inputs.length - 1]?.focus();
      });
    }
  }

  protected removeCheck(index: number): void {
    this.form.controls.checks.removeAt(index);
    this.form.controls.checks.markAsDirty();
  }

  protected err(control: AbstractControl, label: MessageKey): string {
    return hostErrorMessage(control.errors, this.i18n.t(label));
  }

  protected unitName(unit: TimeUnit): string {
    return this.i18n.t(`unitName.${unit}`);
  }

  protected show(control: AbstractControl): boolean {
    return control.invalid && (control.touched || control.dirty || control.hasError('server'));
  }

  protected save(): void {
    this.saveError.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      const first = document.querySelector<HTMLElement>(
        '.mat-mdc-form-field-invalid input, .mat-mdc-form-field-invalid textarea, .mat-mdc-form-field-invalid select',
      );
      first?.focus();
      return;
    }
    const value = this.form.getRawValue();
    const body = formValueToHostInput(value, { editing: this.editing() });
    const rows = sentCheckRows(value.checks);
    const id = this.id();
    this.saving.set(true);
    const req = id !== undefined ? this.api.updateHost(Number(id), body) : this.api.createHost(body);
    req.subscribe({
      next: (h) => {
        this.saving.set(false);
        // Nothing typed stays in the page: the secrets are cleared before leaving it.
        this.form.controls.privateKey.setValue('', { emitEvent: false });
        this.form.controls.passphrase.setValue('', { emitEvent: false });
        this.form.markAsPristine();
        void this.router.navigate(['/hosts', h.id]);
      },
      error: (err) => {
        this.saving.set(false);
        const p = problemOf(err);
        const rest = applyHostApiErrors(this.form, p.fields, rows);
        if (!p.fields.length) this.saveError.set([p.message]);
        else if (rest.length) this.saveError.set(rest.map((f) => `${f.field}: ${f.message}`));
      },
    });
  }
}
