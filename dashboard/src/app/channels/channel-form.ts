import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, output, signal } from '@angular/core';
import { ReactiveFormsModule, Validators, type AbstractControl } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Api, problemOf } from '../api/api';
import type { Channel, ChannelType } from '../api/models';
import { I18n } from '../i18n/i18n';
import { CATALOGS, type MessageKey } from '../i18n/translate';
import { errorMessage } from '../monitors/schedule-form';
import {
  CHANNEL_EVENTS,
  SECRET_MASK,
  applyChannelApiErrors,
  channelToFormValue,
  createChannelForm,
  fieldSpecs,
  formToApi,
  setConfigControls,
  storedSecrets,
  type ChannelEvent,
  type FieldSpec,
} from './channel-form-model';

/**
 * A channel's settings, generated from its type's fields: the page (/channels/new, /channels/:id/edit)
 * and the monitor form's "new channel" dialog both show it. Secrets are write-only: one that is set
 * reads "set" with a "replace" action, and its value is neither shown nor sent unless replaced.
 */
@Component({
  selector: 'hb-channel-form',
  imports: [
    ReactiveFormsModule,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatCheckboxModule,
    MatSlideToggleModule,
    MatIconModule,
    MatProgressSpinnerModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './channel-form.html',
  styleUrl: './channel-form.css',
})
export class ChannelForm implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);

  /** The channel being edited; null: a new one. */
  readonly channel = input<Channel | null>(null);
  readonly saved = output<Channel>();
  readonly cancelled = output<void>();

  protected readonly form = createChannelForm();
  protected readonly events = CHANNEL_EVENTS;
  protected readonly types = signal<ChannelType[]>([]);
  protected readonly specs = signal<FieldSpec[]>([]);
  /** Secrets stored and kept (not being replaced). */
  protected readonly kept = signal<ReadonlySet<string>>(new Set());
  protected readonly loadError = signal('');
  protected readonly saving = signal(false);
  protected readonly saveError = signal<string[]>([]);
  protected readonly editing = computed(() => this.channel() !== null);
  protected readonly managed = computed(() => this.channel()?.managedBy === 'environment');

  ngOnInit(): void {
    const c = this.channel();
    if (c) {
      this.form.patchValue(channelToFormValue(c));
      this.form.controls.type.disable();
    }
    this.api.channelTypes().subscribe({
      next: (types) => {
        this.types.set(types);
        this.applyType(this.form.controls.type.value);
      },
      error: (err) => this.loadError.set(problemOf(err).message),
    });
  }

  protected applyType(type: string): void {
    const t = this.types().find((x) => x.type === type);
    const specs = t ? fieldSpecs(t) : [];
    const shown = this.channel()?.config as Record<string, unknown> | undefined;
    setConfigControls(this.form.controls.config, specs, shown);
    this.kept.set(storedSecrets(specs, shown));
    this.specs.set(specs);
  }

  protected control(key: string): AbstractControl {
    return this.form.controls.config.controls[key]!;
  }

  /** Unlocks a stored secret for a new value (required again when the field is). */
  protected replace(spec: FieldSpec): void {
    const c = this.control(spec.key);
    c.enable();
    if (spec.required) c.addValidators(Validators.required);
    this.kept.update((s) => new Set([...s].filter((k) => k !== spec.key)));
    setTimeout(() => document.querySelector<HTMLElement>(`[data-testid="channel-field-${spec.key}"]`)?.focus());
  }

  /** Whether the channel being edited has this secret stored (so "keep" can undo a "replace"). */
  protected wasStored(key: string): boolean {
    return (this.channel()?.config as Record<string, unknown> | undefined)?.[key] === SECRET_MASK;
  }

  /** Back to the stored secret: the typed value is dropped. */
  protected keep(spec: FieldSpec): void {
    const c = this.control(spec.key);
    c.setValue('');
    c.disable();
    this.kept.update((s) => new Set([...s, spec.key]));
  }

  protected toggleEvent(e: ChannelEvent, on: boolean): void {
    const now = this.form.controls.events.value;
    this.form.controls.events.setValue(
      on ? CHANNEL_EVENTS.filter((x) => x === e || now.includes(x)) : now.filter((x) => x !== e),
    );
  }

  protected show(c: AbstractControl): boolean {
    return c.invalid && (c.touched || c.hasError('server'));
  }

  protected err(c: AbstractControl, label: string): string {
    return errorMessage(c.errors, label);
  }

  /** A built-in field's name in the current language; another plugin's, from its key. */
  protected label(f: FieldSpec): string {
    const key = `channels.field.${f.key}`;
    return key in CATALOGS.en ? this.i18n.t(key as MessageKey) : f.label;
  }

  protected eventLabel(e: ChannelEvent): string {
    return this.i18n.t(`event.${e}`);
  }

  protected save(): void {
    this.saveError.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const channel = this.channel();
    const body = formToApi(this.form, this.specs(), channel);
    this.saving.set(true);
    const req = channel ? this.api.updateChannel(channel.id, body) : this.api.createChannel(body);
    req.subscribe({
      next: (saved) => {
        this.saving.set(false);
        this.saved.emit(saved);
      },
      error: (err) => {
        this.saving.set(false);
        const p = problemOf(err);
        const rest = applyChannelApiErrors(this.form, p.fields);
        if (!p.fields.length) this.saveError.set([p.message]);
        else if (rest.length) this.saveError.set(rest.map((f) => `${f.field}: ${f.message}`));
      },
    });
  }
}
