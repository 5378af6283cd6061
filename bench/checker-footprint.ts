// The checker's footprint on MariaDB: how many bytes each watched monitor costs, and how long a
// checker takes from its start to "checker watching N monitors" with a million of them.
//
//   node --expose-gc bench/checker-footprint.ts [--monitors 1000000] [--runs 3]
//
// (1) Memory: the checker service runs in this process (in a broker of its own, no
//     transporter); gc() is forced before and after it loads the monitors, and the growth of
//     the JavaScript heap plus the ArrayBuffers (typed arrays live outside the heap) is
//     divided by the number of monitors it watches.
// (2) Cold start: `node bin/start.ts` with SERVICES=checker, started --runs times; the time from
//     the spawn to its log line "checker watching N monitors", and the load time it logs itself.
//
// The monitors are written straight into a scratch database with LOAD DATA LOCAL INFILE.

import { parseArgs } from "node:util";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { ServiceBroker } from "moleculer";
import { scratchDatabase, needs } from "../test/support/services.ts";
import { startProcess, stopProcess, waitOutput } from "../test/support/system.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { systemClock } from "../core/checker/clock.ts";
import checkerService from "../services/checker/checker.service.ts";
import type { ServiceDeps } from "../services/deps.ts";

if (typeof globalThis.gc !== "function") {
  // Re-run with the flag: the heap figures mean nothing without forced collections.
  const r = spawnSync(
    process.execPath,
    ["--expose-gc", ...process.execArgv, import.meta.filename, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(r.status ?? 1);
}
const gc = globalThis.gc as () => void;

const { values } = parseArgs({
  options: { monitors: { type: "string", default: "1000000" }, runs: { type: "string", default: "3" } },
});
const n = Number(values.monitors);
const runs = Number(values.runs);

const skip = await needs(["mariadb"]);
if (skip) {
  console.log(`checker footprint: skipped (${skip})`);
  process.exit(0);
}

const scratch = await scratchDatabase();
try {
  const db = await openDatabase(scratch.url);
  await migrate(db);
  await db.close();

  // 1. A million monitors, straight into the table: up, late somewhere in the next hour.
  const t0 = Date.now();
  await bulkLoad(scratch.url, n);
  const insertMs = Date.now() - t0;
  console.log(`inserted ${n} monitors in ${insertMs} ms`);

  // 2. Memory per monitor, in this process.
  const mem = await heapPerMonitor(scratch.url, n);

  // 3. Cold start of a checker process.
  const starts: { totalMs: number; loadMs: number | null }[] = [];
  for (let i = 0; i < runs; i++) starts.push(await coldStart(scratch.url, n));
  const best = [...starts].sort((a, b) => a.totalMs - b.totalMs)[0]!;
  const median = [...starts].sort((a, b) => a.totalMs - b.totalMs)[Math.floor(starts.length / 2)]!;

  console.log(
    `\nchecker's footprint, ${n} monitors on MariaDB, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}\n`,
  );
  console.log("| figure | value |");
  console.log("| --- | ---: |");
  console.log(`| JS heap per monitor | ${mem.heapPerMonitor.toFixed(1)} B |`);
  console.log(`| ArrayBuffers per monitor | ${mem.buffersPerMonitor.toFixed(1)} B |`);
  console.log(`| heap + ArrayBuffers per monitor | ${mem.perMonitor.toFixed(1)} B |`);
  console.log(`| peak RSS growth while loading | ${(mem.rssPeakGrowth / 2 ** 20).toFixed(0)} MiB |`);
  console.log(`| in-process load (broker.start) | ${mem.loadMs} ms |`);
  console.log(`| cold start, spawn → "watching ${n}" (median of ${runs}) | ${median.totalMs} ms |`);
  console.log(`| cold start, best | ${best.totalMs} ms |`);
  console.log(`| of which the load (checker's own log) | ${median.loadMs ?? "n/a"} ms |`);
  fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
  fs.writeFileSync(
    path.join(import.meta.dirname, "results", "checker-footprint.json"),
    JSON.stringify(
      {
        monitors: n,
        cores: os.cpus().length,
        load: os.loadavg()[0],
        insertMs,
        memory: mem,
        coldStarts: starts,
        coldStartMedianMs: median.totalMs,
      },
      null,
      2,
    ),
  );
} finally {
  await scratch.drop();
}

/** LOAD DATA LOCAL INFILE of a generated tab-separated file; the secondary indexes are built after. */
async function bulkLoad(url: string, count: number): Promise<void> {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hb-footprint-")), "monitors.tsv");
  const now = Date.now();
  const out = fs.createWriteStream(file);
  let chunk = "";
  for (let i = 1; i <= count; i++) {
    const ping = now - 60_000;
    const late = now + 60_000 + ((i * 7919) % 3_600_000);
    chunk += `c${i.toString(36).padStart(10, "0")}\tm${i}\tinterval\t60\t3600\tUTC\tgrace\tup\t${ping}\t${ping}\t${late}\t${late + 3_600_000}\t${ping}\t0\t${ping}\t${ping}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await new Promise<void>((r) => out.once("drain", () => r()));
      chunk = "";
    }
  }
  out.end(chunk);
  await new Promise<void>((r) => out.once("finish", () => r()));
  const conn = await mysql.createConnection({
    uri: url,
    infileStreamFactory: () => fs.createReadStream(file),
  } as never);
  try {
    await conn.query("SET unique_checks = 0, foreign_key_checks = 0");
    await conn.query(
      `LOAD DATA LOCAL INFILE '${file}' INTO TABLE monitors (code, name, schedule_kind, period_seconds, grace_seconds, timezone, deadline, status, armed_at, last_ping_at, late_at, down_at, status_changed_at, ping_count, created_at, updated_at)`,
    );
  } finally {
    await conn.end();
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

async function heapPerMonitor(url: string, count: number) {
  const db = await openDatabase(url);
  await db.ping();
  const broker = new ServiceBroker({ logger: false, metrics: false });
  broker.createService(
    checkerService({
      config: {} as ServiceDeps["config"],
      db,
      clock: systemClock,
      channels: {} as ServiceDeps["channels"],
      secrets: {} as ServiceDeps["secrets"],
    }),
  );
  for (let i = 0; i < 3; i++) gc();
  const before = process.memoryUsage();
  let rssPeak = before.rss;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
  const started = Date.now();
  await broker.start();
  const loadMs = Date.now() - started;
  clearInterval(sampler);
  const status = (await broker.call("checker.status")) as { watched: number };
  for (let i = 0; i < 3; i++) gc();
  const after = process.memoryUsage();
  await broker.stop();
  await db.close();
  if (status.watched !== count) throw new Error(`the checker watches ${status.watched} monitors, not ${count}`);
  const heap = after.heapUsed - before.heapUsed;
  const buffers = after.arrayBuffers - before.arrayBuffers;
  return {
    watched: status.watched,
    loadMs,
    heapBytes: heap,
    arrayBufferBytes: buffers,
    heapPerMonitor: heap / count,
    buffersPerMonitor: buffers / count,
    perMonitor: (heap + buffers) / count,
    rssPeakGrowth: rssPeak - before.rss,
  };
}

async function coldStart(url: string, count: number): Promise<{ totalMs: number; loadMs: number | null }> {
  const started = Date.now();
  const proc = startProcess("checker", { SERVICES: "checker", DATABASE_URL: url, LOG_LEVEL: "info" });
  try {
    await waitOutput(proc, new RegExp(`checker watching ${count} monitors`), 120_000);
    const totalMs = Date.now() - started;
    const m = proc.output.join("").match(/checker watching \d+ monitors \([^)]*\), loaded in (\d+) ms/);
    return { totalMs, loadMs: m ? Number(m[1]) : null };
  } finally {
    await stopProcess(proc);
  }
}
