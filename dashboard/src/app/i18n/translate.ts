// Looking words up: the catalogs by locale, the locale a browser asks for, and {placeholder}
// filling. Framework-free, so components, plain helpers (times, errors, statuses) and Node's
// unit tests share it; the I18n service (i18n.ts) makes the active locale a signal.

import { en, type MessageKey, type Messages } from './messages.en.ts';
import { zhHans } from './messages.zh-Hans.ts';

export type { MessageKey, Messages };
export const LOCALES = ['en', 'zh-Hans'] as const;
export type Locale = (typeof LOCALES)[number];
export type Params = Readonly<Record<string, string | number>>;

export const CATALOGS: Readonly<Record<Locale, Messages>> = { en, 'zh-Hans': zhHans };

/** Each language's name in itself, for the switch. */
export const LANGUAGE_NAMES: Readonly<Record<Locale, string>> = { en: 'English', 'zh-Hans': '中文' };

export function isLocale(v: unknown): v is Locale {
  return typeof v === 'string' && (LOCALES as readonly string[]).includes(v);
}

/**
 * The first of the browser's languages (navigator.languages) that we speak, or null.
 * Chinese written in simplified characters (zh, zh-CN, zh-SG, zh-Hans-*) is zh-Hans; zh-TW,
 * zh-HK, zh-MO and zh-Hant-* are not (we have no traditional catalog), so they fall through.
 */
export function negotiate(languages: readonly string[]): Locale | null {
  for (const raw of languages) {
    const tag = raw.toLowerCase();
    if (tag === 'en' || tag.startsWith('en-')) return 'en';
    if (tag === 'zh' || tag.startsWith('zh-')) {
      if (/^zh-(hant|tw|hk|mo)\b/.test(tag)) continue;
      return 'zh-Hans';
    }
  }
  return null;
}

/** The user's choice, else the browser's, else the server's DEFAULT_LOCALE. */
export function chooseLocale(
  preference: Locale | null | undefined,
  browser: readonly string[],
  serverDefault: Locale,
): Locale {
  return preference ?? negotiate(browser) ?? serverDefault;
}

let active: Locale = 'en';

/** The locale plain helpers use when none is passed; the I18n service keeps it in step. */
export function setActiveLocale(locale: Locale): void {
  active = locale;
}
export function activeLocale(): Locale {
  return active;
}

/** The text of `key` in `locale` with {name} placeholders filled; an unknown placeholder stays visible. */
export function translate(key: MessageKey, params?: Params, locale: Locale = active): string {
  const template = CATALOGS[locale][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
