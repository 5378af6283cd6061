// Geometry for small time-series line charts (host CPU, memory, disk), framework-free
// (tested in test/unit/dashboard-hosts.test.ts). Times run left (from) to right (to) over the
// whole selected range, so charts of the same range line up; values are percentages 0..100
// unless yMax says otherwise. A line breaks where a value is missing or the samples have a gap,
// so a host that was unreachable for an hour is not drawn as a straight line through that hour.

import { translate } from '../i18n/translate.ts';

export interface SeriesPoint {
  t: number;
  v: number | null;
}

export interface Series {
  key: string;
  label: string;
  points: readonly SeriesPoint[];
}

export interface TimeMark {
  t: number;
  kind: 'error' | 'breach';
  title: string;
}

export interface LineChartInput {
  series: readonly Series[];
  from: number;
  to: number;
  marks?: readonly TimeMark[];
  width: number;
  height: number;
  /** The top of the value axis; default 100 (percent). */
  yMax?: number;
  unit?: string;
  /** At most this many plotted points per series; more are averaged into buckets. Default: one per 2 px. */
  maxPoints?: number;
}

export interface ChartLine {
  key: string;
  label: string;
  /** Index into the palette (0..7). */
  color: number;
  /** SVG path data: "M x y L x y …", a new "M" after each break. '' when nothing to draw. */
  d: string;
  /** Points that have no neighbour in their segment: drawn as dots. */
  dots: { x: number; y: number }[];
  count: number;
  latest: number | null;
  max: number | null;
  latestLabel: string;
}

export interface LineChartModel {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  baseline: number;
  lines: ChartLine[];
  yTicks: { y: number; label: string }[];
  xTicks: { x: number; label: string }[];
  marks: { key: string; x: number; kind: 'error' | 'breach'; title: string }[];
  /** No series has any value in the range. */
  empty: boolean;
  summary: string;
}

export const PALETTE_SIZE = 8;

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const SECOND = 1000;
const STEPS = [
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
];

function fmt(v: number, unit: string): string {
  const n = Math.abs(v) >= 10 || Number.isInteger(v) ? v.toFixed(0) : v.toFixed(1);
  return `${n}${unit}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** The label of a time-axis tick: "13:45", "13:45:30" when seconds apart, "05-01" / "05-01 12:00" when days apart. */
export function timeLabel(t: number, step: number): string {
  const d = new Date(t);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  if (step < MINUTE) return `${hm}:${pad(d.getSeconds())}`;
  if (step < DAY) return hm;
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  return d.getHours() === 0 && d.getMinutes() === 0 ? md : `${md} ${hm}`;
}

/** Tick times between from and to, `step` apart and on round local times (:00, :15, midnight). */
export function timeTicks(from: number, to: number, target = 6): { step: number; ticks: number[] } {
  const span = Math.max(1, to - from);
  const step = STEPS.find((s) => span / s <= target) ?? STEPS[STEPS.length - 1];
  // Round in local time: shift by the zone offset, round, shift back.
  const offset = new Date(from).getTimezoneOffset() * MINUTE;
  let t = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (; t <= to && ticks.length < 50; t += step) ticks.push(t);
  return { step, ticks };
}

/** The usual spacing of the samples (median gap), used to decide what counts as a gap. */
export function typicalGap(points: readonly SeriesPoint[]): number {
  const gaps: number[] = [];
  for (let i = 1; i < points.length; i++) gaps.push(points[i].t - points[i - 1].t);
  if (!gaps.length) return 0;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

/**
 * Averages points into `buckets` equal time slices between from and to. A slice whose samples
 * all lack a value is a null (a break); empty slices are left out.
 */
export function downsample(points: readonly SeriesPoint[], from: number, to: number, buckets: number): SeriesPoint[] {
  if (points.length <= buckets) return [...points];
  const width = Math.max(1, (to - from) / buckets);
  const out: SeriesPoint[] = [];
  let i = 0;
  while (i < points.length) {
    const b = Math.floor((points[i].t - from) / width);
    let sum = 0;
    let n = 0;
    let tSum = 0;
    let k = 0;
    while (i < points.length && Math.floor((points[i].t - from) / width) === b) {
      const p = points[i];
      tSum += p.t;
      k++;
      if (p.v !== null && Number.isFinite(p.v)) {
        sum += p.v;
        n++;
      }
      i++;
    }
    out.push({ t: tSum / k, v: n ? sum / n : null });
  }
  return out;
}

/** The chart for `input`. Points outside [from, to] are ignored; series keep their order (and colour). */
export function lineChartModel(input: LineChartInput): LineChartModel {
  const { width, height, from } = input;
  const to = Math.max(input.to, from + 1);
  const unit = input.unit ?? '%';
  const yMax = input.yMax ?? 100;
  const left = 34;
  const right = 8;
  const top = 6;
  const baseline = height - 22;
  const plot = width - left - right;
  const xOf = (t: number) => left + ((t - from) / (to - from)) * plot;
  const yOf = (v: number) => baseline - (Math.min(Math.max(v, 0), yMax) / yMax) * (baseline - top);
  const r = (n: number) => Math.round(n * 10) / 10;
  const maxPoints = input.maxPoints ?? Math.max(2, Math.floor(plot / 2));

  const lines: ChartLine[] = input.series.map((s, index) => {
    const inRange = s.points.filter((p) => Number.isFinite(p.t) && p.t >= from && p.t <= to).sort((a, b) => a.t - b.t);
    const gap = typicalGap(inRange);
    const pts = downsample(inRange, from, to, maxPoints);
    const breakAfter = Math.max(gap * 3, ((to - from) / maxPoints) * 3);
    const segments: { x: number; y: number }[][] = [];
    let current: { x: number; y: number }[] = [];
    let prevT: number | null = null;
    for (const p of pts) {
      if (p.v === null || !Number.isFinite(p.v)) {
        if (current.length) segments.push(current);
        current = [];
        prevT = null;
        continue;
      }
      if (prevT !== null && gap > 0 && p.t - prevT > breakAfter && current.length) {
        segments.push(current);
        current = [];
      }
      current.push({ x: r(xOf(p.t)), y: r(yOf(p.v)) });
      prevT = p.t;
    }
    if (current.length) segments.push(current);
    const d = segments
      .filter((seg) => seg.length > 1)
      .map((seg) => seg.map((pt, i) => `${i ? 'L' : 'M'}${pt.x} ${pt.y}`).join(' '))
      .join(' ');
    const dots = segments.filter((seg) => seg.length === 1).map((seg) => seg[0]);
    const values = inRange.map((p) => p.v).filter((v): v is number => v !== null && Number.isFinite(v));
    const latest = values.length ? values[values.length - 1] : null;
    const max = values.length ? Math.max(...values) : null;
    return {
      key: s.key,
      label: s.label,
      color: index % PALETTE_SIZE,
      d,
      dots,
      count: values.length,
      latest,
      max,
      latestLabel: latest === null ? '—' : fmt(latest, unit),
    };
  });

  const yTicks = [0, 0.5, 1].map((f) => ({ y: r(yOf(f * yMax)), label: fmt(f * yMax, unit) }));
  const { step, ticks } = timeTicks(from, to, Math.max(2, Math.floor(plot / 90)));
  const xTicks = ticks.map((t) => ({ x: r(xOf(t)), label: timeLabel(t, step) }));
  const marks = (input.marks ?? [])
    .filter((m) => m.t >= from && m.t <= to)
    .map((m, i) => ({ key: `${m.t}-${i}`, x: r(xOf(m.t)), kind: m.kind, title: m.title }));
  const empty = lines.every((l) => l.count === 0);
  const parts = lines
    .filter((l) => l.count)
    .map((l) =>
      translate('hostChart.line', { label: l.label, latest: l.latestLabel, max: fmt(l.max as number, unit) }),
    );
  const failed = marks.filter((m) => m.kind === 'error').length;
  if (failed) parts.push(translate(failed === 1 ? 'hostChart.failed.one' : 'hostChart.failed', { n: failed }));
  const summary = empty ? translate('hostChart.empty') : parts.join('; ');
  return { width, height, left, right, top, baseline, lines, yTicks, xTicks, marks, empty, summary };
}
