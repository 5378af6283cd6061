// Relative and exact times, in the active language unless one is passed. Framework-free
// (tested by test/unit/dashboard-time.test.ts and dashboard-i18n.test.ts).

import { activeLocale, translate, type Locale } from '../i18n/translate.ts';

/** Each unit: its length, its short English name, and its name for Intl.RelativeTimeFormat. */
const UNITS: [number, string, Intl.RelativeTimeFormatUnit][] = [
  [86_400_000 * 365, 'year', 'year'],
  [86_400_000 * 30, 'month', 'month'],
  [86_400_000 * 7, 'week', 'week'],
  [86_400_000, 'day', 'day'],
  [3_600_000, 'hour', 'hour'],
  [60_000, 'min', 'minute'],
  [1000, 'sec', 'second'],
];

/** "3 min ago", "in 2 hours", "just now"; '' for null. */
export function relativeTime(iso: string | null | undefined, now: number, locale: Locale = activeLocale()): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < 10_000) return translate('time.justNow', undefined, locale);
  // Other languages: the browser's own relative-time words ("3分钟前").
  if (locale !== 'en') return intlRelative(diff, abs, locale);
  for (const [ms, name] of UNITS) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      const unit = name === 'min' || name === 'sec' ? name : n === 1 ? name : `${name}s`;
      return diff < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

function intlRelative(diff: number, abs: number, locale: Locale): string {
  const [ms, , unit] = UNITS.find(([size]) => abs >= size) ?? UNITS[UNITS.length - 1];
  const n = Math.floor(abs / ms);
  return relativeFormat(locale).format(diff < 0 ? -n : n, unit);
}

// Building an Intl formatter costs far more than using one, and a page of 50 monitors asks for
// hundreds of times, again at each tick of the clock: one formatter per language and options.
const relativeFormats = new Map<string, Intl.RelativeTimeFormat>();
const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function relativeFormat(locale: Locale): Intl.RelativeTimeFormat {
  let f = relativeFormats.get(locale);
  if (!f) relativeFormats.set(locale, (f = new Intl.RelativeTimeFormat(locale, { numeric: 'always' })));
  return f;
}

/** `new Intl.DateTimeFormat(locale, options)`, built once per language and options. Throws as it does. */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale} ${JSON.stringify(options)}`;
  let f = dateTimeFormats.get(key);
  if (!f) dateTimeFormats.set(key, (f = new Intl.DateTimeFormat(locale, options)));
  return f;
}

/** The exact local time for a title/tooltip: "2024-05-01 13:45:07 CEST"; in Chinese "2024年05月01日 13:45:07（GMT+8）". */
export function exactTime(iso: string | null | undefined, timeZone?: string, locale: Locale = activeLocale()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    // en-CA writes ISO-like dates; other languages fill their catalog's pattern with the parts.
    const f = dateTimeFormat(locale === 'en' ? 'en-CA' : locale, {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hour12: false,
      timeZoneName: 'short',
    });
    if (locale === 'en') return f.format(d).replace(',', '');
    const part = Object.fromEntries(f.formatToParts(d).map((p) => [p.type, p.value]));
    return translate(
      'time.exact',
      {
        y: part['year'],
        mo: part['month'],
        d: part['day'],
        h: part['hour'],
        mi: part['minute'],
        s: part['second'],
        zone: part['timeZoneName'],
      },
      locale,
    );
  } catch {
    return d.toISOString();
  }
}

/** "1.2 s", "350 ms", "3 min 4 s". */
export function formatMs(ms: number | null | undefined, locale: Locale = activeLocale()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  const t = (key: 'time.ms' | 'time.s' | 'time.min' | 'time.minS' | 'time.hMin', p: Record<string, string | number>) =>
    translate(key, p, locale);
  if (ms < 1000) return t('time.ms', { n: Math.round(ms) });
  if (ms < 60_000) return t('time.s', { n: (ms / 1000).toFixed(ms < 10_000 ? 1 : 0) });
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return s ? t('time.minS', { m, s }) : t('time.min', { n: m });
  const h = Math.floor(m / 60);
  return t('time.hMin', { h, m: m % 60 });
}
