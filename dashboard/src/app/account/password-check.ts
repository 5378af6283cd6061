import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { filter, Observable } from 'rxjs';
import { problemOf } from '../api/api';
import { I18n } from '../i18n/i18n';

export interface PasswordCheckData<T> {
  title: string;
  message: string;
  confirmLabel: string;
  /** The change, made with the password; a 422 naming the password keeps the dialog open. */
  submit: (password: string) => Observable<T>;
}

/** "Enter your password to …": re-authentication before a factor is removed or codes replaced. */
@Component({
  selector: 'hb-password-check',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <h2 mat-dialog-title>{{ data.title }}</h2>
      <mat-dialog-content>
        <p>{{ data.message }}</p>
        <mat-form-field class="full-width">
          <mat-label>{{ i18n.t('account.currentPassword') }}</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="current-password"
            required
            data-testid="check-password"
          />
          @if (form.controls.password.invalid && form.controls.password.touched) {
            <mat-error>{{ form.controls.password.getError('server') ?? i18n.t('login.passwordRequired') }}</mat-error>
          }
        </mat-form-field>
        @if (error()) {
          <div class="banner-error" role="alert">{{ error() }}</div>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>{{ i18n.t('common.cancel') }}</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="confirm">{{ data.confirmLabel }}</button>
      </mat-dialog-actions>
    </form>
  `,
})
export class PasswordCheckDialog<T> {
  protected readonly data = inject<PasswordCheckData<T>>(MAT_DIALOG_DATA);
  private readonly ref = inject(MatDialogRef<PasswordCheckDialog<T>, { done: T }>);
  protected readonly i18n = inject(I18n);
  protected readonly form = new FormGroup({
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  protected save(): void {
    const c = this.form.controls.password;
    if (c.invalid) {
      c.markAsTouched();
      return;
    }
    this.busy.set(true);
    this.data.submit(c.value).subscribe({
      next: (done) => this.ref.close({ done }),
      error: (err) => {
        this.busy.set(false);
        const p = problemOf(err);
        if (p.fields.some((f) => f.field === 'password')) {
          c.setErrors({ server: this.i18n.t('account.wrongPassword') });
          c.markAsTouched();
        } else this.error.set(p.message);
      },
    });
  }
}

/** Asks for the password and makes the change; emits its answer once it is made. */
export function askPassword<T>(dialog: MatDialog, data: PasswordCheckData<T>): Observable<T> {
  return new Observable<T>((sub) => {
    const s = dialog
      .open(PasswordCheckDialog<T>, { data, width: '420px', maxWidth: '95vw' })
      .afterClosed()
      .pipe(filter((r): r is { done: T } => !!r && typeof r === 'object' && 'done' in r))
      .subscribe((r) => {
        sub.next(r.done);
        sub.complete();
      });
    return () => s.unsubscribe();
  });
}
