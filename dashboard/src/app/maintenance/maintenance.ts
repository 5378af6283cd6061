import { ChangeDetectionStrategy, Component, OnInit, inject, signal, viewChild } from '@angular/core';
import { FormGroupDirective, ReactiveFormsModule } from '@angular/forms';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { Api, problemOf } from '../api/api';
import type { MaintenanceWindow } from '../api/models';
import { Auth } from '../auth/auth';
import { confirmDeletion } from '../shared/confirm-dialog';
import { exactTime } from '../core/time';
import { formatDuration } from '../monitors/schedule-form';
import { I18n } from '../i18n/i18n';
import {
  applyWindowApiErrors,
  createWindowForm,
  toWindowInput,
  windowFieldError,
  windowFormValue,
} from './window-form-model';

/** Maintenance windows: the list, and one form that creates a window or edits the one picked. */
@Component({
  selector: 'hb-maintenance',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatDialogModule,
    MatSnackBarModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './maintenance.html',
  styleUrl: './maintenance.css',
})
export class MaintenancePage implements OnInit {
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);

  protected readonly windows = signal<MaintenanceWindow[]>([]);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly saving = signal(false);
  protected readonly saveError = signal('');
  /** the window being edited, or null when the form creates one */
  protected readonly editing = signal<MaintenanceWindow | null>(null);
  protected readonly columns = ['state', 'name', 'when', 'scope', 'actions'];
  protected readonly form = createWindowForm();
  private readonly formDir = viewChild(FormGroupDirective);

  ngOnInit(): void {
    this.load();
  }

  protected load(): void {
    this.loading.set(true);
    this.api.maintenanceWindows().subscribe({
      next: (r) => {
        this.windows.set(r.items);
        this.loading.set(false);
        this.error.set('');
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
  }

  protected edit(w: MaintenanceWindow): void {
    this.editing.set(w);
    this.saveError.set('');
    this.form.reset(windowFormValue(w));
  }

  protected cancel(): void {
    this.editing.set(null);
    this.saveError.set('');
    // resetForm, not reset: the directive forgets it was submitted, so the empty name is no error yet.
    const fresh = createWindowForm().getRawValue();
    const dir = this.formDir();
    if (dir) dir.resetForm(fresh);
    else this.form.reset(fresh);
  }

  protected save(): void {
    this.saveError.set('');
    // The server's verdicts on the last attempt go; it judges this one afresh.
    for (const c of Object.values(this.form.controls)) c.updateValueAndValidity({ emitEvent: false });
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    const input = toWindowInput(this.form.getRawValue());
    const editing = this.editing();
    this.saving.set(true);
    (editing ? this.api.updateMaintenance(editing.id, input) : this.api.createMaintenance(input)).subscribe({
      next: (w) => {
        this.saving.set(false);
        this.snack.open(
          this.i18n.t(editing ? 'maintenance.saved' : 'maintenance.created', { name: w.name }),
          undefined,
          { duration: 3000 },
        );
        this.cancel();
        this.load();
      },
      error: (err) => {
        this.saving.set(false);
        const p = problemOf(err);
        const rest = applyWindowApiErrors(this.form, p.fields);
        if (rest.length || !p.fields.length) this.saveError.set(rest[0]?.message ?? p.message);
      },
    });
  }

  protected remove(w: MaintenanceWindow): void {
    confirmDeletion(
      this.dialog,
      this.i18n,
      this.i18n.t('maintenance.deleteTitle'),
      this.i18n.t('maintenance.deleteMessage', { name: w.name }),
    ).subscribe(() => {
      this.api.deleteMaintenance(w.id).subscribe({
        next: () => {
          this.snack.open(this.i18n.t('maintenance.deleted', { name: w.name }), undefined, { duration: 3000 });
          this.windows.update((list) => list.filter((x) => x.id !== w.id));
        },
        error: (err) => this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 }),
      });
    });
  }

  protected when(w: MaintenanceWindow): string {
    const locale = this.i18n.locale();
    if (w.rule.kind === 'once')
      return `${exactTime(w.rule.startsAt, undefined, locale)} → ${exactTime(w.rule.endsAt, undefined, locale)}`;
    return this.i18n.t('maintenance.recurringWhen', {
      expression: w.rule.expression,
      timezone: w.rule.timezone,
      duration: formatDuration(w.rule.durationSeconds),
    });
  }

  protected scope(w: MaintenanceWindow): string {
    const ids = w.monitorIds.map((m) => `#${m}`).join(', ');
    const tags = w.tags.join(', ');
    if (ids && tags) return this.i18n.t('maintenance.coversBoth', { ids, tags });
    if (ids) return this.i18n.t('maintenance.coversMonitors', { ids });
    return tags ? this.i18n.t('maintenance.coversTags', { tags }) : '';
  }

  /** The state's tooltip: until when an active window lasts, or when an inactive one next opens. */
  protected stateTitle(w: MaintenanceWindow): string | null {
    const time = exactTime(w.active ? w.activeUntil : w.nextChangeAt, undefined, this.i18n.locale());
    return time ? this.i18n.t(w.active ? 'maintenance.until' : 'maintenance.next', { time }) : null;
  }

  protected fieldError(name: keyof typeof this.form.controls): string {
    this.i18n.locale();
    return windowFieldError(this.form, name);
  }
}
