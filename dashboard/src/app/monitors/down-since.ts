// "down since 14:02 · 11 min" in place of a next due in the past. Framework-free (tested by
// test/unit/dashboard-live-counts.test.ts).

import { activeLocale, translate, type Locale } from '../i18n/translate.ts';
import type { MonitorStatus } from '../api/models.ts';
import { dateTimeFormat } from '../core/time.ts';

export interface Overdue {
  status: MonitorStatus;
  nextDueAt: string | null;
  downAt: string | null;
  statusChangedAt: string | null;
}

/** Return since when a down monitor is down, or a late one whose next due has passed is late; null otherwise. */
export function overdueSince(m: Overdue, now: number): { status: 'down' | 'late'; at: string } | null {
  if (m.status === 'down') {
    const at = m.statusChangedAt ?? m.downAt ?? m.nextDueAt;
    return at ? { status: 'down', at } : null;
  }
  if (m.status === 'late' && m.nextDueAt && Date.parse(m.nextDueAt) <= now) {
    return { status: 'late', at: m.statusChangedAt ?? m.nextDueAt };
  }
  return null;
}

/** Return "down since 14:02 · 11 min" (the day too when it is not today), or '' when not overdue. */
export function overdueText(m: Overdue, now: number, locale: Locale = activeLocale(), timeZone?: string): string {
  const since = overdueSince(m, now);
  if (!since) return '';
  const at = new Date(since.at);
  if (Number.isNaN(at.getTime())) return '';
  const time =
    timeZone === undefined && at.toDateString() === new Date(now).toDateString()
      ? // Today in the browser's own zone (the list's case) needs no Intl: a page's first formatter costs tens of ms.
        `${String(at.getHours()).padStart(2, '0')}:${String(at.getMinutes()).padStart(2, '0')}`
      : zoned(at, now, locale, timeZone);
  const key = since.status === 'down' ? 'since.down' : 'since.late';
  return translate(key, { time, duration: elapsed(now - at.getTime(), locale) }, locale);
}

/** "14:02" on the same day in `timeZone`, else "11/23, 09:00" as the language writes it. */
function zoned(at: Date, now: number, locale: Locale, timeZone: string | undefined): string {
  const sameDay = (d: Date) =>
    dateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  return dateTimeFormat(locale, {
    timeZone,
    ...(sameDay(at) === sameDay(new Date(now)) ? {} : { month: '2-digit', day: '2-digit' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
}

/** "11 min", "2 h 5 min", "40 s": whole units, no seconds once past a minute. */
function elapsed(ms: number, locale: Locale): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return translate('time.s', { n: s }, locale);
  const m = Math.floor(s / 60);
  if (m < 60) return translate('time.min', { n: m }, locale);
  return translate('time.hMin', { h: Math.floor(m / 60), m: m % 60 }, locale);
}
