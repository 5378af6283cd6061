// Detection delay on the embedded default (one process, SQLite): N monitors whose deadlines
// are spread over a minute go late one after the other, while — in the "load" runs —
// autocannon sends /ping/CODE as fast as the system answers (100 connections, over 10,000
// other monitors; every answer waits for its durable write). The delay of each monitor is the
// time from its deadline to its flip (`flips.flipped_at`, stamped under the write lock, in the
// transaction that stores it); p50/p99/max are printed. The checker's own histogram (deadline
// to commit, heartbeats_checker_lag_seconds) is scraped as a cross-check that includes the commit.
//
//   node bench/detection.ts [--monitors 100000,1000000] [--spread-ms 60000] [--load off,on]
//                           [--connections 100] [--ping-monitors 10000]
//
// The monitors are written straight into the SQLite file (multi-row INSERTs of 2,000 rows in
// one transaction) before the system starts.

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { DatabaseSync } from "node:sqlite";
import { freePort, startProcess, stopProcess, waitReady, waitOutput } from "../test/support/system.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";

const { values } = parseArgs({
  options: {
    monitors: { type: "string", default: "100000,1000000" },
    "spread-ms": { type: "string", default: "60000" },
    load: { type: "string", default: "off,on" },
    connections: { type: "string", default: "100" },
    "ping-monitors": { type: "string", default: "10000" },
    keep: { type: "boolean", default: false },
    /** a directory: the system runs with --cpu-prof and writes its profile there */
    profile: { type: "string" },
    /**
     * OPS_PORT on: Prometheus metrics, and the checker's deadline-to-commit histogram is read at
     * the end. Off by default, as in `npm start`: Moleculer's own event metrics keep every
     * sample of the last minute for quantiles, which a million flips make costly.
     */
    metrics: { type: "boolean", default: false },
  },
});
const sizes = values.monitors.split(",").map(Number);
const spread = Number(values["spread-ms"]);
const loads = values.load.split(",").map((s) => s.trim() === "on");
const connections = Number(values.connections);
const pingMonitors = Number(values["ping-monitors"]);

interface Run {
  monitors: number;
  spreadMs: number;
  load: boolean;
  flipped: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** from the checker's histogram: flips committed within 10 ms and 25 ms of their deadline */
  committedWithin10ms: number | null;
  committedWithin25ms: number | null;
  pings: { rps: number; p50: number; p99: number; ok: number; errors: number } | null;
  insertMs: number;
  startMs: number;
  loadAvg: number;
}

const runs: Run[] = [];
for (const n of sizes) for (const load of loads) runs.push(await run(n, load));

console.log(`\nDetection delay, embedded (SQLite), deadlines spread over ${spread} ms, ${os.cpus().length} cores\n`);
console.log(
  "| monitors | ping load | flipped | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | committed ≤ 10 / 25 ms | pings/s (p99 ms) | load avg |",
);
console.log("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of runs) {
  const pct = (v: number | null) => (v === null ? "n/a" : `${(v * 100).toFixed(1)} %`);
  const pings = r.pings ? `${r.pings.rps.toFixed(0)} (${r.pings.p99})` : "–";
  console.log(
    `| ${r.monitors} | ${r.load ? `${connections} conns` : "none"} | ${r.flipped} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.p999} | ${r.max} | ${pct(r.committedWithin10ms)} / ${pct(r.committedWithin25ms)} | ${pings} | ${r.loadAvg.toFixed(2)} |`,
  );
}
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(
  path.join(import.meta.dirname, "results", "detection.json"),
  JSON.stringify({ spreadMs: spread, connections, pingMonitors, cores: os.cpus().length, runs }, null, 2),
);
if (runs.some((r) => r.flipped !== r.monitors)) process.exitCode = 1;

async function run(n: number, load: boolean): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-detect-"));
  const file = path.join(dir, "detect.sqlite");
  const dbUrl = `sqlite:${file}`;
  try {
    const db = await openDatabase(dbUrl);
    await migrate(db);
    await db.close();
    // Deadlines start after the system has started and loaded them (about 5 s a million).
    const lead = 6000 + Math.ceil(n / 150);
    const t0 = Date.now();
    const T = t0 + lead + Math.ceil(n / 60); // plus the insert itself, ~1 s per 60,000 rows
    await insertMonitors(file, n, T, spread);
    const insertMs = Date.now() - t0;

    const port = await freePort();
    const opsPort = await freePort();
    const started = Date.now();
    const proc = startProcess("detection", {
      PORT: String(port),
      HOST: "127.0.0.1",
      ...(values.metrics ? { OPS_PORT: String(opsPort) } : {}),
      DATABASE_URL: dbUrl,
      PING_AUTH: "none",
      LOG_LEVEL: "info",
      ...(values.profile ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.resolve(values.profile)}` } : {}),
    });
    let pings: Run["pings"] = null;
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`, [proc], 120_000);
      await waitOutput(proc, /checker watching \d+ monitors/, 120_000);
      const startMs = Date.now() - started;
      if (Date.now() > T - 1000)
        console.warn(
          `start-up took ${startMs} ms, longer than the lead time: the first flips are late for that reason`,
        );
      const end = T + spread + 2000;
      if (load) {
        // Start the load a little before the first deadline and keep it on until after the last.
        await sleep(Math.max(0, T - 2000 - Date.now()));
        let i = 0;
        const r = await autocannon({
          url: `http://127.0.0.1:${port}`,
          connections,
          duration: Math.max(1, (end - Date.now()) / 1000),
          pipelining: 1,
          requests: [
            {
              method: "POST",
              setupRequest: (req) => ({
                ...req,
                path: `/ping/p${(i++ % pingMonitors).toString(36).padStart(10, "0")}`,
              }),
            },
          ],
        });
        pings = {
          rps: r.requests.average,
          p50: r.latency.p50,
          p99: r.latency.p99,
          ok: r["2xx"],
          errors: r.errors + r.timeouts + r.non2xx,
        };
      }
      // Wait until every deadline has passed and the checker has caught up.
      await sleep(Math.max(0, end - Date.now()));
      // Counted in the database, not by scraping /metrics (a scrape sorts a minute of samples).
      const watcher = await openDatabase(dbUrl);
      await until(async () => {
        const [row] = await watcher.select<{ k: number }>("SELECT COUNT(*) AS k FROM flips WHERE to_status = 'late'");
        return Number(row?.k) >= n;
      }, 60_000).catch(() => undefined);
      await watcher.close();
      const hist = values.metrics ? await lagHistogram(opsPort) : null;
      if (values.keep && values.metrics) fs.writeFileSync(path.join(dir, "metrics.txt"), await metrics(opsPort));
      const loadAvg = os.loadavg()[0]!;
      await stopProcess(proc);
      if (values.keep) fs.writeFileSync(path.join(dir, "output.txt"), proc.output.join(""));

      const check = await openDatabase(dbUrl);
      const delays = (
        await check.select<{ d: number }>(
          "SELECT f.flipped_at - m.late_at AS d FROM flips f JOIN monitors m ON m.id = f.monitor_id WHERE f.to_status = 'late'",
        )
      )
        .map((r) => Number(r.d))
        .sort((a, b) => a - b);
      await check.close();
      const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))] ?? NaN;
      const r: Run = {
        monitors: n,
        spreadMs: spread,
        load,
        flipped: delays.length,
        p50: q(0.5),
        p90: q(0.9),
        p99: q(0.99),
        p999: q(0.999),
        max: delays.at(-1) ?? NaN,
        committedWithin10ms: hist ? hist.le10 / hist.count : null,
        committedWithin25ms: hist ? hist.le25 / hist.count : null,
        pings,
        insertMs,
        startMs,
        loadAvg,
      };
      console.log(JSON.stringify(r));
      return r;
    } finally {
      await stopProcess(proc);
    }
  } finally {
    if (values.keep) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * N monitors up since a minute ago, late at T + i·spread/N (down an hour later), and the ping
 * targets p0000000000…: new, due in an hour. Multi-row INSERTs in one transaction.
 */
async function insertMonitors(file: string, n: number, T: number, spreadMs: number): Promise<void> {
  const conn = new DatabaseSync(file);
  const exec = async (sql: string) => conn.exec(sql);
  const head =
    "INSERT INTO monitors (code, name, schedule_kind, period_seconds, grace_seconds, timezone, deadline, status, armed_at, last_ping_at, late_at, down_at, status_changed_at, ping_count, created_at, updated_at) VALUES ";
  const ago = T - 60_000;
  try {
    await exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; BEGIN");
    for (let i = 0; i < pingMonitors; i += 2000) {
      const rows: string[] = [];
      for (let k = i; k < Math.min(pingMonitors, i + 2000); k++) {
        rows.push(
          `('p${k.toString(36).padStart(10, "0")}', 'ping ${k}', 'interval', 3600, 3600, 'UTC', 'grace', 'new', ${ago}, NULL, ${T + 3_600_000}, ${T + 7_200_000}, ${ago}, 0, ${ago}, ${ago})`,
        );
      }
      await exec(head + rows.join(", "));
    }
    for (let i = 0; i < n; i += 2000) {
      const rows: string[] = [];
      for (let k = i; k < Math.min(n, i + 2000); k++) {
        const late = T + Math.floor((k * spreadMs) / n);
        rows.push(
          `('c${k.toString(36).padStart(10, "0")}', 'm${k}', 'interval', 60, 3600, 'UTC', 'grace', 'up', ${ago}, ${ago}, ${late}, ${late + 3_600_000}, ${ago}, 0, ${ago}, ${ago})`,
        );
      }
      await exec(head + rows.join(", "));
    }
    await exec("COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
  } finally {
    conn.close();
  }
}

async function metrics(opsPort: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${opsPort}/metrics`);
  return res.text();
}

/** A sample's value; `label` (e.g. `le="0.01"`) must be among its labels when given. */
function sample(text: string, name: string, label = ""): number | null {
  const esc = (v: string) => v.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const re = new RegExp(`^${name}(?:\\{[^}]*${label ? esc(label) + "[^}]*" : ""}\\})? ([0-9.e+-]+)$`, "m");
  const m = text.match(re);
  return m ? Number(m[1]) : null;
}

async function lagHistogram(opsPort: number): Promise<{ count: number; le10: number; le25: number } | null> {
  try {
    const text = await metrics(opsPort);
    const count = sample(text, "heartbeats_checker_lag_seconds_bucket", `le="+Inf"`);
    const le10 = sample(text, "heartbeats_checker_lag_seconds_bucket", 'le="0.01"');
    const le25 = sample(text, "heartbeats_checker_lag_seconds_bucket", 'le="0.025"');
    return count && le10 !== null && le25 !== null ? { count, le10, le25 } : null;
  } catch {
    return null;
  }
}

async function until(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      /* not answering yet */
    }
    if (Date.now() > deadline) throw new Error("timed out");
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
