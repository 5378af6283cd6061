// Host metrics from the raw text of /proc files, `df -P` and `ps`: the collection script
// the agent runs on a host (over SSH or locally) and the pure parsers for what it prints.
// Script and parsers live together so the section markers cannot drift apart.
// Parsers never throw: a host is untrusted input, so every oddity becomes a typed error.

export interface DiskUsage {
  device: string;
  mount: string;
  sizeKb: number;
  usedPercent: number;
}

export interface HostMetrics {
  cpuPercent: number;
  load: [number, number, number];
  memoryPercent: number;
  /** null when the host has no swap configured. */
  swapPercent: number | null;
  disks: DiskUsage[];
  /** Pattern → number of running processes whose command line contains it. */
  processes: Record<string, number>;
}

export type MetricSource = "stat" | "loadavg" | "meminfo" | "df" | "processes" | "output";

export interface ParseError {
  source: MetricSource;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: ParseError };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (source: MetricSource, message: string): { ok: false; error: ParseError } => ({
  ok: false,
  error: { source, message },
});

function guard<T>(source: MetricSource, fn: () => Parsed<T>): Parsed<T> {
  try {
    return fn();
  } catch (err) {
    // Belt and braces: a parser bug must still surface as a parse error, not crash a run.
    return fail(source, `unexpected input (${err instanceof Error ? err.message : String(err)})`);
  }
}

function asText(input: unknown): string | null {
  return typeof input === "string" ? input : null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

// ---- CPU ------------------------------------------------------------------------------

interface CpuTimes {
  idle: number;
  total: number;
}

function cpuTimes(stat: string): CpuTimes | string {
  const line = stat.split("\n").find((l) => /^cpu\s/.test(l));
  if (!line) return "no aggregate 'cpu' line";
  const fields = line.trim().split(/\s+/).slice(1);
  if (fields.length < 4) return "aggregate 'cpu' line has fewer than 4 counters";
  const nums = fields.slice(0, 8).map(Number);
  if (nums.some((n) => !Number.isFinite(n) || n < 0)) return "aggregate 'cpu' line has a non-numeric counter";
  // user nice system idle iowait irq softirq steal; guest time is already inside user.
  const idle = nums[3] + (nums[4] ?? 0);
  const total = nums.reduce((a, b) => a + b, 0);
  return { idle, total };
}

/** CPU utilisation in percent between two samples of /proc/stat. */
export function parseCpuPercent(first: string, second: string): Parsed<number> {
  return guard("stat", () => {
    const a = asText(first);
    const b = asText(second);
    if (a === null || b === null) return fail("stat", "not text");
    const s1 = cpuTimes(a);
    if (typeof s1 === "string") return fail("stat", `first sample: ${s1}`);
    const s2 = cpuTimes(b);
    if (typeof s2 === "string") return fail("stat", `second sample: ${s2}`);
    const dTotal = s2.total - s1.total;
    const dIdle = s2.idle - s1.idle;
    if (!(dTotal > 0)) return fail("stat", "no CPU time elapsed between the samples");
    if (dIdle < 0 || dIdle > dTotal) return fail("stat", "idle counter went backwards");
    return ok(round1(Math.min(100, Math.max(0, (1 - dIdle / dTotal) * 100))));
  });
}

// ---- load -----------------------------------------------------------------------------

export function parseLoadavg(text: string): Parsed<[number, number, number]> {
  return guard("loadavg", () => {
    const t = asText(text);
    if (t === null) return fail("loadavg", "not text");
    const parts = t.trim().split(/\s+/);
    if (parts.length < 3) return fail("loadavg", "expected three load averages");
    const nums = parts.slice(0, 3).map((p) => (/^\d+(\.\d+)?$/.test(p) ? Number(p) : NaN));
    if (nums.some((n) => !Number.isFinite(n))) return fail("loadavg", "load average is not a number");
    return ok([nums[0], nums[1], nums[2]]);
  });
}

// ---- memory ---------------------------------------------------------------------------

export function parseMeminfo(text: string): Parsed<{ memoryPercent: number; swapPercent: number | null }> {
  return guard("meminfo", () => {
    const t = asText(text);
    if (t === null) return fail("meminfo", "not text");
    const kb = new Map<string, number>();
    for (const line of t.split("\n")) {
      const m = /^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?\s*$/.exec(line);
      if (m) kb.set(m[1], Number(m[2]));
    }
    const total = kb.get("MemTotal");
    if (total === undefined) return fail("meminfo", "no MemTotal");
    if (!(total > 0)) return fail("meminfo", "MemTotal is 0");
    // Kernels before 3.14 have no MemAvailable; this is the estimate psutil falls back to.
    let available = kb.get("MemAvailable");
    if (available === undefined) {
      const free = kb.get("MemFree");
      if (free === undefined) return fail("meminfo", "neither MemAvailable nor MemFree");
      available = free + (kb.get("Buffers") ?? 0) + (kb.get("Cached") ?? 0);
    }
    const memoryPercent = round1(Math.min(100, Math.max(0, ((total - available) / total) * 100)));
    const swapTotal = kb.get("SwapTotal");
    const swapFree = kb.get("SwapFree");
    let swapPercent: number | null = null;
    if (swapTotal !== undefined && swapTotal > 0) {
      if (swapFree === undefined) return fail("meminfo", "SwapTotal without SwapFree");
      swapPercent = round1(Math.min(100, Math.max(0, ((swapTotal - swapFree) / swapTotal) * 100)));
    }
    return ok({ memoryPercent, swapPercent });
  });
}

// ---- disks ----------------------------------------------------------------------------

// POSIX df output never wraps; the mount point is the rest of the line, so it may hold spaces.
const DF_LINE = /^(\S.*?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;

/** `df -P` (or `df -Pk`) output → one entry per mounted filesystem. */
export function parseDf(text: string): Parsed<DiskUsage[]> {
  return guard("df", () => {
    const t = asText(text);
    if (t === null) return fail("df", "not text");
    const lines = t.split("\n").filter((l) => l.trim() !== "");
    if (lines.length === 0) return fail("df", "no output");
    const header = lines[0];
    const blocks = /(\d+)-blocks/.exec(header);
    if (!/^Filesystem\s/.test(header) || !blocks) return fail("df", "missing 'Filesystem … N-blocks' header");
    const blockKb = Number(blocks[1]) / 1024;
    if (!(blockKb > 0)) return fail("df", "bad block size in header");
    const disks: DiskUsage[] = [];
    for (const line of lines.slice(1)) {
      const m = DF_LINE.exec(line);
      if (!m) continue; // error lines df prints for unreadable mounts
      const size = Number(m[2]);
      const used = Number(m[3]);
      const avail = Number(m[4]);
      // Like psutil (the original agent): used / (used + available), which leaves out the
      // blocks reserved for root, so a "full" disk reads 100 here as it does in df.
      const base = used + avail;
      let usedPercent = base > 0 ? (used / base) * 100 : 0;
      if (base === 0 && m[5] !== "-") usedPercent = Number(m[5].slice(0, -1));
      disks.push({
        device: m[1],
        mount: m[6],
        sizeKb: Math.round(size * blockKb),
        usedPercent: round1(Math.min(100, usedPercent)),
      });
    }
    if (disks.length === 0) return fail("df", "no filesystem lines");
    return ok(disks);
  });
}

// ---- processes ------------------------------------------------------------------------

/** `ps -eo args=` → command lines, without kernel threads (shown as "[name]"). */
export function parsePsArgs(text: string): Parsed<string[]> {
  return guard("processes", () => {
    const t = asText(text);
    if (t === null) return fail("processes", "not text");
    return ok(
      t
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "" && !/^\[.*\]$/.test(l)),
    );
  });
}

/** `ps -eo pid=,ppid=,args=` → command lines, leaving out the collecting shell, its
 * children (ps itself) and its parent (our own SSH session), which would otherwise
 * match patterns found in the collection script. */
export function parsePsTable(text: string, self?: { pid: number; ppid: number }): Parsed<string[]> {
  return guard("processes", () => {
    const t = asText(text);
    if (t === null) return fail("processes", "not text");
    const out: string[] = [];
    for (const line of t.split("\n")) {
      if (line.trim() === "") continue;
      const m = /^\s*(\d+)\s+(\d+)\s?(.*)$/.exec(line);
      if (!m) return fail("processes", "line without pid and ppid");
      const pid = Number(m[1]);
      const ppid = Number(m[2]);
      if (self && (pid === self.pid || ppid === self.pid || pid === self.ppid)) continue;
      const args = m[3].trim();
      if (args === "" || /^\[.*\]$/.test(args)) continue;
      out.push(args);
    }
    return ok(out);
  });
}

/** NUL-separated /proc/PID/cmdline contents, one process a line, optionally prefixed by
 * "PID\0" → command lines with arguments joined by spaces; empty ones are kernel threads. */
export function parseCmdlines(text: string, self?: { pid: number; ppid: number }): Parsed<string[]> {
  return guard("processes", () => {
    const t = asText(text);
    if (t === null) return fail("processes", "not text");
    const out: string[] = [];
    for (const line of t.split("\n")) {
      let parts = line.split("\0");
      if (self && /^\d+$/.test(parts[0]) && parts.length > 1) {
        const pid = Number(parts[0]);
        if (pid === self.pid || pid === self.ppid) continue;
        parts = parts.slice(1);
      }
      const cmd = parts
        .filter((p) => p !== "")
        .join(" ")
        .trim();
      if (cmd !== "") out.push(cmd);
    }
    return ok(out);
  });
}

/** Number of command lines containing each pattern (substring match, as the original). */
export function countProcesses(cmdlines: readonly string[], patterns: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.create(null);
  for (const p of patterns) counts[p] = p === "" ? 0 : cmdlines.filter((c) => c.includes(p)).length;
  return { ...counts };
}

// ---- the collection script -------------------------------------------------------------

/** Sections, in the order the script prints them. */
const SECTIONS = ["self", "stat1", "stat2", "loadavg", "meminfo", "df", "ps", "cmdline", "end"] as const;
type Section = (typeof SECTIONS)[number];

/** The POSIX sh script that prints every source between `@@<token>:<section>` markers.
 * It is fed on stdin (`sh -s`) so its text never shows up in the process list. */
export function collectionScript(token: string): string {
  const mark = (s: Section) => `echo '@@${token}:${s}'`;
  return [
    "LC_ALL=C; export LC_ALL",
    mark("self"),
    'echo "$$ $PPID"',
    mark("stat1"),
    "cat /proc/stat",
    "sleep 1",
    mark("stat2"),
    "cat /proc/stat",
    mark("loadavg"),
    "cat /proc/loadavg",
    mark("meminfo"),
    "cat /proc/meminfo",
    mark("df"),
    // -k pins 1024-byte blocks even under POSIXLY_CORRECT; stderr carries unreadable mounts.
    "df -Pk 2>/dev/null",
    // busybox and minimal images may lack a full ps: fall back to /proc/PID/cmdline.
    "if ps -ww -eo pid=,ppid=,args= >/dev/null 2>&1; then",
    `  ${mark("ps")}`,
    "  ps -ww -eo pid=,ppid=,args=",
    "else",
    `  ${mark("cmdline")}`,
    "  for d in /proc/[0-9]*; do printf '%s\\0' \"${d#/proc/}\"; cat \"$d/cmdline\" 2>/dev/null; printf '\\n'; done",
    "fi",
    mark("end"),
    "",
  ].join("\n");
}

/** Splits the script's output into its sections; unknown or repeated markers are errors. */
export function splitSections(output: string, token: string): Parsed<Partial<Record<Section, string>>> {
  return guard("output", () => {
    const t = asText(output);
    if (t === null) return fail("output", "not text");
    const prefix = `@@${token}:`;
    const sections: Partial<Record<Section, string>> = {};
    let current: Section | null = null;
    let buf: string[] = [];
    for (const line of t.split("\n")) {
      if (line.startsWith(prefix)) {
        const name = line.slice(prefix.length).trim() as Section;
        if (!SECTIONS.includes(name)) return fail("output", `unknown section marker '${name.slice(0, 40)}'`);
        if (current) sections[current] = buf.join("\n");
        if (sections[name] !== undefined) return fail("output", `section '${name}' printed twice`);
        current = name;
        buf = [];
      } else if (current) {
        buf.push(line);
      }
    }
    if (current) sections[current] = buf.join("\n");
    return ok(sections);
  });
}

/** The whole collection output → HostMetrics, or the first parse error. */
export function parseCollection(output: string, token: string, patterns: readonly string[]): Parsed<HostMetrics> {
  return guard("output", () => {
    const split = splitSections(output, token);
    if (!split.ok) return split;
    const s = split.value;
    if (s.end === undefined) return fail("output", "output ended early (no end marker)");
    for (const need of ["stat1", "stat2", "loadavg", "meminfo", "df"] as const) {
      if (s[need] === undefined) return fail("output", `missing section '${need}'`);
    }
    const selfMatch = /^\s*(\d+)\s+(\d+)/.exec(s.self ?? "");
    const self = selfMatch ? { pid: Number(selfMatch[1]), ppid: Number(selfMatch[2]) } : undefined;
    const cpu = parseCpuPercent(s.stat1!, s.stat2!);
    if (!cpu.ok) return cpu;
    const load = parseLoadavg(s.loadavg!);
    if (!load.ok) return load;
    const mem = parseMeminfo(s.meminfo!);
    if (!mem.ok) return mem;
    const disks = parseDf(s.df!);
    if (!disks.ok) return disks;
    const procs =
      s.ps !== undefined
        ? parsePsTable(s.ps, self)
        : s.cmdline !== undefined
          ? parseCmdlines(s.cmdline, self)
          : fail("processes", "missing process list");
    if (!procs.ok) return procs;
    return ok({
      cpuPercent: cpu.value,
      load: load.value,
      memoryPercent: mem.value.memoryPercent,
      swapPercent: mem.value.swapPercent,
      disks: disks.value,
      processes: countProcesses(procs.value, patterns),
    });
  });
}
