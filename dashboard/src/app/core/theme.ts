import { DOCUMENT, Injectable, inject, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { Api } from '../api/api';
import type { Session } from '../api/models';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

// The last choice seen in this browser: applied before Angular starts so a user who chose dark
// against a light system (or the reverse) sees no flash of the other scheme while the session loads.
const STORAGE_KEY = 'hb-theme';

/** The browser's copy of the choice; "system" when there is none or storage is blocked. */
export function rememberedTheme(): Theme {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return (THEMES as readonly string[]).includes(v ?? '') ? (v as Theme) : 'system';
  } catch {
    return 'system';
  }
}

/** "system" leaves <html> to prefers-color-scheme (styles.scss); light/dark force one scheme. */
export function applyTheme(root: HTMLElement, theme: Theme): void {
  root.classList.toggle('hb-theme-light', theme === 'light');
  root.classList.toggle('hb-theme-dark', theme === 'dark');
  root.dataset['theme'] = theme;
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // storage blocked: the session still carries the choice
  }
}

/** The dashboard's colour scheme: the signed-in user's stored choice, kept server-side like the language. */
@Injectable({ providedIn: 'root' })
export class ThemeChoice {
  private readonly api = inject(Api);
  private readonly root = inject(DOCUMENT).documentElement;
  readonly theme = signal<Theme>(rememberedTheme());

  /** A session told us the user's choice. */
  fromSession(s: Session): void {
    this.set(s.user.theme);
  }

  /** Switches now and keeps the choice for this user (PATCH /api/v1/session). */
  async choose(theme: Theme): Promise<void> {
    const before = this.theme();
    this.set(theme);
    try {
      await firstValueFrom(this.api.setTheme(theme));
    } catch (err) {
      this.set(before);
      throw err;
    }
  }

  private set(theme: Theme): void {
    this.theme.set(theme);
    applyTheme(this.root, theme);
  }
}
