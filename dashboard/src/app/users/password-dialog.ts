import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { MAT_DIALOG_DATA, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Api, problemOf } from '../api/api';
import { I18n } from '../i18n/i18n';

/** Sets a new password for a user; closes with true when saved. */
@Component({
  selector: 'hb-password-dialog',
  imports: [ReactiveFormsModule, MatDialogModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <form [formGroup]="form" (ngSubmit)="save()" novalidate>
      <h2 mat-dialog-title>{{ i18n.t('users.reset') }}</h2>
      <mat-dialog-content>
        <p>
          {{ i18n.t('users.newPasswordFor') }} <strong>{{ data.username }}</strong>
        </p>
        <mat-form-field class="full-width">
          <mat-label>{{ i18n.t('users.newPassword') }}</mat-label>
          <input
            matInput
            type="password"
            [formControl]="password"
            autocomplete="new-password"
            required
            data-testid="reset-password"
          />
          @if (password.invalid && password.touched) {
            <mat-error>{{ password.getError('server') ?? i18n.t('login.passwordRequired') }}</mat-error>
          }
        </mat-form-field>
        @if (error()) {
          <div class="banner-error" role="alert">{{ error() }}</div>
        }
      </mat-dialog-content>
      <mat-dialog-actions align="end">
        <button mat-button type="button" mat-dialog-close>{{ i18n.t('common.cancel') }}</button>
        <button mat-flat-button type="submit" [disabled]="busy()" data-testid="confirm">
          {{ i18n.t('users.setPassword') }}
        </button>
      </mat-dialog-actions>
    </form>
  `,
})
export class PasswordDialog {
  protected readonly data = inject<{ username: string }>(MAT_DIALOG_DATA);
  private readonly ref = inject(MatDialogRef<PasswordDialog, boolean>);
  private readonly api = inject(Api);
  protected readonly i18n = inject(I18n);
  protected readonly password = new FormControl('', { nonNullable: true, validators: [Validators.required] });
  // A form directive is what turns a submit into ngSubmit: without one the browser submitted the
  // form itself and reloaded the page, and the password was never set.
  protected readonly form = new FormGroup({ password: this.password });
  protected readonly busy = signal(false);
  protected readonly error = signal('');

  protected save(): void {
    if (this.password.invalid) {
      this.password.markAsTouched();
      return;
    }
    this.busy.set(true);
    this.api.updateUser(this.data.username, { password: this.password.value }).subscribe({
      next: () => this.ref.close(true),
      error: (err) => {
        this.busy.set(false);
        const p = problemOf(err);
        const f = p.fields.find((x) => x.field === 'password');
        if (f) {
          this.password.setErrors({ server: f.message });
          this.password.markAsTouched();
        } else {
          this.error.set(p.message);
        }
      },
    });
  }
}
