// Ping ingest throughput against a bare node:http server answering 200 on the same machine in
// the same run — the baseline — in three set-ups:
//   (b) embedded: every service in one process, SQLite;
//   (c) every service in one process, MariaDB;
//   (d) gateway and ingest in separate processes over NATS, MariaDB.
// The baseline is measured for half a run right before and half a run right after each set-up's
// run, and each ratio is against the mean of those two (other work on the machine moves both alike). Afterwards the stored pings are counted: every 2xx must
// be a stored ping.
//
//   node bench/ping-ingest.ts [--seconds 10] [--connections 100] [--monitors 10000]
//                             [--only b,c,d] [--profile DIR]
//
// --profile DIR: the Heartbeats processes run with --cpu-prof and write their profiles to DIR.
//
// Besides req/s, each row gives the server's CPU time per acknowledged request (all threads of
// its processes, from /proc): a figure that moves far less with other work on the machine than
// req/s does, and says what a ping costs next to a bare answer.

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { freePort, startProcess, stopProcess, waitReady, waitOutput, type Proc } from "../test/support/system.ts";
import { api } from "../test/support/api.ts";
import { needs, scratchDatabase, NATS_URL } from "../test/support/services.ts";
import { openDatabase } from "../core/db/connect.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "100" },
    monitors: { type: "string", default: "10000" },
    only: { type: "string", default: "b,c,d" },
    profile: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const monitorCount = Number(values.monitors);
const only = new Set(values.only.split(",").map((s) => s.trim()));
const profileDir = values.profile ? path.resolve(values.profile) : null;
if (profileDir) fs.mkdirSync(profileDir, { recursive: true });

/** CPU time (user + system, every thread) a process has used so far, in µs; null off Linux. */
function cpuMicros(pid: number | undefined): number | null {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}

/** CPU µs per 2xx the given processes spent during `run` (the load generator's own CPU not included). */
async function withCpu(pids: (number | undefined)[], run: () => Promise<Figures>): Promise<Figures> {
  const before = pids.map(cpuMicros);
  const f = await run();
  const after = pids.map(cpuMicros);
  if (before.some((c) => c === null) || after.some((c) => c === null) || !f.ok) return f;
  const used = after.reduce<number>((s, c, i) => s + (c as number) - (before[i] as number), 0);
  return { ...f, cpuPerOk: used / f.ok };
}

interface Figures {
  /** server CPU µs per acknowledged request (every thread of the server's processes) */
  cpuPerOk?: number;
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
}

interface Row extends Figures {
  bare: number;
  ratio: number;
  stored: number;
  sound: boolean;
}

async function load(name: string, requests: autocannon.Request[], url: string, duration = seconds): Promise<Figures> {
  const r = await autocannon({ url, connections, duration, requests, pipelining: 1 });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r["2xx"], errors: r.errors + r.timeouts + r.non2xx };
}

// (a) the baseline: a bare node:http server in its own process.
const barePort = await freePort();
const bare = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => { s.writeHead(200, {"content-type": "text/plain"}); s.end("OK"); }).listen(${barePort}, "127.0.0.1")`], { stdio: "ignore" });
await waitReady(`http://127.0.0.1:${barePort}/`, [], 10_000);
const bareRuns: Figures[] = [];
/** Half a run of the baseline: one right before the target's run and one right after bracket it. */
const measureBare = async () => {
  const f = await withCpu([bare.pid], () => load("bare node:http", [{ method: "GET", path: "/" }], `http://127.0.0.1:${barePort}`, Math.max(1, Math.round(seconds / 2))));
  bareRuns.push(f);
  return f;
};

const admin: [string, string] = ["bench", "bench-password"];
const common = { PING_AUTH: "none", ADMIN_USERNAME: admin[0], ADMIN_PASSWORD: admin[1], LOG_LEVEL: "warn" };
const profiled = (on: boolean, tag: string): Record<string, string> => (on && profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(profileDir, tag)}` } : {});

async function createMonitors(base: string): Promise<string[]> {
  const client = api(base, admin);
  const codes: string[] = [];
  let next = 0;
  // Twenty creators at once: the set-up is not what is measured.
  await Promise.all(Array.from({ length: 20 }, async () => {
    while (next < monitorCount) {
      const i = next++;
      const res = await client.call("POST", "/api/v1/monitors", { name: `bench-${i}`, schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 } });
      if (res.status !== 201 && res.status !== 200) throw new Error(`creating a monitor: ${res.status} ${JSON.stringify(res.body)}`);
      codes.push(res.body.code);
    }
  }));
  return codes;
}

async function countPings(dbUrl: string): Promise<number> {
  const db = await openDatabase(dbUrl);
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM pings");
  await db.close();
  return Number(n);
}

/** Starts the processes, creates the monitors, measures the baseline then /ping/CODE, stops, counts. */
async function target(name: string, dbUrl: string, procs: (port: number, profile: boolean) => Promise<Proc[]>): Promise<Row> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let started = await procs(port, false);
  let figures: Figures;
  let bareFig: Figures;
  try {
    await waitReady(`${base}/readyz`, started, 60_000);
    const codes = await createMonitors(base);
    if (profileDir) {
      // The profile should show the pings, not the set-up nor the idle baseline run: start again, profiled.
      for (const p of started) await stopProcess(p);
      bareFig = await measureBare();
      started = await procs(port, true);
      await waitReady(`${base}/readyz`, started, 60_000);
    } else {
      bareFig = await measureBare();
    }
    let i = 0;
    figures = await withCpu(started.map((p) => p.child.pid), () => load(name, [{ method: "POST", setupRequest: (req) => ({ ...req, path: `/ping/${codes[i++ % codes.length]}` }) }], base));
  } finally {
    for (const p of started) await stopProcess(p);
  }
  const bareAfter = await measureBare();
  const stored = await countPings(dbUrl);
  // Every acknowledged ping must be stored. A few more may be stored than acknowledged: the
  // requests in flight when the load generator stopped (at most one per connection).
  const sound = stored >= figures.ok && stored - figures.ok <= connections;
  // Against the baseline measured around it: other work on the machine changes between runs.
  const bareRps = (bareFig.rps + bareAfter.rps) / 2;
  return { ...figures, bare: bareRps, ratio: figures.rps / bareRps, stored, sound };
}

const rows: Row[] = [];
const cleanups: (() => Promise<void>)[] = [];
try {
  if (only.has("b")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const dbUrl = `sqlite:${path.join(dir, "bench.sqlite")}`;
    rows.push(await target("(b) embedded, SQLite", dbUrl, async (port, prof) => [
      startProcess("heartbeats", { ...common, ...profiled(prof, "b"), PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: dbUrl }),
    ]));
  }
  const wantsMaria = only.has("c") || only.has("d");
  const unreachable = wantsMaria ? await needs(only.has("d") ? ["mariadb", "nats"] : ["mariadb"]) : undefined;
  if (unreachable) console.error(`skipping (c) and (d): ${unreachable}`);
  if (only.has("c") && !unreachable) {
    const db = await scratchDatabase();
    cleanups.push(db.drop);
    rows.push(await target("(c) one process, MariaDB", db.url, async (port, prof) => [
      startProcess("heartbeats", { ...common, ...profiled(prof, "c"), PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: db.url }),
    ]));
  }
  if (only.has("d") && !unreachable) {
    const db = await scratchDatabase();
    cleanups.push(db.drop);
    const ns = randomBytes(3).toString("hex");
    // Its own Moleculer namespace, so that other runs on the same NATS never meet this one.
    const env = { ...common, DATABASE_URL: db.url, TRANSPORTER: NATS_URL, NAMESPACE: `hb-bench-${ns}` };
    rows.push(await target("(d) gateway | ingest over NATS, MariaDB", db.url, async (port, prof) => {
      const back = startProcess("back", { ...env, ...profiled(prof, "d-back"), SERVICES: "registry,ingest,checker,notifier", NODE_ID: `back-${ns}` });
      const front = startProcess("front", { ...env, ...profiled(prof, "d-front"), SERVICES: "gateway", PORT: String(port), HOST: "127.0.0.1", NODE_ID: `front-${ns}`, LOG_LEVEL: "info" });
      await waitOutput(front, new RegExp(`Node 'back-${ns}' connected`), 60_000);
      return [front, back];
    }));
  }
} finally {
  bare.kill();
  for (const c of cleanups) await c().catch(() => undefined);
}

const bareMean = bareRuns.reduce((s, r) => s + r.rps, 0) / Math.max(1, bareRuns.length);
console.log(`\n${seconds} s per run, ${connections} connections, ${monitorCount} monitors, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
const cpu = (f: Figures) => (f.cpuPerOk === undefined ? "" : f.cpuPerOk.toFixed(1));
const bareCpu = bareRuns.filter((r) => r.cpuPerOk !== undefined);
const bareCpuMean = bareCpu.length ? bareCpu.reduce((s, r) => s + r.cpuPerOk!, 0) / bareCpu.length : undefined;
console.log("| target | req/s | p50 ms | p99 ms | 2xx | errors | bare req/s (before/after it) | × bare | server CPU µs per 2xx | stored pings | stored == 2xx |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
console.log(`| (a) bare node:http (mean of ${bareRuns.length}) | ${bareMean.toFixed(0)} | ${bareRuns.map((r) => r.p50).join("/")} | ${bareRuns.map((r) => r.p99).join("/")} | | | | 1.00 | ${bareCpuMean?.toFixed(1) ?? ""} | | |`);
for (const r of rows) {
  const check = r.sound ? `yes (+${r.stored - r.ok} in flight at the stop)` : "NO: LOST PINGS";
  console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} | ${r.bare.toFixed(0)} | ${r.ratio.toFixed(2)} | ${cpu(r)} | ${r.stored} | ${check} |`);
}
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(
  path.join(import.meta.dirname, "results", "ping-ingest.json"),
  JSON.stringify({ seconds, connections, monitors: monitorCount, cores: os.cpus().length, loadavg: os.loadavg(), bare: bareRuns, results: rows }, null, 2),
);
if (rows.some((r) => !r.sound)) process.exitCode = 1;
