import { DOCUMENT, Injectable, computed, effect, inject, signal } from '@angular/core';
import { MatPaginatorIntl } from '@angular/material/paginator';
import { Title } from '@angular/platform-browser';
import { TitleStrategy, type RouterStateSnapshot } from '@angular/router';
import { firstValueFrom } from 'rxjs';
import { Api } from '../api/api';
import type { Session } from '../api/models';
import {
  CATALOGS,
  chooseLocale,
  setActiveLocale,
  translate,
  type Locale,
  type MessageKey,
  type Params,
} from './translate';

/**
 * The dashboard's language, switchable at runtime: the signed-in user's stored choice, else the
 * browser's languages, else the server's DEFAULT_LOCALE. Templates say `i18n.t('key')`; reading
 * the locale signal inside t() makes every OnPush view that shows a word re-render on a switch.
 */
@Injectable({ providedIn: 'root' })
export class I18n {
  private readonly api = inject(Api);
  private readonly document = inject(DOCUMENT);
  /** the user's stored choice; null: follow the browser */
  readonly preference = signal<Locale | null>(null);
  private readonly serverDefault = signal<Locale>('en');
  private readonly browser = typeof navigator === 'undefined' ? [] : [...(navigator.languages ?? [navigator.language])];
  readonly locale = computed(() => chooseLocale(this.preference(), this.browser, this.serverDefault()));

  constructor() {
    this.apply();
  }

  /** `key` in the current language, {placeholders} filled. */
  t(key: MessageKey, params?: Params): string {
    return translate(key, params, this.locale());
  }

  /** A session told us the user's choice and the server's default. */
  fromSession(s: Session | null): void {
    this.preference.set(s?.user.locale ?? null);
    if (s?.defaultLocale) this.serverDefault.set(s.defaultLocale);
    this.apply();
  }

  /** Switches now and keeps the choice for this user (PATCH /api/v1/session). */
  async choose(locale: Locale | null): Promise<void> {
    const before = this.preference();
    this.preference.set(locale);
    this.apply();
    try {
      await firstValueFrom(this.api.setLocale(locale));
    } catch (err) {
      this.preference.set(before);
      this.apply();
      throw err;
    }
  }

  /** Plain helpers (times, statuses, error texts), <html lang> and Material's labels follow. */
  private apply(): void {
    const locale = this.locale();
    setActiveLocale(locale);
    this.document.documentElement.lang = locale;
  }
}

/** Material's paginator labels, in the current language. */
@Injectable()
export class I18nPaginatorIntl extends MatPaginatorIntl {
  constructor() {
    super();
    const i18n = inject(I18n);
    effect(() => {
      i18n.locale();
      this.itemsPerPageLabel = i18n.t('pager.itemsPerPage');
      this.nextPageLabel = i18n.t('pager.next');
      this.previousPageLabel = i18n.t('pager.previous');
      this.firstPageLabel = i18n.t('pager.first');
      this.lastPageLabel = i18n.t('pager.last');
      this.changes.next();
    });
  }

  override getRangeLabel = (page: number, pageSize: number, length: number): string => {
    if (length === 0 || pageSize === 0) return translate('pager.empty', { total: length });
    const start = page * pageSize;
    const end = start < length ? Math.min(start + pageSize, length) : start + pageSize;
    return translate('pager.range', { start: start + 1, end, total: length });
  };
}

/** Route titles are message keys: "Monitors · Heartbeats" in the current language, again after a switch. */
@Injectable()
export class I18nTitleStrategy extends TitleStrategy {
  private readonly title = inject(Title);
  private readonly key = signal<string | undefined>(undefined);

  constructor() {
    super();
    const i18n = inject(I18n);
    effect(() => {
      const key = this.key();
      const words = key && key in CATALOGS.en ? i18n.t(key as MessageKey) : key;
      this.title.setTitle(words ? `${words} · Heartbeats` : 'Heartbeats');
    });
  }

  override updateTitle(snapshot: RouterStateSnapshot): void {
    this.key.set(this.buildTitle(snapshot));
  }
}
