import { Injectable, computed, inject, signal } from '@angular/core';
import { HttpErrorResponse } from '@angular/common/http';
import { firstValueFrom } from 'rxjs';
import { Api } from '../api/api';
import type { SecondFactorChallenge, Session, SessionUser } from '../api/models';
import { I18n } from '../i18n/i18n';
import { ThemeChoice } from '../core/theme';

/** Who is signed in, and the CSRF token for the session. */
@Injectable({ providedIn: 'root' })
export class Auth {
  private readonly api = inject(Api);
  private readonly i18n = inject(I18n);
  private readonly themeChoice = inject(ThemeChoice);
  readonly user = signal<SessionUser | null>(null);
  readonly csrfToken = signal<string | null>(null);
  readonly isAdmin = computed(() => this.user()?.role === 'admin');
  /** Admins edit; viewers only read (the server enforces it too). */
  readonly canEdit = this.isAdmin;
  private pending: Promise<boolean> | null = null;
  private checked = false;

  /** Asks the server once whether the session cookie is valid. */
  ensureSession(): Promise<boolean> {
    if (this.checked) return Promise.resolve(this.user() !== null);
    this.pending ??= firstValueFrom(this.api.getSession())
      .then((s) => {
        this.set(s);
        return true;
      })
      .catch(() => {
        this.clear();
        return false;
      })
      .finally(() => {
        this.checked = true;
        this.pending = null;
      });
    return this.pending;
  }

  /** Asks the server again whether the session lives; on a 401 the user is signed out here too. */
  async recheck(): Promise<boolean> {
    try {
      this.set(await firstValueFrom(this.api.getSession()));
      return true;
    } catch (err) {
      if (err instanceof HttpErrorResponse && err.status === 401) {
        this.clear();
        return false;
      }
      return this.user() !== null; // the server is unreachable: nothing is known to have ended
    }
  }

  /** The password step: null when signed in, else the second factor's challenge to answer. */
  async login(username: string, password: string): Promise<SecondFactorChallenge | null> {
    const s = await firstValueFrom(this.api.login(username, password));
    if ('secondFactor' in s) return s.secondFactor;
    this.set(s);
    this.checked = true;
    return null;
  }

  /** The second step: a code, a recovery code or a passkey's credential for the challenge. */
  async secondFactor(
    body: { username: string; token: string } & (
      { code: string } | { recoveryCode: string } | { passkey: Record<string, unknown> }
    ),
  ): Promise<void> {
    this.set(await firstValueFrom(this.api.loginSecondFactor(body)));
    this.checked = true;
  }

  /** An admin without a second factor while admins must have one: only the account page works. */
  readonly enrolRequired = computed(() => this.user()?.enrolRequired === true);

  async logout(): Promise<void> {
    try {
      await firstValueFrom(this.api.logout());
    } finally {
      this.clear();
    }
  }

  /** The session ended (logout, or a 401 from any call). */
  clear(): void {
    // Signed out: the language stays as it was on screen (the browser's, or the last user's choice).
    this.user.set(null);
    this.csrfToken.set(null);
    this.checked = true;
  }

  private set(s: Session): void {
    this.i18n.fromSession(s);
    this.themeChoice.fromSession(s);
    this.user.set(s.user);
    this.csrfToken.set(s.csrfToken);
  }
}
