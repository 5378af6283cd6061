// Geometry for the durations chart, framework-free (tested in test/unit/dashboard-snippets.test.ts).
import type { Ping } from '../api/models.ts';
import { activeLocale, translate } from '../i18n/translate.ts';

export interface ChartModel {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  baseline: number;
  bars: { key: number; x: number; y: number; w: number; kind: string; title: string }[];
  ticks: { key: number; x: number; kind: string; title: string }[];
  maxLabel: string;
  startLabel: string;
  endLabel: string;
  summary: string;
}

function fmtMs(ms: number): string {
  if (ms < 1000) return translate('time.ms', { n: Math.round(ms) });
  if (ms < 60_000) return translate('time.s', { n: (ms / 1000).toFixed(1) });
  if (ms < 3_600_000) return translate('time.min', { n: (ms / 60_000).toFixed(1) });
  return translate('time.h', { n: (ms / 3_600_000).toFixed(1) });
}

function fmtTime(t: number, span: number): string {
  const d = new Date(t);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return span > 36 * 3_600_000 ? `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}` : hm;
}

/** Null when there is no ping. Times run left (oldest) to right (newest). */
export function chartModel(pings: readonly Ping[], width: number, height: number): ChartModel | null {
  const points = pings
    .map((p) => ({ p, t: Date.parse(p.receivedAt) }))
    .filter((x) => Number.isFinite(x.t))
    .sort((a, b) => a.t - b.t);
  if (!points.length) return null;
  const left = 8;
  const right = 8;
  const top = 4;
  const baseline = height - 18;
  const t0 = points[0].t;
  const t1 = points[points.length - 1].t;
  const span = Math.max(1, t1 - t0);
  const plot = width - left - right;
  const xOf = (t: number) => (points.length === 1 ? left + plot / 2 : left + ((t - t0) / span) * plot);
  const durations = points.filter((x) => typeof x.p.durationMs === 'number' && x.p.durationMs >= 0);
  const max = Math.max(1, ...durations.map((x) => x.p.durationMs as number));
  const barW = Math.max(2, Math.min(12, plot / Math.max(1, durations.length) - 2));
  const kindOf = (p: Ping) =>
    p.kind === 'fail' || (p.exitStatus !== null && p.exitStatus !== 0)
      ? 'fail'
      : p.kind === 'success'
        ? 'success'
        : 'other';
  const bars = durations.map(({ p, t }) => {
    const h = ((p.durationMs as number) / max) * (baseline - top);
    return {
      key: p.id,
      x: xOf(t),
      y: baseline - Math.max(1, h),
      w: barW,
      kind: kindOf(p),
      title: translate('chart.ran', {
        time: new Date(t).toLocaleString(activeLocale()),
        duration: fmtMs(p.durationMs as number),
      }),
    };
  });
  const ticks = points.map(({ p, t }) => ({
    key: p.id,
    x: xOf(t),
    kind: kindOf(p),
    title: `${new Date(t).toLocaleString(activeLocale())}: ${translate(`ping.${p.kind}`)}`,
  }));
  const summary = durations.length
    ? translate('chart.summary', { count: points.length, duration: fmtMs(max) })
    : translate('chart.summaryNone', { count: points.length });
  return {
    width,
    height,
    left,
    right,
    top,
    baseline,
    bars,
    ticks,
    maxLabel: durations.length ? fmtMs(max) : '',
    startLabel: fmtTime(t0, span),
    endLabel: points.length > 1 ? fmtTime(t1, span) : '',
    summary,
  };
}
