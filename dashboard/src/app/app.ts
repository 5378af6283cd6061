import { ChangeDetectionStrategy, Component, computed, effect, inject } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import {
  NavigationCancel,
  NavigationEnd,
  NavigationError,
  Router,
  RouterLink,
  RouterLinkActive,
  RouterOutlet,
} from '@angular/router';
import { filter, take } from 'rxjs';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatToolbarModule } from '@angular/material/toolbar';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatTooltipModule } from '@angular/material/tooltip';
import { Auth } from './auth/auth';
import { Loading } from './core/loading';
import { LiveEvents } from './core/events';
import { I18n } from './i18n/i18n';
import { LANGUAGE_NAMES, type Locale } from './i18n/translate';
import type { Role } from './api/models';
import { problemOf } from './api/api';
import { ThemeMenu } from './shared/theme-menu';
import { discardEarly } from './core/early-requests';

@Component({
  selector: 'hb-root',
  imports: [
    RouterOutlet,
    RouterLink,
    RouterLinkActive,
    MatToolbarModule,
    MatButtonModule,
    MatIconModule,
    MatProgressBarModule,
    MatTooltipModule,
    ThemeMenu,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './app.html',
  styleUrl: './app.css',
})
export class App {
  protected readonly auth = inject(Auth);
  protected readonly loading = inject(Loading);
  protected readonly live = inject(LiveEvents);
  protected readonly i18n = inject(I18n);
  private readonly router = inject(Router);
  private readonly snack = inject(MatSnackBar);
  /** The language the switch offers: the other one (there are two). */
  protected readonly other = computed<Locale>(() => (this.i18n.locale() === 'en' ? 'zh-Hans' : 'en'));

  constructor() {
    // One live-event stream while signed in.
    effect(() => {
      if (this.auth.user()) this.live.connect();
      else this.live.disconnect();
    });
    // The reads main.ts sent early were for the first navigation only.
    this.router.events
      .pipe(
        filter((e) => e instanceof NavigationEnd || e instanceof NavigationCancel || e instanceof NavigationError),
        take(1),
      )
      .subscribe(() => discardEarly());
    // The server ended the live stream: if the session is over (a logout, a password or role
    // change in another browser), go to the sign-in page at once, not at the next click.
    this.live.ended$.pipe(takeUntilDestroyed()).subscribe(async () => {
      if (!this.auth.user() || (await this.auth.recheck())) return;
      const returnUrl = this.router.url.startsWith('/login') ? undefined : this.router.url;
      void this.router.navigate(['/login'], { queryParams: { ended: 1, ...(returnUrl ? { returnUrl } : {}) } });
    });
  }

  protected languageName(locale: Locale): string {
    return LANGUAGE_NAMES[locale];
  }

  protected roleLabel(role: Role): string {
    return this.i18n.t(`role.${role}`);
  }

  /** Switches at once and keeps the choice for this user. */
  protected async switchLanguage(): Promise<void> {
    try {
      await this.i18n.choose(this.other());
    } catch (err) {
      this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
    }
  }

  protected async logout(): Promise<void> {
    try {
      await this.auth.logout();
    } finally {
      await this.router.navigate(['/login']);
    }
  }
}
