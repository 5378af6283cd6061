// Relative and exact times. Framework-free (tested by test/unit/dashboard-time.test.ts).

const UNITS: [number, string][] = [
  [86_400_000 * 365, 'year'],
  [86_400_000 * 30, 'month'],
  [86_400_000 * 7, 'week'],
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'min'],
  [1000, 'sec'],
];

/** "3 min ago", "in 2 hours", "just now"; '' for null. */
export function relativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  if (abs < 10_000) return 'just now';
  for (const [ms, name] of UNITS) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      const unit = name === 'min' || name === 'sec' ? name : n === 1 ? name : `${name}s`;
      return diff < 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`;
    }
  }
  return 'just now';
}

/** The exact local time for a title/tooltip: "2024-05-01 13:45:07 (Europe/Berlin)". */
export function exactTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    const f = new Intl.DateTimeFormat('en-CA', {
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
    return f.format(d).replace(',', '');
  } catch {
    return d.toISOString();
  }
}

/** "1.2 s", "350 ms", "3 min 4 s". */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  if (m < 60) return s ? `${m} min ${s} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}
