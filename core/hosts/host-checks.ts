// Host checks: the expressions an agent config lists per host ("cpu > 90",
// "disk:/ > 90", "process:nginx >= 1"), their evaluation against HostMetrics, and the
// two failure texts a run reports: the original tool's one-line format and our own.
//
// Resource checks state the ALARM condition (breach when true), process checks state the
// EXPECTATION (breach when false): "cpu > 90" and "process:nginx >= 1" both read the way
// people write them.

import type { DiskUsage, HostMetrics } from "./host-metrics.ts";

export type Operator = ">" | ">=" | "<" | "<=" | "==" | "!=";

export type CheckMetric =
  | { kind: "cpu" }
  | { kind: "memory" }
  | { kind: "swap" }
  | { kind: "load"; window: 1 | 5 | 15 }
  /** mount null: every real filesystem. */
  | { kind: "disk"; mount: string | null }
  | { kind: "process"; pattern: string };

export interface Check {
  text: string;
  metric: CheckMetric;
  op: Operator;
  threshold: number;
}

export interface Breach {
  check: Check;
  /** null when the thing checked is absent (a disk:/mount that is not mounted). */
  observed: number | null;
  disk?: { device: string; mount: string };
}

export type HostErrorKind = "auth" | "hostkey" | "unreachable" | "timeout" | "parse";

export interface HostError {
  kind: HostErrorKind;
  error: string;
}

const OPS: readonly Operator[] = [">=", "<=", "==", "!=", ">", "<"];

const CHECK_RE = /^\s*([a-z0-9]+)(?::(.+?))?\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)\s*%?\s*$/i;

export function parseCheck(text: unknown): { ok: true; check: Check } | { ok: false; error: string } {
  if (typeof text !== "string") return { ok: false, error: 'a check must be a string like "cpu > 90"' };
  const m = CHECK_RE.exec(text);
  if (!m)
    return {
      ok: false,
      error: `cannot read check "${text.slice(0, 80)}": expected <metric> <${OPS.join("|")}> <number>, e.g. "cpu > 90", "disk:/ > 90", "process:nginx >= 1"`,
    };
  const name = m[1].toLowerCase();
  const arg = m[2]?.trim();
  const op = m[3] as Operator;
  const threshold = Number(m[4]);
  let metric: CheckMetric;
  switch (name) {
    case "cpu":
    case "memory":
    case "mem":
    case "swap":
      if (arg !== undefined) return { ok: false, error: `"${name}" takes no ":" argument` };
      metric = { kind: name === "mem" ? "memory" : name };
      break;
    case "load1":
    case "load5":
    case "load15":
      if (arg !== undefined) return { ok: false, error: `"${name}" takes no ":" argument` };
      metric = { kind: "load", window: Number(name.slice(4)) as 1 | 5 | 15 };
      break;
    case "disk":
      if (arg !== undefined && !arg.startsWith("/"))
        return { ok: false, error: `disk mount must be an absolute path, got "${arg}"` };
      metric = { kind: "disk", mount: arg ?? null };
      break;
    case "process":
      if (!arg) return { ok: false, error: `process checks name a pattern: "process:nginx >= 1"` };
      metric = { kind: "process", pattern: arg };
      break;
    default:
      return {
        ok: false,
        error: `unknown metric "${name}": use cpu, memory, swap, load1, load5, load15, disk, disk:/mount or process:name`,
      };
  }
  return { ok: true, check: { text: text.trim(), metric, op, threshold } };
}

function compare(value: number, op: Operator, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

// Filesystems whose fullness is no alarm: memory-backed ones, and read-only images
// (snap squashfs loops are always 100%). The original agent skipped them too (psutil's
// disk_partitions(all=False) lists physical devices only).
const PSEUDO_DEVICES = new Set([
  "tmpfs",
  "devtmpfs",
  "udev",
  "none",
  "shm",
  "proc",
  "sysfs",
  "cgroup",
  "cgroup2",
  "devpts",
  "mqueue",
]);

export function isRealFilesystem(d: DiskUsage): boolean {
  if (d.sizeKb === 0) return false;
  if (PSEUDO_DEVICES.has(d.device)) return false;
  if (/^\/dev\/loop\d+$/.test(d.device)) return false;
  return true;
}

export function evaluate(checks: readonly Check[], metrics: HostMetrics): Breach[] {
  const breaches: Breach[] = [];
  for (const check of checks) {
    const m = check.metric;
    const alarm = (value: number) => {
      if (compare(value, check.op, check.threshold)) breaches.push({ check, observed: value });
    };
    switch (m.kind) {
      case "cpu":
        alarm(metrics.cpuPercent);
        break;
      case "memory":
        alarm(metrics.memoryPercent);
        break;
      case "swap":
        alarm(metrics.swapPercent ?? 0);
        break;
      case "load":
        alarm(metrics.load[m.window === 1 ? 0 : m.window === 5 ? 1 : 2]);
        break;
      case "disk": {
        if (m.mount !== null) {
          const d = metrics.disks.find((x) => x.mount === m.mount);
          if (!d) breaches.push({ check, observed: null });
          else if (compare(d.usedPercent, check.op, check.threshold))
            breaches.push({ check, observed: d.usedPercent, disk: { device: d.device, mount: d.mount } });
        } else {
          for (const d of metrics.disks.filter(isRealFilesystem)) {
            if (compare(d.usedPercent, check.op, check.threshold))
              breaches.push({ check, observed: d.usedPercent, disk: { device: d.device, mount: d.mount } });
          }
        }
        break;
      }
      case "process": {
        const count = metrics.processes[m.pattern] ?? 0;
        if (!compare(count, check.op, check.threshold)) breaches.push({ check, observed: count });
        break;
      }
    }
  }
  return breaches;
}

/** Patterns a check list needs counted by the collector; check texts are parsed first
 * (unreadable ones contribute nothing: they are rejected where they are entered). */
export function processPatterns(checks: readonly (Check | string)[]): string[] {
  const parsed = checks.flatMap((c) => {
    if (typeof c !== "string") return [c];
    const r = parseCheck(c);
    return r.ok ? [r.check] : [];
  });
  return [...new Set(parsed.flatMap((c) => (c.metric.kind === "process" ? [c.metric.pattern] : [])))];
}

export interface OriginalBasic {
  MEM?: number;
  DISK?: number;
  CPU?: number;
}

/** The original config's BASIC thresholds and PROCESS list as checks. */
export function originalChecks(
  basic: OriginalBasic | null | undefined,
  processes: readonly string[] | null | undefined,
): Check[] {
  const texts: string[] = [];
  if (typeof basic?.CPU === "number") texts.push(`cpu > ${basic.CPU}`);
  if (typeof basic?.MEM === "number") texts.push(`memory > ${basic.MEM}`);
  if (typeof basic?.DISK === "number") texts.push(`disk > ${basic.DISK}`);
  const checks = texts.map((t) => (parseCheck(t) as { ok: true; check: Check }).check);
  // Built directly: a process name may contain characters the expression syntax would trip on.
  for (const p of processes ?? [])
    checks.push({ text: `process:${p} >= 1`, metric: { kind: "process", pattern: String(p) }, op: ">=", threshold: 1 });
  return checks;
}

/** Python's str(round(x, 1)) for a float: "85.0", "97.3". */
function pyFloat(n: number): string {
  return (Math.round(n * 10) / 10).toFixed(1);
}

/** The original agent's per-host text: "<ip>:cpu:97.3,mem:88.0,/dev/sda1:93.5,process:nginx",
 * or "<ip>:<error, first 100 characters>"; null when the host is fine. */
export function originalFailureText(ip: string, result: readonly Breach[] | HostError): string | null {
  if (!Array.isArray(result)) return `${ip}:${(result as HostError).error.slice(0, 100)}`;
  const items: string[] = [];
  for (const b of result as readonly Breach[]) {
    const m = b.check.metric;
    const v = b.observed === null ? "missing" : pyFloat(b.observed);
    switch (m.kind) {
      case "cpu":
        items.push(`cpu:${v}`);
        break;
      case "memory":
        items.push(`mem:${v}`);
        break;
      case "swap":
        items.push(`swap:${v}`);
        break;
      case "load":
        items.push(`load${m.window}:${b.observed ?? "missing"}`);
        break;
      case "disk":
        items.push(`${b.disk?.device ?? m.mount}:${v}`);
        break;
      case "process":
        items.push(`process:${m.pattern}`);
        break;
    }
  }
  return items.length === 0 ? null : `${ip}:${items.join(",")}`;
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function breachLine(b: Breach): string {
  const m = b.check.metric;
  const t = num(b.check.threshold);
  const obs = b.observed;
  switch (m.kind) {
    case "cpu":
    case "memory":
    case "swap":
      return `${m.kind} ${num(obs!)}% ${b.check.op} ${t}%`;
    case "load":
      return `load${m.window} ${num(obs!)} ${b.check.op} ${t}`;
    case "disk":
      if (obs === null) return `disk ${m.mount}: not mounted`;
      return `disk ${b.disk!.mount} ${num(obs)}% ${b.check.op} ${t}%${m.mount === null ? ` (${b.disk!.device})` : ""}`;
    case "process":
      return `process ${m.pattern}: ${obs} running, expected ${b.check.op} ${t}`;
  }
}

/** Our detailed report for one host: one line per breach, "<host>: cpu 97.2% > 90%";
 * an empty string when the host is fine. */
export function failureReport(hostName: string, result: readonly Breach[] | HostError): string {
  if (!Array.isArray(result)) return `${hostName}: ${(result as HostError).error}`;
  return (result as readonly Breach[]).map((b) => `${hostName}: ${breachLine(b)}`).join("\n");
}
