import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Api, problemOf } from '../api/api';
import { I18n } from '../i18n/i18n';
import type { User } from '../api/models';

/** A user's e-mail address and weekly report opt-in; closes with the saved user. */
@Component({
  selector: 'hb-report-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <h2 mat-dialog-title>{{ i18n.t('users.report') }}</h2>
      <mat-dialog-content>
        <p>{{ i18n.t('users.reportIntro', { name: data.username }) }}</p>
        <mat-form-field class="full-width">
          <mat-label>{{ i18n.t('users.email') }}</mat-label>
          <input matInput type="email" formControlName="email" autocomplete="off" data-testid="report-email" />
          @if (form.controls.email.hasError('server')) {
            <mat-error>{{ form.controls.email.getError('server') }}</mat-error>
          }
        </mat-form-field>
        <label class="check"
          ><input type="checkbox" formControlName="weeklyReport" data-testid="report-weekly" />
          {{ i18n.t('users.sendReport') }}</label
        >
        @if (error()) {
          <div class="banner-error" role="alert" data-testid="report-error">{{ error() }}</div>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>{{ i18n.t('common.cancel') }}</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="confirm">
          {{ i18n.t('users.save') }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
  styles: `
    .check {
      display: flex;
      gap: 8px;
      align-items: center;
      margin: 4px 0 12px;
    }
  `,
})
export class ReportDialog {
  protected readonly i18n = inject(I18n);
  protected readonly data = inject<User>(MAT_DIALOG_DATA);
  private readonly ref = inject(MatDialogRef<ReportDialog, User>);
  private readonly api = inject(Api);
  protected readonly form = new FormGroup({
    email: new FormControl(this.data.email ?? '', { nonNullable: true }),
    weeklyReport: new FormControl(this.data.weeklyReport ?? false, { nonNullable: true }),
  });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  protected save(): void {
    const v = this.form.getRawValue();
    this.busy.set(true);
    this.error.set('');
    this.api.updateUser(this.data.username, { email: v.email.trim() || null, weeklyReport: v.weeklyReport }).subscribe({
      next: (u) => this.ref.close(u),
      error: (err) => {
        this.busy.set(false);
        const p = problemOf(err);
        const f = p.fields.find((x) => x.field === 'email');
        if (f) {
          this.form.controls.email.setErrors({ server: f.message });
          this.form.controls.email.markAsTouched();
        } else {
          this.error.set(p.message);
        }
      },
    });
  }
}
