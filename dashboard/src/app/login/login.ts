import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { ActivatedRoute, Router } from '@angular/router';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatIconModule } from '@angular/material/icon';
import { HttpErrorResponse } from '@angular/common/http';
import { Auth } from '../auth/auth';
import type { SecondFactorChallenge } from '../api/models';
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
          @if (challenge(); as c) {
            <form class="second" [formGroup]="codeForm" (ngSubmit)="submitCode()" novalidate data-testid="login-second">
              <p class="muted">
                {{ i18n.t(recovery() ? 'login.recoveryIntro' : 'login.codeIntro') }}
              </p>
              <mat-form-field class="full-width">
                <mat-label>{{ i18n.t(recovery() ? 'login.recoveryCode' : 'login.code') }}</mat-label>
                <input
                  matInput
                  formControlName="code"
                  [attr.inputmode]="recovery() ? 'text' : 'numeric'"
                  [attr.autocomplete]="recovery() ? 'off' : 'one-time-code'"
                  autocapitalize="none"
                  spellcheck="false"
                  data-testid="login-code"
                  required
                />
                @if (codeForm.controls.code.hasError('server')) {
                  <mat-error data-testid="login-code-error">{{ codeForm.controls.code.getError('server') }}</mat-error>
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
                data-testid="login-verify"
              >
                {{ i18n.t('login.verify') }}
              </button>
              @if (c.passkey) {
                <button
                  mat-stroked-button
                  type="button"
                  class="full-width submit"
                  [disabled]="busy()"
                  (click)="usePasskey()"
                  data-testid="login-passkey"
                >
                  <mat-icon svgIcon="key" /> {{ i18n.t('login.usePasskey') }}
                </button>
              }
              <div class="links">
                <button mat-button type="button" (click)="toggleRecovery()" data-testid="login-use-recovery">
                  {{ i18n.t(recovery() ? 'login.useCode' : 'login.useRecovery') }}
                </button>
                <button mat-button type="button" (click)="restart()" data-testid="login-back">
                  {{ i18n.t('login.back') }}
                </button>
              </div>
            </form>
          } @else {
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
          }
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
    .second .muted {
      margin: 0;
    }
    .links {
      display: flex;
      justify-content: space-between;
      flex-wrap: wrap;
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

  /** The password was right and the user has a second factor: what to answer it with. */
  protected readonly challenge = signal<SecondFactorChallenge | null>(null);
  private username = '';
  /** Answering with a recovery code instead of the app's code. */
  protected readonly recovery = signal(false);
  protected readonly codeForm = new FormGroup({
    code: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
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
      const challenge = await this.auth.login(username.trim(), password);
      if (challenge) {
        this.username = username.trim();
        this.recovery.set(!challenge.methods.includes('totp') && !challenge.passkey);
        this.codeForm.reset();
        this.challenge.set(challenge);
        return;
      }
      await this.signedIn();
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

  private async signedIn(): Promise<void> {
    await this.router.navigateByUrl(this.auth.enrolRequired() ? '/account' : this.target());
  }

  protected toggleRecovery(): void {
    this.recovery.update((r) => !r);
    this.codeForm.reset();
    this.error.set('');
  }

  /** Back to the password (a challenge that had too many wrong answers is gone). */
  protected restart(): void {
    this.challenge.set(null);
    this.error.set('');
    this.form.controls.password.reset();
  }

  protected async submitCode(): Promise<void> {
    const c = this.challenge();
    if (!c) return;
    if (this.codeForm.invalid) {
      this.codeForm.markAllAsTouched();
      return;
    }
    const value = this.codeForm.getRawValue().code.trim();
    await this.answer(this.recovery() ? { recoveryCode: value } : { code: value });
  }

  protected async usePasskey(): Promise<void> {
    const c = this.challenge();
    if (!c?.passkey) return;
    this.error.set('');
    try {
      // Loaded when used: most sign-ins never need it.
      const { startAuthentication } = await import('@simplewebauthn/browser');
      const credential = await startAuthentication({ optionsJSON: c.passkey as never });
      await this.answer({ passkey: credential as unknown as Record<string, unknown> });
    } catch (err) {
      if (err instanceof Error && !(err instanceof HttpErrorResponse))
        this.error.set(this.i18n.t('login.passkeyFailed'));
    }
  }

  private async answer(a: { code: string } | { recoveryCode: string } | { passkey: Record<string, unknown> }) {
    const c = this.challenge()!;
    this.busy.set(true);
    this.error.set('');
    try {
      await this.auth.secondFactor({ username: this.username, token: c.token, ...a });
      await this.signedIn();
    } catch (err) {
      const p = problemOf(err);
      const left = /\((\d+) tr(?:y|ies) left\)/.exec(p.message)?.[1];
      if (p.status === 401 && left) {
        this.codeForm.controls.code.setErrors({ server: this.i18n.t('login.wrongCode', { left: Number(left) }) });
        this.codeForm.controls.code.markAsTouched();
      } else if (p.status === 401) {
        // The challenge is spent or expired: back to the password, saying why.
        this.restart();
        this.error.set(this.i18n.t('login.challengeEnded'));
      } else this.error.set(p.message);
    } finally {
      this.busy.set(false);
    }
  }
}
