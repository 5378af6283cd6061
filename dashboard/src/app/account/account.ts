import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { FormControl, FormGroup, ReactiveFormsModule, Validators } from '@angular/forms';
import { HttpErrorResponse } from '@angular/common/http';
import { ClipboardModule } from '@angular/cdk/clipboard';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Factor, NewFactor, TotpEnrolment } from '../api/models';
import { Auth } from '../auth/auth';
import { exactTime } from '../core/time';
import { I18n } from '../i18n/i18n';
import { askPassword } from './password-check';

/**
 * The signed-in person's second factors: add an authenticator app or a passkey, remove one, and
 * new recovery codes. Every change asks for the password again; the server checks it.
 */
@Component({
  selector: 'hb-account',
  imports: [
    ReactiveFormsModule,
    ClipboardModule,
    MatButtonModule,
    MatCardModule,
    MatDialogModule,
    MatFormFieldModule,
    MatIconModule,
    MatInputModule,
    MatSnackBarModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './account.html',
  styleUrl: './account.css',
})
export class AccountPage implements OnInit {
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly router = inject(Router);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);

  protected readonly factors = signal<Factor[]>([]);
  protected readonly codesLeft = signal(0);
  protected readonly loading = signal(true);
  protected readonly busy = signal(false);
  protected readonly error = signal('');
  /** An authenticator app being added: its QR code and secret, until confirmed with a code. */
  protected readonly enrolling = signal<(TotpEnrolment & { qr: string }) | null>(null);
  /** Recovery codes just made: shown once, until dismissed. */
  protected readonly freshCodes = signal<string[] | null>(null);

  protected readonly addForm = new FormGroup({
    name: new FormControl('', { nonNullable: true, validators: [Validators.maxLength(100)] }),
    password: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });
  protected readonly codeForm = new FormGroup({
    code: new FormControl('', { nonNullable: true, validators: [Validators.required] }),
  });

  ngOnInit(): void {
    this.load();
  }

  protected load(): void {
    this.api.factors().subscribe({
      next: (f) => {
        this.factors.set(f.factors);
        this.codesLeft.set(f.recoveryCodesLeft);
        this.loading.set(false);
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
  }

  private valid(): { name: string; password: string } | null {
    this.error.set('');
    if (this.addForm.invalid) {
      this.addForm.markAllAsTouched();
      return null;
    }
    const v = this.addForm.getRawValue();
    return { name: v.name.trim(), password: v.password };
  }

  /** A 422 naming the password goes under the password field; anything else above the buttons. */
  private failed(err: unknown): void {
    this.busy.set(false);
    const p = problemOf(err);
    const f = p.fields.find((x) => x.field === 'password' || x.field === 'code');
    if (f?.field === 'password') {
      this.addForm.controls.password.setErrors({ server: f.message });
      this.addForm.controls.password.markAsTouched();
    } else if (f?.field === 'code') {
      this.codeForm.controls.code.setErrors({ server: f.message });
      this.codeForm.controls.code.markAsTouched();
    } else this.error.set(p.message);
  }

  protected addTotp(): void {
    const v = this.valid();
    if (!v) return;
    this.busy.set(true);
    this.api.startTotp(v.password, v.name || undefined).subscribe({
      next: (e) => {
        this.busy.set(false);
        this.addForm.controls.password.reset();
        this.codeForm.reset();
        // The server's own SVG, as an image: nothing of it runs in the page.
        this.enrolling.set({ ...e, qr: `data:image/svg+xml;base64,${btoa(e.qrSvg)}` });
      },
      error: (err) => this.failed(err),
    });
  }

  protected confirmTotp(): void {
    if (this.codeForm.invalid) {
      this.codeForm.markAllAsTouched();
      return;
    }
    this.busy.set(true);
    this.api.confirmTotp(this.codeForm.getRawValue().code.trim()).subscribe({
      next: (made) => {
        this.enrolling.set(null);
        this.added(made);
      },
      error: (err) => this.failed(err),
    });
  }

  protected async addPasskey(): Promise<void> {
    const v = this.valid();
    if (!v) return;
    this.busy.set(true);
    try {
      const req = await firstValueFrom(this.api.passkeyOptions(v.password));
      this.addForm.controls.password.reset();
      const { startRegistration } = await import('@simplewebauthn/browser');
      const response = await startRegistration({ optionsJSON: req.options as never });
      this.added(
        await firstValueFrom(
          this.api.addPasskey(req.token, response as unknown as Record<string, unknown>, v.name || undefined),
        ),
      );
    } catch (err) {
      if (err instanceof HttpErrorResponse) this.failed(err);
      else {
        this.busy.set(false);
        this.error.set(this.i18n.t('account.passkeyFailed'));
      }
    }
  }

  private added(made: NewFactor): void {
    this.busy.set(false);
    this.addForm.reset();
    if (made.recoveryCodes) this.freshCodes.set(made.recoveryCodes);
    this.snack.open(this.i18n.t('account.added'), undefined, { duration: 3000 });
    this.load();
    // An admin who had to add a factor may now use the rest of the console.
    if (this.auth.enrolRequired()) void this.auth.recheck();
  }

  protected cancelTotp(): void {
    this.enrolling.set(null);
  }

  protected remove(f: Factor): void {
    askPassword(this.dialog, {
      title: this.i18n.t('account.removeTitle', { name: f.name }),
      message: this.i18n.t('account.removeMessage'),
      confirmLabel: this.i18n.t('account.remove'),
      submit: (password) => this.api.removeFactor(f.id, password),
    }).subscribe(() => {
      // Removing a factor ends every session of the user, this one included.
      this.auth.clear();
      void this.router.navigate(['/login'], { queryParams: { ended: 1 } });
    });
  }

  protected newCodes(): void {
    askPassword(this.dialog, {
      title: this.i18n.t('account.newCodesTitle'),
      message: this.i18n.t('account.newCodesMessage'),
      confirmLabel: this.i18n.t('account.newCodes'),
      submit: (password) => this.api.newRecoveryCodes(password),
    }).subscribe((r) => {
      this.freshCodes.set(r.recoveryCodes);
      this.load();
    });
  }

  protected copied(ok: boolean): void {
    this.snack.open(this.i18n.t(ok ? 'keys.copied' : 'keys.copyFailed'), undefined, { duration: 2000 });
  }

  protected kindLabel(f: Factor): string {
    return this.i18n.t(f.kind === 'totp' ? 'account.kindTotp' : 'account.kindPasskey');
  }

  protected exact(iso: string | null): string {
    return iso ? exactTime(iso, undefined, this.i18n.locale()) : this.i18n.t('account.never');
  }
}
