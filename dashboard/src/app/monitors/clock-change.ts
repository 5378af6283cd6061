// The schedule preview's DST notes, in the user's language: built from the structured
// `clockChange` the API gives with a run (its English `text` is the fallback). The English
// sentences read as the server's own `note`. Framework-free and erasable TypeScript only, so
// Node's test runner imports it (test/unit/dashboard-schedule-form.test.ts).

import type { ClockChange, ClockChangeRunner, PreviewRun } from '../api/models.ts';
import { activeLocale, translate, type Locale, type MessageKey } from '../i18n/translate.ts';
import { zoneOffsetMs } from './schedule-form.ts';

/** What runs the jobs, by its own name in every language (the server's words). */
const RUNNER_NAMES: Readonly<Record<ClockChangeRunner, string>> = {
  cron: 'cron',
  kubernetes: 'Kubernetes',
  systemd: 'systemd',
};

/** "+02:00": the zone's offset from UTC at `iso`, as the server writes it after "UTC". */
export function utcOffsetText(iso: string, zone: string): string | null {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return null;
  const ms = zoneOffsetMs(zone, at);
  if (Number.isNaN(ms)) return null;
  const sign = ms < 0 ? '-' : '+';
  const m = Math.round(Math.abs(ms) / 60_000);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The note for a previewed run in `locale`, or '' when the run has none. Unknown kinds (a newer
 * server) fall back to the server's English sentence.
 */
export function clockChangeText(
  run: Pick<PreviewRun, 'expectedAt' | 'note' | 'clockChange'>,
  locale: Locale = activeLocale(),
): string {
  const c = run.clockChange;
  if (!c) return run.note ?? '';
  const key = messageKey(c);
  if (!key || !c.times?.length) return c.text || run.note || '';
  const runner = RUNNER_NAMES[c.runner] ?? c.runner;
  const first = c.times[0];
  const last = c.times[c.times.length - 1];
  const offset =
    c.kind === 'repeated'
      ? (utcOffsetText(run.expectedAt, c.zone) ?? /\(UTC([+-]\d{2}:\d{2})\)$/.exec(c.text ?? '')?.[1] ?? '')
      : '';
  return translate(
    key,
    { time: first, first, last, count: c.count, date: c.date, zone: c.zone, runner, runsAt: c.runsAt, offset },
    locale,
  );
}

function messageKey(c: ClockChange): MessageKey | null {
  const many = c.count > 1 && c.times.length > 1;
  switch (c.kind) {
    case 'moved':
      return many ? 'clock.moved.many' : 'clock.moved.one';
    case 'skipped':
      return many ? 'clock.skipped.many' : 'clock.skipped.one';
    case 'repeated':
      if (c.pass !== 1 && c.pass !== 2) return null;
      return c.both
        ? c.pass === 1
          ? 'clock.repeated.both.1'
          : 'clock.repeated.both.2'
        : c.pass === 1
          ? 'clock.repeated.once.1'
          : 'clock.repeated.once.2';
    default:
      return null;
  }
}
