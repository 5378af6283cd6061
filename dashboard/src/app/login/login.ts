import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatIconModule } from '@angular/material/icon';
import { Auth } from '../auth/auth';
import { problemOf } from '../api/api';
import { I18n } from '../i18n/i18n';

@Component({
  selector: 'hb-login',
  imports: [
    ReactiveFormsModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    MatProgressSpinnerModule,
    MatIconModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="wrap">
      <mat-card appearance="outlined" class="card">
        <mat-card-header>
          <mat-icon mat-card-avatar svgIcon="heart" class="logo" />
          <mat-card-title
            ><h1>{{ i18n.t('login.title') }}</h1></mat-card-title
          >
        </mat-card-header>
        <mat-card-content>
          @if (ended()) {
            <div class="banner-info" role="status" data-testid="login-ended">{{ i18n.t('login.ended') }}</div>
          }
          <form [formGroup]="form" (ngSubmit)="submit()" novalidate>
            <mat-form-field class="full-width">
              <mat-label>{{ i18n.t('login.username') }}</mat-label>
              <input
                matInput
                formControlName="username"
                autocomplete="username"
                autocapitalize="none"
                spellcheck="false"
                data-testid="login-username"
                required
              />
              @if (form.controls.username.hasError('required') && form.controls.username.touched) {
                <mat-error>{{ i18n.t('login.usernameRequired') }}</mat-error>
              }
              @if (form.controls.username.hasError('server')) {
                <mat-error>{{ form.controls.username.getError('server') }}</mat-error>
              }
            </mat-form-field>
            <mat-form-field class="full-width">
              <mat-label>{{ i18n.t('login.password') }}</mat-label>
              <input
                matInput
                type="password"
                formControlName="password"
                autocomplete="current-password"
                data-testid="login-password"
                required
              />
              @if (form.controls.password.hasError('required') && form.controls.password.touched) {
                <mat-error>{{ i18n.t('login.passwordRequired') }}</mat-error>
              }
              @if (form.controls.password.hasError('server')) {
                <mat-error data-testid="login-error">{{ form.controls.password.getError('server') }}</mat-error>
              }
            </mat-form-field>
            @if (error()) {
              <div class="banner-error" role="alert" data-testid="login-error">{{ error() }}</div>
            }
            <button
              mat-flat-button
              type="submit"
              class="full-width submit"
              [disabled]="busy()"
              data-testid="login-submit"
            >
              @if (busy()) {
                <mat-progress-spinner
                  mode="indeterminate"
                  diameter="20"
                  [attr.aria-label]="i18n.t('login.signingIn')"
                />
              } @else {
                {{ i18n.t('login.submit') }}
              }
            </button>
          </form>
        </mat-card-content>
      </mat-card>
    </div>
  `,
  styles: `
    .wrap {
      display: flex;
      justify-content: center;
      padding: 48px 12px;
    }
    .card {
      width: 100%;
      max-width: 380px;
    }
    h1 {
      font: var(--mat-sys-title-large);
      margin: 0;
    }
    .logo {
      color: var(--hb-brand);
      width: 40px;
      height: 40px;
    }
    form {
      display: flex;
      flex-direction: column;
      gap: 12px;
      padding-top: 16px;
    }
    .submit {
      height: 44px;
    }
    .banner-info {
      margin-bottom: 16px;
      padding: 10px 12px;
      border-radius: 8px;
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
    mat-progress-spinner {
      margin: 0 auto;
    }
  `,
})
export class LoginPage implements OnInit {
  private readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  /** Sent here because the session ended (elsewhere, or unused): say so, not just ask again. */
  protected readonly ended = signal(this.route.snapshot.queryParamMap.get('ended') === '1');
  protected readonly form = new FormGroup({
    username: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });

  ngOnInit(): void {
    // Already signed in (e.g. /login from a bookmark): straight on.
    void this.auth.ensureSession().then((ok) => {
      if (ok) void this.router.navigateByUrl(this.target());
    });
  }

  private target(): string {
    const ret = this.route.snapshot.queryParamMap.get('returnUrl');
    return ret && ret.startsWith('/') && !ret.startsWith('//') ? ret : '/monitors';
  }

  protected async submit(): Promise<void> {
    this.error.set('');
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    const { username, password } = this.form.getRawValue();
    try {
      await this.auth.login(username.trim(), password);
      await this.router.navigateByUrl(this.target());
    } catch (err) {
      const p = problemOf(err);
      if (p.status === 401) {
        this.form.controls.password.setErrors({ server: this.i18n.t('login.wrong') });
        this.form.controls.password.markAsTouched();
      } else {
        let shown = false;
        for (const f of p.fields) {
          const c =
            f.field === 'username'
              ? this.form.controls.username
              : f.field === 'password'
                ? this.form.controls.password
                : null;
          if (c) {
            c.setErrors({ server: f.message });
            c.markAsTouched();
            shown = true;
          }
        }
        if (!shown) this.error.set(p.message);
      }
    } finally {
      this.busy.set(false);
    }
  }
}
