// Parsers of host outputs, on outputs captured from a real Linux host
// (test/fixtures/host-outputs) plus hand-made garbage, truncation and size extremes.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  collectionScript,
  countProcesses,
  parseCmdlines,
  parseCollection,
  parseCpuPercent,
  parseDf,
  parseLoadavg,
  parseMeminfo,
  parsePsArgs,
  parsePsTable,
  splitSections,
} from "../../core/hosts/host-metrics.ts";

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/host-outputs");
const fx = (name: string) => fs.readFileSync(path.join(dir, name), "utf8");

test("cpu percent from two real /proc/stat samples", () => {
  const r = parseCpuPercent(fx("proc-stat-1.txt"), fx("proc-stat-2.txt"));
  assert.ok(r.ok, JSON.stringify(r));
  assert.ok(r.value >= 0 && r.value <= 100);
});

test("cpu percent arithmetic: idle and iowait count as idle", () => {
  const a = "cpu  100 0 100 700 100 0 0 0 0 0\n";
  const b = "cpu  150 0 150 750 150 0 0 0 0 0\n";
  const r = parseCpuPercent(a, b);
  assert.deepEqual(r, { ok: true, value: 50 });
});

test("cpu percent: errors for missing line, equal samples, backwards counters, garbage", () => {
  const line = "cpu  1 2 3 4 5 6 7 8 0 0";
  for (const [a, b, msg] of [
    ["", line, /first sample/],
    [line, "intr 1 2 3", /second sample/],
    [line, line, /no CPU time/],
    ["cpu  1 2 3 x", line, /non-numeric/],
    ["cpu 1 2", line, /fewer than 4/],
  ] as const) {
    const r = parseCpuPercent(a, b);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.error.source, "stat");
      assert.match(r.error.message, msg);
    }
  }
});

test("loadavg: real and garbage", () => {
  const r = parseLoadavg(fx("proc-loadavg.txt"));
  assert.ok(r.ok);
  assert.equal(r.value.length, 3);
  assert.deepEqual(parseLoadavg("1.50 2.00 0.25 1/100 42\n"), { ok: true, value: [1.5, 2, 0.25] });
  assert.equal(parseLoadavg("").ok, false);
  assert.equal(parseLoadavg("1.0 nan 2").ok, false);
  assert.equal(parseLoadavg("1.0 2.0").ok, false);
});

test("meminfo: real host (no swap) and computed percentages", () => {
  const r = parseMeminfo(fx("proc-meminfo.txt"));
  assert.ok(r.ok);
  assert.ok(r.value.memoryPercent > 0 && r.value.memoryPercent < 100);
  assert.equal(r.value.swapPercent, null);
  const t = "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 250 kB\nSwapTotal: 400 kB\nSwapFree: 300 kB\n";
  assert.deepEqual(parseMeminfo(t), { ok: true, value: { memoryPercent: 75, swapPercent: 25 } });
});

test("meminfo: old kernels without MemAvailable fall back to free + buffers + cached", () => {
  const t = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 50 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n";
  assert.deepEqual(parseMeminfo(t), { ok: true, value: { memoryPercent: 80, swapPercent: null } });
});

test("meminfo: garbage and truncation are errors", () => {
  assert.equal(parseMeminfo("").ok, false);
  assert.equal(parseMeminfo("MemTotal: 0 kB\nMemAvailable: 0 kB").ok, false);
  assert.equal(parseMeminfo("MemTotal: 1000 kB\n").ok, false);
  assert.equal(parseMeminfo("MemTotal: 1000 kB\nMemAvailable: 10 kB\nSwapTotal: 10 kB\n").ok, false);
});

test("df -P: real output", () => {
  const r = parseDf(fx("df-P.txt"));
  assert.ok(r.ok);
  const root = r.value.find((d) => d.mount === "/");
  assert.ok(root);
  assert.ok(root.sizeKb > 0);
  assert.ok(root.usedPercent > 0 && root.usedPercent < 100);
});

test("df -P: mounts with spaces, 512-byte blocks, error lines, used/(used+avail)", () => {
  const t = [
    "Filesystem     512-blocks      Used Available Capacity Mounted on",
    "/dev/sdb1         2000         900      100      90% /mnt/My Disk",
    "df: /mnt/gone: Stale file handle",
    "/dev/sda1         1000          0        0       -  /empty",
  ].join("\n");
  const r = parseDf(t);
  assert.ok(r.ok);
  assert.deepEqual(r.value[0], { device: "/dev/sdb1", mount: "/mnt/My Disk", sizeKb: 1000, usedPercent: 90 });
  assert.equal(r.value[1].usedPercent, 0);
  assert.equal(r.value.length, 2);
});

test("df -P: missing header, no lines, garbage", () => {
  assert.match((parseDf("") as any).error.message, /no output/);
  assert.match((parseDf("/dev/sda1 1 1 1 1% /") as any).error.message, /header/);
  assert.match(
    (parseDf("Filesystem 1024-blocks Used Available Capacity Mounted on\nnonsense") as any).error.message,
    /no filesystem/,
  );
});

test("processes: ps -eo args= drops kernel threads and counts substrings", () => {
  const r = parsePsArgs(fx("ps-args.txt"));
  assert.ok(r.ok);
  assert.ok(!r.value.some((l) => /^\[.*\]$/.test(l)));
  const counts = countProcesses(r.value, ["postgres", "no-such-process-xyz"]);
  assert.ok(counts.postgres >= 1);
  assert.equal(counts["no-such-process-xyz"], 0);
});

test("processes: NUL-separated /proc/*/cmdline matches ps", () => {
  const r = parseCmdlines(fx("proc-cmdlines.bin"));
  assert.ok(r.ok);
  assert.ok(r.value.some((c) => c.startsWith("/usr/lib/postgresql/15/bin/postgres -D ")));
  assert.ok(r.value.every((c) => !c.includes("\0")));
  // "PID\0" prefixes let the collector leave itself out.
  const own = parseCmdlines("10\0sh\0-s\0\n11\0nginx: master\0\n12\0\n", { pid: 10, ppid: 9 });
  assert.deepEqual(own, { ok: true, value: ["nginx: master"] });
});

test("processes: pid/ppid table leaves out the collecting shell, its children and its parent", () => {
  const t =
    "  1     0 /sbin/init\n  9     1 sshd: root@notty\n 10     9 /bin/sh -s\n 11    10 ps -ww -eo pid=,ppid=,args=\n 12     1 nginx: worker process\n 13     2 [kworker/0:1]\n";
  assert.deepEqual(parsePsTable(t, { pid: 10, ppid: 9 }), { ok: true, value: ["/sbin/init", "nginx: worker process"] });
  assert.equal(parsePsTable("garbage line\n").ok, false);
  assert.deepEqual(countProcesses(["a nginx b", "nginx", "x"], ["nginx", "", "y"]), { nginx: 2, "": 0, y: 0 });
});

function fakeOutput(token: string, over: Record<string, string> = {}): string {
  const s: Record<string, string> = {
    self: "10 9",
    stat1: fx("proc-stat-1.txt"),
    stat2: fx("proc-stat-2.txt"),
    loadavg: fx("proc-loadavg.txt"),
    meminfo: fx("proc-meminfo.txt"),
    df: fx("df-P.txt"),
    ps: " 1 0 /sbin/init\n 12 1 nginx: master process\n",
    end: "",
    ...over,
  };
  return Object.entries(s)
    .map(([k, v]) => `@@${token}:${k}\n${v}`)
    .join("\n");
}

test("whole collection output → HostMetrics", () => {
  const r = parseCollection(fakeOutput("T1"), "T1", ["nginx", "mysqld"]);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value.processes, { nginx: 1, mysqld: 0 });
  assert.ok(r.value.disks.some((d) => d.mount === "/"));
  assert.ok(collectionScript("T1").includes("@@T1:end"));
});

test("collection output: truncation, missing and duplicated sections are errors", () => {
  const full = fakeOutput("T2");
  const cut = full.slice(0, full.indexOf("@@T2:df"));
  assert.match((parseCollection(cut, "T2", []) as any).error.message, /ended early/);
  const noMem = fakeOutput("T2", {}).replace("@@T2:meminfo", "@@T2:bogus");
  assert.match((parseCollection(noMem, "T2", []) as any).error.message, /unknown section/);
  assert.match((splitSections("@@T3:df\n@@T3:df\n", "T3") as any).error.message, /twice/);
  assert.match(
    (parseCollection(fakeOutput("T4", { ps: "" }).replace("@@T4:ps", "@@T4:loadavg"), "T4", []) as any).error.message,
    /twice/,
  );
  assert.equal(parseCollection("", "T5", []).ok, false);
});

test("huge inputs parse without blowing up", () => {
  const lines = Array.from({ length: 100_000 }, (_, i) => `${i + 100} 1 worker-${i % 7} --flag`).join("\n");
  const r = parsePsTable(lines);
  assert.ok(r.ok);
  assert.equal(countProcesses(r.value, ["worker-3"])["worker-3"], Math.ceil((100_000 - 3) / 7));
  const huge = "x".repeat(5_000_000);
  assert.equal(parseMeminfo(huge).ok, false);
  assert.equal(parseDf(huge).ok, false);
  assert.equal(parseCollection(huge, "T", ["a"]).ok, false);
});

test("fuzz: no parser throws on random input", () => {
  const alphabet = "cpu MemTotal:kB 0123456789 .%/\n\0\t-@@Tx:stat1end[]Filesystem 1024-blocks é\u0000\uffff";
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const str = () =>
    Array.from({ length: Math.floor(rand() * 300) }, () => alphabet[Math.floor(rand() * alphabet.length)]).join("");
  const weird: unknown[] = [undefined, null, 42, {}, [], "\0".repeat(10)];
  for (let i = 0; i < 2000; i++) {
    const a = i < weird.length ? (weird[i] as string) : str();
    const b = str();
    for (const r of [
      parseCpuPercent(a, b),
      parseLoadavg(a),
      parseMeminfo(a),
      parseDf(a),
      parsePsArgs(a),
      parsePsTable(a),
      parseCmdlines(a),
      parseCollection(a, "Tx", ["cpu"]),
      splitSections(a, "Tx"),
    ]) {
      assert.equal(typeof r.ok, "boolean");
      if (!r.ok) assert.equal(typeof r.error.message, "string");
    }
  }
});
