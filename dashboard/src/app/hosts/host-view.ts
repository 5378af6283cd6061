// What the host pages show, framework-free (tested in test/unit/dashboard-hosts.test.ts):
// a host's state from its last poll, the chart ranges, samples -> chart series, and a poll's
// metrics as rows of text.

import type { Host, HostMetrics, HostPollResult, HostSample } from '../api/models.ts';
import type { Series, TimeMark } from './line-chart-model.ts';
import type { StatusMeta } from '../shared/status.ts';
import { activeLocale, translate, type Locale } from '../i18n/translate.ts';

export type HostState = 'ok' | 'breach' | 'error' | 'pending' | 'disabled';

export type HostStateMeta = StatusMeta;

const HOST_STATE_LOOK: Readonly<Record<HostState, Pick<HostStateMeta, 'icon' | 'tone'>>> = {
  ok: { icon: 'status-up', tone: 'up' },
  breach: { icon: 'status-late', tone: 'late' },
  error: { icon: 'status-down', tone: 'down' },
  pending: { icon: 'status-new', tone: 'new' },
  disabled: { icon: 'status-paused', tone: 'paused' },
};

/** A host state's words (in `locale`, by default the active one), icon and colour. */
export function hostStateMeta(state: HostState, locale?: Locale): HostStateMeta {
  return {
    ...HOST_STATE_LOOK[state],
    label: translate(`hostState.${state}`, undefined, locale),
    description: translate(`hostState.${state}.description`, undefined, locale),
  };
}

/** The state of one poll result (null: never polled). */
export function resultState(r: HostPollResult | null | undefined): 'ok' | 'breach' | 'error' | 'pending' {
  if (!r) return 'pending';
  if (r.ok) return 'ok';
  if (r.error || !r.metrics) return 'error';
  return 'breach';
}

export function hostState(h: Pick<Host, 'enabled' | 'lastResult'>): HostState {
  return h.enabled ? resultState(h.lastResult) : 'disabled';
}

// ---------------------------------------------------------------------------------------------
// Chart ranges
// ---------------------------------------------------------------------------------------------

export type RangeKey = 'hour' | 'day' | 'week';

export const RANGES: readonly { key: RangeKey; ms: number }[] = [
  { key: 'hour', ms: 3_600_000 },
  { key: 'day', ms: 86_400_000 },
  { key: 'week', ms: 7 * 86_400_000 },
];

/** "Last hour", in `locale` (by default the active one). */
export function rangeLabel(key: RangeKey, locale?: Locale): string {
  return translate(`range.${key}`, undefined, locale);
}

export function isRangeKey(v: unknown): v is RangeKey {
  return RANGES.some((r) => r.key === v);
}

export function rangeBounds(key: RangeKey, now: number): { from: number; to: number } {
  const r = RANGES.find((x) => x.key === key) ?? RANGES[0];
  return { from: now - r.ms, to: now };
}

/** The shortest time span a chart shows. */
export const MIN_CHART_SPAN_MS = 60_000;

/**
 * The charts' time axis: the selected range, but starting at the first sample when there is
 * nothing before it (a host added ten minutes ago fills the width, not its last sixth).
 */
export function chartDomain(
  bounds: { from: number; to: number },
  samples: readonly { at: string }[],
): { from: number; to: number } {
  const first = samples.length ? Date.parse(samples[0].at) : NaN;
  if (!Number.isFinite(first) || first <= bounds.from) return bounds;
  return { from: Math.max(bounds.from, Math.min(first, bounds.to - MIN_CHART_SPAN_MS)), to: bounds.to };
}

// ---------------------------------------------------------------------------------------------
// Samples -> chart series
// ---------------------------------------------------------------------------------------------

export const MAX_DISK_SERIES = 6;

/** Memory-backed and kernel filesystems: their fullness says nothing (as core/hosts/host-checks.ts skips them). */
const PSEUDO_DEVICES = new Set([
  'tmpfs',
  'devtmpfs',
  'udev',
  'none',
  'shm',
  'proc',
  'sysfs',
  'cgroup',
  'cgroup2',
  'devpts',
  'mqueue',
  'overlay',
]);
const PSEUDO_MOUNT = /^\/(dev|sys|proc|run)(\/|$)/;

export function isRealDisk(d: { device: string; mount: string; sizeKb: number }): boolean {
  if (d.sizeKb === 0) return false;
  if (PSEUDO_DEVICES.has(d.device) && d.mount !== '/') return false;
  if (/^\/dev\/loop\d+$/.test(d.device)) return false;
  return !PSEUDO_MOUNT.test(d.mount);
}

/** Samples only keep the mount: /dev, /sys, /proc and /run are left out of the disk chart. */
export function isChartedMount(mount: string): boolean {
  return !PSEUDO_MOUNT.test(mount);
}

export interface HostCharts {
  cpu: Series[];
  memory: Series[];
  disk: Series[];
  /** Mounts not drawn (more than MAX_DISK_SERIES). */
  hiddenMounts: string[];
  marks: TimeMark[];
}

/** "/" first, then by name. */
function mountOrder(a: string, b: string): number {
  if (a === '/') return -1;
  if (b === '/') return 1;
  return a.localeCompare(b);
}

/**
 * One series per chart (CPU, memory with swap when the host has swap) and one per disk mount.
 * A failed poll is a break in every line and a mark on the time axis; a breach is a mark too.
 */
export function hostCharts(samples: readonly HostSample[]): HostCharts {
  const rows = samples.map((s) => ({ s, t: Date.parse(s.at) })).filter((x) => Number.isFinite(x.t));
  const cpu: Series = { key: 'cpu', label: translate('metric.cpu'), points: rows.map(({ s, t }) => ({ t, v: s.cpu })) };
  const memory: Series = {
    key: 'memory',
    label: translate('metric.memory'),
    points: rows.map(({ s, t }) => ({ t, v: s.memory })),
  };
  const hasSwap = rows.some(({ s }) => s.swap !== null);
  const swap: Series = {
    key: 'swap',
    label: translate('metric.swap'),
    points: rows.map(({ s, t }) => ({ t, v: s.swap })),
  };

  const peak = new Map<string, number>();
  for (const { s } of rows) {
    for (const d of s.disks ?? [])
      if (isChartedMount(d.mount)) peak.set(d.mount, Math.max(peak.get(d.mount) ?? 0, d.usedPercent));
  }
  // Keep "/" and the fullest others.
  const byPeak = [...peak.keys()].sort((a, b) =>
    a === '/' ? -1 : b === '/' ? 1 : (peak.get(b) ?? 0) - (peak.get(a) ?? 0) || a.localeCompare(b),
  );
  const shown = byPeak.slice(0, MAX_DISK_SERIES).sort(mountOrder);
  const hiddenMounts = byPeak.slice(MAX_DISK_SERIES).sort(mountOrder);
  const disk: Series[] = shown.map((mount) => ({
    key: `disk:${mount}`,
    label: mount,
    points: rows.map(({ s, t }) => ({ t, v: s.disks?.find((d) => d.mount === mount)?.usedPercent ?? null })),
  }));

  const marks: TimeMark[] = [];
  for (const { s, t } of rows) {
    if (s.ok) continue;
    const when = new Date(t).toLocaleString(activeLocale());
    marks.push(
      s.error
        ? { t, kind: 'error', title: translate('hostChart.pollFailed', { when, error: s.error }) }
        : { t, kind: 'breach', title: translate('hostChart.breached', { when }) },
    );
  }
  return { cpu: [cpu], memory: hasSwap ? [memory, swap] : [memory], disk, hiddenMounts, marks };
}

// ---------------------------------------------------------------------------------------------
// A poll's metrics as text
// ---------------------------------------------------------------------------------------------

export function percent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${Number.isInteger(v) ? v : v.toFixed(1)} %`;
}

/** 1 KB units -> "12.3 GB". */
export function sizeKb(kb: number): string {
  const units = ['KB', 'MB', 'GB', 'TB', 'PB'];
  let v = kb;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export interface MetricRow {
  label: string;
  value: string;
}

export function metricRows(m: HostMetrics): MetricRow[] {
  const rows: MetricRow[] = [
    { label: translate('metric.cpu'), value: percent(m.cpuPercent) },
    {
      label: translate('metric.load'),
      value: m.load.map((l) => (Number.isFinite(l) ? l.toFixed(2) : '—')).join(' · '),
    },
    { label: translate('metric.memory'), value: percent(m.memoryPercent) },
    {
      label: translate('metric.swap'),
      value: m.swapPercent === null ? translate('common.none') : percent(m.swapPercent),
    },
  ];
  return rows;
}

export function diskRows(
  m: HostMetrics,
): { mount: string; device: string; used: string; size: string; usedPercent: number }[] {
  return m.disks
    .filter(isRealDisk)
    .sort((a, b) => mountOrder(a.mount, b.mount))
    .map((d) => ({
      mount: d.mount,
      device: d.device,
      used: percent(d.usedPercent),
      size: sizeKb(d.sizeKb),
      usedPercent: d.usedPercent,
    }));
}

export function processRows(m: HostMetrics): { name: string; count: number }[] {
  return Object.entries(m.processes ?? {})
    .map(([name, count]) => ({ name, count }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
