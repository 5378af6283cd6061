// The uptime figures' text and the recent runs' strip, drawn as one CSS background. Framework-free
// (tested by test/unit/dashboard-uptime-strip.test.ts).

/** A tick's width and the gap after it, in CSS pixels. */
export const TICK_PX = 4;
export const TICK_GAP_PX = 2;

const KIND_COLOURS: Record<string, string> = {
  success: 'var(--hb-up)',
  fail: 'var(--hb-down)',
  start: 'color-mix(in srgb, var(--hb-late) 60%, transparent)',
  log: 'color-mix(in srgb, var(--hb-new) 40%, transparent)',
};

/**
 * The strip as one CSS background: a 4 px bar per run, oldest left, in its kind's colour. One
 * element per strip instead of one per run: a page of 50 monitors has 1,000 runs, and as
 * elements they were a large part of the list's first screen (docs/performance.md).
 */
export function stripImage(kinds: readonly string[]): string {
  if (!kinds.length) return 'none';
  const step = TICK_PX + TICK_GAP_PX;
  const stops = kinds.map((k, i) => {
    const x = i * step;
    const c = KIND_COLOURS[k] ?? 'var(--hb-new)';
    return `${c} ${x}px ${x + TICK_PX}px, transparent ${x + TICK_PX}px ${x + step}px`;
  });
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

/** The run under a pointer `x` px from the strip's left edge: its index, or -1 in a gap or past the end. */
export function tickAt(x: number, count: number): number {
  const step = TICK_PX + TICK_GAP_PX;
  const i = Math.floor(x / step);
  return i >= 0 && i < count && x - i * step < TICK_PX ? i : -1;
}

/** "99.95 %", truncated so 99.999 % never shows as 100 %; "—" when nothing was observed. */
export function uptimeText(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `${(Math.floor(p * 100) / 100).toFixed(2)} %`;
}
