import { ChangeDetectionStrategy, Component, computed, inject, input, signal, OnInit, DestroyRef } from '@angular/core';
import { takeUntilDestroyed, toSignal } from '@angular/core/rxjs-interop';
import { FormControl, ReactiveFormsModule } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { COMMA, ENTER } from '@angular/cdk/keycodes';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatChipsModule, type MatChipInputEvent } from '@angular/material/chips';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatSelectModule } from '@angular/material/select';
import { MatSlideToggleModule } from '@angular/material/slide-toggle';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatDialog } from '@angular/material/dialog';
import { Subscription, debounceTime, startWith } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Channel, Monitor, PreviewRun } from '../api/models';
import { exactTime, relativeTime } from '../core/time';
import {
  CRON_DIALECTS,
  TIME_UNITS,
  addTags,
  applyApiErrors,
  createMonitorForm,
  errorMessage,
  formValueToInput,
  isCalendarKind,
  localTimeZone,
  monitorToFormValue,
  previewParams,
  scheduleToApi,
  switchKind,
  wallTimeToInstant,
  type ScheduleKind,
  type TimeUnit,
} from './schedule-form';
import { clockChangeText } from './clock-change';
import { RUN_LIMIT_ROWS } from './run-limits-form';
import type { AbstractControl } from '@angular/forms';
import { I18n } from '../i18n/i18n';
import { FirstRunHint } from '../channels/first-run-hint';
import { openChannelDialog } from '../channels/channel-dialog';
import type { MessageKey } from '../i18n/translate';

const TIME_ZONES: readonly string[] = (() => {
  try {
    const list = Intl.supportedValuesOf('timeZone');
    return list.includes('UTC') ? list : ['UTC', ...list];
  } catch {
    return ['UTC'];
  }
})();

/** Create (/monitors/new) and edit (/monitors/:id/edit): one form. */
@Component({
  selector: 'hb-monitor-form',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatButtonToggleModule,
    MatChipsModule,
    MatAutocompleteModule,
    MatSelectModule,
    MatSlideToggleModule,
    MatIconModule,
    MatCardModule,
    MatProgressSpinnerModule,
    FirstRunHint,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './monitor-form.html',
  styleUrl: './monitor-form.css',
})
export class MonitorFormPage implements OnInit {
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  private readonly dialog = inject(MatDialog);

  /** From the route (:id) when editing. */
  readonly id = input<string | undefined>(undefined);
  protected readonly editing = computed(() => this.id() !== undefined);
  protected readonly units = TIME_UNITS;
  protected readonly dialects = CRON_DIALECTS;
  protected readonly separators = [ENTER, COMMA] as const;

  protected readonly form = createMonitorForm();
  protected readonly s = this.form.controls.schedule.controls;
  protected readonly l = this.form.controls.limits.controls;
  protected readonly limitRows = RUN_LIMIT_ROWS;
  protected readonly kind = toSignal(this.s.kind.valueChanges.pipe(startWith(this.s.kind.value)), {
    initialValue: this.s.kind.value,
  });
  /** cron and OnCalendar: the run rule for unscheduled runs applies */
  protected readonly calendar = computed(() => isCalendarKind(this.kind()));
  protected readonly endOfDay = toSignal(this.s.endOfDay.valueChanges.pipe(startWith(this.s.endOfDay.value)), {
    initialValue: false,
  });
  protected readonly tags = toSignal(
    this.form.controls.tags.valueChanges.pipe(startWith(this.form.controls.tags.value)),
    { initialValue: [] as string[] },
  );

  protected readonly loadingMonitor = signal(false);
  protected readonly loadError = signal('');
  protected readonly saving = signal(false);
  protected readonly saveError = signal<string[]>([]);
  protected readonly monitor = signal<Monitor | null>(null);

  protected readonly channels = signal<Channel[] | null>(null);
  protected readonly channelsHidden = signal(false);
  /** Monitors this one may depend on (all but itself), by name; null while loading. */
  protected readonly parentChoices = signal<{ id: number; name: string }[] | null>(null);

  protected readonly previewRuns = signal<PreviewRun[]>([]);
  protected readonly previewLoading = signal(false);
  protected readonly previewError = signal('');
  /** The last preview named a field: its message is under that field. */
  protected readonly previewBlocked = signal(false);
  private previewSub: Subscription | null = null;
  /**
   * Where the preview starts: a wall time (datetime-local) in the schedule's zone (the browser's
   * for an interval), e.g. the evening before a DST night; empty: now. Not part of the monitor.
   */
  protected readonly previewFrom = new FormControl<string>('', { nonNullable: true });
  protected readonly previewFromValue = toSignal(this.previewFrom.valueChanges, { initialValue: '' });

  protected readonly tzQuery = toSignal(this.s.timezone.valueChanges.pipe(startWith(this.s.timezone.value)), {
    initialValue: '',
  });
  protected readonly tzOptions = computed(() => {
    const q = (this.tzQuery() ?? '').trim().toLowerCase().replace(/\s+/g, '_');
    const list = q ? TIME_ZONES.filter((z) => z.toLowerCase().includes(q)) : TIME_ZONES;
    return list.slice(0, 60);
  });
  /** The zone the preview's times (and its from-time) are in. */
  protected readonly previewZone = computed(() =>
    isCalendarKind(this.kind()) ? (this.tzQuery() ?? '').trim() || localTimeZone() : localTimeZone(),
  );

  ngOnInit(): void {
    const id = this.id();
    if (id !== undefined) {
      this.loadingMonitor.set(true);
      this.api.getMonitor(Number(id)).subscribe({
        next: (m) => {
          this.monitor.set(m);
          const v = monitorToFormValue(m);
          this.form.setValue(v);
          switchKind(this.form.controls.schedule, v.schedule.kind);
          this.form.markAsPristine();
          this.loadingMonitor.set(false);
          this.refreshPreview();
        },
        error: (err) => {
          this.loadError.set(problemOf(err).message);
          this.loadingMonitor.set(false);
        },
      });
    } else {
      this.refreshPreview();
    }

    this.api.listMonitors({ limit: 500, offset: 0, sort: 'name' }).subscribe({
      next: (r) =>
        this.parentChoices.set(
          r.items
            .filter((m) => m.id !== (id === undefined ? null : Number(id)))
            .map((m) => ({ id: m.id, name: m.name })),
        ),
      error: () => this.parentChoices.set([]),
    });

    this.api.channels().subscribe({
      next: (r) => {
        this.channels.set(r.items);
        // A new monitor starts with the default channels, like the API does when none are given.
        if (id === undefined && this.form.controls.channels.pristine) {
          this.form.controls.channels.setValue(r.items.filter((c) => c.isDefault && c.enabled).map((c) => c.id));
        }
      },
      error: () => this.channelsHidden.set(true),
    });

    this.form.controls.schedule.valueChanges
      .pipe(debounceTime(400), takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.refreshPreview());
    this.previewFrom.valueChanges
      .pipe(debounceTime(400), takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.refreshPreview());
  }

  /** A new channel from inside the form: it joins the picker, selected. */
  protected newChannel(): void {
    openChannelDialog(this.dialog).subscribe((c) => {
      if (!c) return;
      this.channels.update((list) => [...(list ?? []), c]);
      const picked = this.form.controls.channels;
      picked.setValue([...picked.value, c.id]);
      picked.markAsDirty();
    });
  }

  protected setKind(kind: ScheduleKind): void {
    switchKind(this.form.controls.schedule, kind);
  }

  // Tags: "a, b" + Enter, or a comma, adds chips.
  protected addTag(event: MatChipInputEvent): void {
    const text = event.value ?? '';
    if (text.trim()) {
      this.form.controls.tags.setValue(addTags(this.form.controls.tags.value, text));
      this.form.controls.tags.markAsDirty();
    }
    event.chipInput.clear();
  }

  protected removeTag(tag: string): void {
    this.form.controls.tags.setValue(this.form.controls.tags.value.filter((t) => t !== tag));
    this.form.controls.tags.markAsDirty();
  }

  protected pasteTags(event: ClipboardEvent, input: HTMLInputElement): void {
    const text = event.clipboardData?.getData('text') ?? '';
    if (text.includes(',')) {
      event.preventDefault();
      this.form.controls.tags.setValue(addTags(this.form.controls.tags.value, input.value + text));
      input.value = '';
    }
  }

  protected err(control: AbstractControl, label: MessageKey): string {
    return errorMessage(control.errors, this.i18n.t(label));
  }

  protected unitName(unit: TimeUnit): string {
    return this.i18n.t(`unitName.${unit}`);
  }

  protected show(control: AbstractControl): boolean {
    return control.invalid && (control.touched || control.dirty || control.hasError('server'));
  }

  /** Asks the server for the next runs of the schedule as it stands (debounced by the caller). */
  private refreshPreview(): void {
    this.previewSub?.unsubscribe();
    const group = this.form.controls.schedule;
    // Only local errors block the preview; a server error from the last preview is re-checked.
    const localInvalid = Object.values(group.controls).some((c) => c.enabled && c.errors && !c.hasError('server'));
    this.previewBlocked.set(false);
    if (localInvalid) {
      this.previewRuns.set([]);
      this.previewError.set('');
      return;
    }
    const schedule = scheduleToApi(group.getRawValue());
    const from = wallTimeToInstant(
      this.previewFrom.value,
      schedule.kind === 'interval' ? localTimeZone() : schedule.timezone,
    );
    this.previewLoading.set(true);
    this.previewSub = this.api.preview(previewParams(schedule, 5, from)).subscribe({
      next: (r) => {
        this.previewRuns.set(r.runs);
        this.previewError.set('');
        this.previewBlocked.set(false);
        this.previewLoading.set(false);
        for (const c of Object.values(group.controls)) {
          if (c.hasError('server')) c.updateValueAndValidity({ emitEvent: false });
        }
      },
      error: (err) => {
        const p = problemOf(err);
        this.previewRuns.set([]);
        this.previewLoading.set(false);
        const rest = applyApiErrors(this.form, p.fields);
        this.previewError.set(
          !p.fields.length ? p.message : rest.length ? rest.map((f) => `${f.field}: ${f.message}`).join('; ') : '',
        );
        this.previewBlocked.set(p.fields.length > 0 && !rest.length);
      },
    });
  }

  protected save(): void {
    this.saveError.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      const first = document.querySelector<HTMLElement>(
        '.mat-mdc-form-field-invalid input, .mat-mdc-form-field-invalid select, .mat-mdc-form-field-invalid textarea',
      );
      first?.focus();
      return;
    }
    const input = formValueToInput(this.form.getRawValue(), { includeChannels: this.channels() !== null });
    const id = this.id();
    this.saving.set(true);
    const req = id !== undefined ? this.api.updateMonitor(Number(id), input) : this.api.createMonitor(input);
    req.subscribe({
      next: (m) => {
        this.saving.set(false);
        this.form.markAsPristine();
        void this.router.navigate(['/monitors', m.id]);
      },
      error: (err) => {
        this.saving.set(false);
        const p = problemOf(err);
        const rest = applyApiErrors(this.form, p.fields);
        if (!p.fields.length) this.saveError.set([p.message]);
        else if (rest.length) this.saveError.set(rest.map((f) => `${f.field}: ${f.message}`));
      },
    });
  }

  protected rel(iso: string): string {
    return relativeTime(iso, Date.now(), this.i18n.locale());
  }
  protected exact(iso: string): string {
    return exactTime(iso, isCalendarKind(this.kind()) ? this.s.timezone.value : undefined, this.i18n.locale());
  }
  /** A run's DST note in the current language. */
  protected note(run: PreviewRun): string {
    return clockChangeText(run, this.i18n.locale());
  }
  protected local(iso: string): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
}
