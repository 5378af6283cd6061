// Ping ingest throughput against a bare node:http server answering 200 on the same machine in
// the same run — the baseline — in three set-ups:
//   (b) embedded: every service in one process, SQLite;
//   (c) every service in one process, MariaDB;
//   (d) gateway and ingest in separate processes over NATS, MariaDB.
// And the floor under (b) and (c), the same way: (b0) and (c0) are node:http doing only the
// durable write of each ping — its row and its monitor's row, group-committed through
// Heartbeats' database layer — and nothing else (bench/ingest-floor.ts). No implementation of
// a durably stored ping can beat its floor's ratio; (b) and (c) say how close Heartbeats gets.
// The baseline is measured for half a run right before and half a run right after each set-up's
// run, and each ratio is against the mean of those two (other work on the machine moves both alike). Afterwards the stored pings are counted: every 2xx must
// be a stored ping.
//
//   node bench/ping-ingest.ts [--seconds 10] [--connections 100] [--monitors 10000]
//                             [--only b0,b,c0,c,d] [--profile DIR]
//
// --profile DIR: the Heartbeats processes run with --cpu-prof and write their profiles to DIR.
//
// Besides req/s, each row gives where the machine's CPU went, per acknowledged request (from
// /proc, every thread): the server's processes and their main threads (a Node.js process serves
// HTTP on one thread: a main thread near 100 % busy is the ceiling of that process), the
// database server (mysqld, which shares the machine in (c) and (d)), the load generator (this
// process), and how busy the whole machine was. These move far less with other work on the
// machine than req/s does, and they say why a ratio is what it is: at a given req/s the sum of
// the per-request figures can not exceed the machine's cores.

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { spawn } from "node:child_process";
import net from "node:net";
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
    only: { type: "string", default: "b0,b,c0,c,d" },
    profile: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const monitorCount = Number(values.monitors);
const only = new Set(values.only.split(",").map((s) => s.trim()));
const profileDir = values.profile ? path.resolve(values.profile) : null;
if (profileDir) fs.mkdirSync(profileDir, { recursive: true });

/** CPU time (user + system) from a /proc stat file, in µs; null where there is none (off Linux, process gone). */
function statMicros(file: string): number | null {
  try {
    const f = fs.readFileSync(file, "utf8").split(") ")[1]!.split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return null;
  }
}
/** Every thread of a process. */
const processCpu = (pid: number | undefined) => statMicros(`/proc/${pid}/stat`);
/** Its main thread only: the one that runs JavaScript and serves HTTP. */
const mainThreadCpu = (pid: number | undefined) => statMicros(`/proc/${pid}/task/${pid}/stat`);

/** The pids of the local servers by these process names (MariaDB, NATS), when they run on this machine. */
function serverPids(...names: string[]): number[] {
  const pids: number[] = [];
  try {
    for (const d of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(d)) continue;
      try {
        if (names.includes(fs.readFileSync(`/proc/${d}/comm`, "utf8").trim())) pids.push(Number(d));
      } catch {
        /* gone meanwhile */
      }
    }
  } catch {
    /* not Linux */
  }
  return pids;
}
const MARIADB = ["mariadbd", "mysqld"];
const NATS = ["nats-server"];

/** The whole machine's CPU: busy and total µs summed over every core, from /proc/stat. */
function machineCpu(): { busy: number; total: number } | null {
  try {
    const f = fs.readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0); // user … steal (guest is counted in user)
    const idle = f[3]! + f[4]!; // idle + iowait
    return { busy: ((total - idle) * 1e6) / 100, total: (total * 1e6) / 100 };
  } catch {
    return null;
  }
}

interface Cpu {
  /** µs per 2xx: the server's processes (every thread), their main threads, the database and broker servers, the load generator */
  server: number;
  main: number;
  database: number | null;
  generator: number;
  /** the busiest main thread's share of the run's wall time, and the machine's, in % of one core / of all cores */
  mainBusy: number;
  machineBusy: number | null;
}

/** Where the CPU went while `run` ran, per 2xx (see the header). */
async function withCpu(
  pids: (number | undefined)[],
  run: () => Promise<Figures>,
  servers: number[] = [],
): Promise<Figures> {
  const serversCpu = () =>
    servers.length
      ? servers.map(processCpu).reduce<number | null>((a, c) => (a === null || c === null ? null : a + c), 0)
      : null;
  const sample = () => ({
    all: pids.map(processCpu),
    main: pids.map(mainThreadCpu),
    db: serversCpu(),
    self: process.cpuUsage(),
    machine: machineCpu(),
    at: performance.now(),
  });
  const before = sample();
  const f = await run();
  const after = sample();
  if (!f.ok || [...before.all, ...after.all, ...before.main, ...after.main].some((c) => c === null)) return f;
  const spent = (b: (number | null)[], a: (number | null)[]) => a.map((c, i) => (c as number) - (b[i] as number));
  const mains = spent(before.main, after.main);
  const wallUs = (after.at - before.at) * 1000;
  const selfUs = after.self.user + after.self.system - before.self.user - before.self.system;
  const cpu: Cpu = {
    server: spent(before.all, after.all).reduce((a, b) => a + b, 0) / f.ok,
    main: mains.reduce((a, b) => a + b, 0) / f.ok,
    database: before.db !== null && after.db !== null ? (after.db - before.db) / f.ok : null,
    generator: selfUs / f.ok,
    mainBusy: (100 * Math.max(...mains)) / wallUs,
    machineBusy:
      before.machine && after.machine
        ? (100 * (after.machine.busy - before.machine.busy)) / (after.machine.total - before.machine.total)
        : null,
  };
  return { ...f, cpu };
}

interface Figures {
  cpu?: Cpu;
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
  return {
    name,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r["2xx"],
    errors: r.errors + r.timeouts + r.non2xx,
  };
}

// (a) the baseline: a bare node:http server in its own process.
const barePort = await freePort();
const bare = spawn(
  process.execPath,
  [
    "-e",
    `require("node:http").createServer((q, s) => { s.writeHead(200, {"content-type": "text/plain"}); s.end("OK"); }).listen(${barePort}, "127.0.0.1")`,
  ],
  { stdio: "ignore" },
);
await waitReady(`http://127.0.0.1:${barePort}/`, [], 10_000);
const bareRuns: Figures[] = [];
/** Half a run of the baseline: one right before the target's run and one right after bracket it. */
const measureBare = async () => {
  const f = await withCpu([bare.pid], () =>
    load(
      "bare node:http",
      [{ method: "GET", path: "/" }],
      `http://127.0.0.1:${barePort}`,
      Math.max(1, Math.round(seconds / 2)),
    ),
  );
  bareRuns.push(f);
  return f;
};

const admin: [string, string] = ["bench", "bench-password"];
const common = { PING_AUTH: "none", ADMIN_USERNAME: admin[0], ADMIN_PASSWORD: admin[1], LOG_LEVEL: "warn" };
const profiled = (on: boolean, tag: string): Record<string, string> =>
  on && profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${path.join(profileDir, tag)}` } : {};

async function createMonitors(base: string): Promise<string[]> {
  const client = api(base, admin);
  const codes: string[] = [];
  let next = 0;
  // Twenty creators at once: the set-up is not what is measured.
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < monitorCount) {
        const i = next++;
        const res = await client.call("POST", "/api/v1/monitors", {
          name: `bench-${i}`,
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
        });
        if (res.status !== 201 && res.status !== 200)
          throw new Error(`creating a monitor: ${res.status} ${JSON.stringify(res.body)}`);
        codes.push(res.body.code);
      }
    }),
  );
  return codes;
}

async function countPings(dbUrl: string): Promise<number> {
  const db = await openDatabase(dbUrl);
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM pings");
  await db.close();
  return Number(n);
}

/** Starts the processes, creates the monitors, measures the baseline then /ping/CODE, stops, counts. */
async function target(
  name: string,
  dbUrl: string,
  procs: (port: number, profile: boolean) => Promise<Proc[]>,
  servers: number[] = [],
  floor = false,
): Promise<Row> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let started = await procs(port, false);
  let figures: Figures;
  let bareFig: Figures;
  try {
    await waitReady(`${base}/readyz`, started, 120_000);
    // The floor server makes its monitors itself, with codes it can be told.
    const codes = floor ? Array.from({ length: monitorCount }, (_, i) => `floor-${i}`) : await createMonitors(base);
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
    figures = await withCpu(
      started.map((p) => p.child.pid),
      () =>
        load(
          name,
          [{ method: "POST", setupRequest: (req) => ({ ...req, path: `/ping/${codes[i++ % codes.length]}` }) }],
          base,
        ),
      servers,
    );
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

/**
 * What one message to another process on this machine costs its sender: a 2 KB write on
 * loopback TCP to a peer that sleeps between messages (as mysqld and nats-server do between a
 * batch's statements). The kernel wakes the peer in the sender's write, so the sender pays it:
 * every round trip of (c) and (d) pays this on both sides.
 */
async function messageCost(): Promise<{ p50: number; p90: number; mean: number }> {
  const port = await freePort();
  const peer = spawn(
    process.execPath,
    [
      "-e",
      `require("node:net").createServer((s) => s.on("data", () => {})).listen(${port}, "127.0.0.1", () => console.log("up"))`,
    ],
    { stdio: ["ignore", "pipe", "ignore"] },
  );
  try {
    await new Promise((resolve) => peer.stdout!.once("data", resolve));
    const socket = net.connect(port, "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    const chunk = Buffer.alloc(2048, 1);
    const took: number[] = [];
    for (let i = 0; i < 2000; i++) {
      await new Promise((r) => setTimeout(r, 1));
      const t = process.hrtime.bigint();
      socket.write(chunk);
      took.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    socket.destroy();
    took.sort((a, b) => a - b);
    return { p50: took[1000]!, p90: took[1800]!, mean: took.reduce((a, b) => a + b, 0) / took.length };
  } finally {
    peer.kill();
  }
}

const rows: Row[] = [];
const cleanups: (() => Promise<void>)[] = [];
try {
  const floorServer = (dbUrl: string) => async (port: number) => [
    startProcess("floor", {}, "bench/ingest-floor.ts", [
      "--port",
      String(port),
      "--database",
      dbUrl,
      "--monitors",
      String(monitorCount),
    ]),
  ];
  if (only.has("b0")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const dbUrl = `sqlite:${path.join(dir, "floor.sqlite")}`;
    rows.push(await target("(b0) floor: node:http + the SQLite write", dbUrl, floorServer(dbUrl), [], true));
  }
  if (only.has("b")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-"));
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    const dbUrl = `sqlite:${path.join(dir, "bench.sqlite")}`;
    rows.push(
      await target("(b) embedded, SQLite", dbUrl, async (port, prof) => [
        startProcess("heartbeats", {
          ...common,
          ...profiled(prof, "b"),
          PORT: String(port),
          HOST: "127.0.0.1",
          DATABASE_URL: dbUrl,
        }),
      ]),
    );
  }
  const wantsMaria = only.has("c0") || only.has("c") || only.has("d");
  const unreachable = wantsMaria ? await needs(only.has("d") ? ["mariadb", "nats"] : ["mariadb"]) : undefined;
  if (unreachable) console.error(`skipping (c0), (c) and (d): ${unreachable}`);
  if (only.has("c0") && !unreachable) {
    const db = await scratchDatabase();
    cleanups.push(db.drop);
    rows.push(
      await target(
        "(c0) floor: node:http + the MariaDB write",
        db.url,
        floorServer(db.url),
        serverPids(...MARIADB),
        true,
      ),
    );
  }
  if (only.has("c") && !unreachable) {
    const db = await scratchDatabase();
    cleanups.push(db.drop);
    rows.push(
      await target(
        "(c) one process, MariaDB",
        db.url,
        async (port, prof) => [
          startProcess("heartbeats", {
            ...common,
            ...profiled(prof, "c"),
            PORT: String(port),
            HOST: "127.0.0.1",
            DATABASE_URL: db.url,
          }),
        ],
        serverPids(...MARIADB),
      ),
    );
  }
  if (only.has("d") && !unreachable) {
    const db = await scratchDatabase();
    cleanups.push(db.drop);
    const ns = randomBytes(3).toString("hex");
    // Its own Moleculer namespace, so that other runs on the same NATS never meet this one.
    const env = { ...common, DATABASE_URL: db.url, TRANSPORTER: NATS_URL, NAMESPACE: `hb-bench-${ns}` };
    rows.push(
      await target(
        "(d) gateway | ingest over NATS, MariaDB",
        db.url,
        async (port, prof) => {
          const back = startProcess("back", {
            ...env,
            ...profiled(prof, "d-back"),
            SERVICES: "registry,ingest,checker,notifier",
            NODE_ID: `back-${ns}`,
          });
          const front = startProcess("front", {
            ...env,
            ...profiled(prof, "d-front"),
            SERVICES: "gateway",
            PORT: String(port),
            HOST: "127.0.0.1",
            NODE_ID: `front-${ns}`,
            LOG_LEVEL: "info",
          });
          await waitOutput(front, new RegExp(`Node 'back-${ns}' connected`), 60_000);
          return [front, back];
        },
        serverPids(...MARIADB, ...NATS),
      ),
    );
  }
} finally {
  bare.kill();
  for (const c of cleanups) await c().catch(() => undefined);
}
const message = await messageCost();

const bareMean = bareRuns.reduce((s, r) => s + r.rps, 0) / Math.max(1, bareRuns.length);
console.log(
  `\n${seconds} s per run, ${connections} connections, ${monitorCount} monitors, ${os.cpus().length} cores, load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}\n`,
);
const us = (v: number | null | undefined) => (v === null || v === undefined ? "–" : v.toFixed(1));
const pct = (v: number | null | undefined) => (v === null || v === undefined ? "–" : `${v.toFixed(0)} %`);
const bareCpu = bareRuns.filter((r) => r.cpu).map((r) => r.cpu!);
const meanOf = (pick: (c: Cpu) => number | null) =>
  bareCpu.length ? bareCpu.reduce((s, c) => s + (pick(c) ?? 0), 0) / bareCpu.length : undefined;
console.log(
  "| target | req/s | p50 ms | p99 ms | 2xx | errors | bare req/s (before/after it) | × bare | stored pings | stored == 2xx |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
console.log(
  `| (a) bare node:http (mean of ${bareRuns.length}) | ${bareMean.toFixed(0)} | ${bareRuns.map((r) => r.p50).join("/")} | ${bareRuns.map((r) => r.p99).join("/")} | | | | 1.00 | | |`,
);
for (const r of rows) {
  const check = r.sound ? `yes (+${r.stored - r.ok} in flight at the stop)` : "NO: LOST PINGS";
  console.log(
    `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} | ${r.bare.toFixed(0)} | ${r.ratio.toFixed(2)} | ${r.stored} | ${check} |`,
  );
}
for (const [floor, own] of [
  ["(b0)", "(b)"],
  ["(c0)", "(c)"],
]) {
  const f = rows.find((r) => r.name.startsWith(floor));
  const h = rows.find((r) => r.name.startsWith(own));
  if (f && h)
    console.log(
      `\n${own} serves ${(h.rps / f.rps).toFixed(2)}× the pings/s of its floor ${floor}, and the floor ${f.ratio.toFixed(2)}× bare node:http: storing a ping and its monitor's state durably on this database costs that much here before anything else is done.`,
    );
}
console.log(
  "\nWhere the CPU went, µs per 2xx (a main thread near 100 % busy, or a machine near 100 %, is the ceiling):\n",
);
console.log(
  "| target | server, every thread | server main threads | MariaDB (+ NATS in d) | load generator | sum | busiest main thread | machine |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
const sum = (c: Cpu) => c.server + (c.database ?? 0) + c.generator;
if (bareCpu.length) {
  console.log(
    `| (a) bare node:http (mean of ${bareCpu.length}) | ${us(meanOf((c) => c.server))} | ${us(meanOf((c) => c.main))} | | ${us(meanOf((c) => c.generator))} | ${us(meanOf(sum))} | ${pct(meanOf((c) => c.mainBusy))} | ${pct(meanOf((c) => c.machineBusy))} |`,
  );
}
for (const r of rows) {
  if (!r.cpu) continue;
  console.log(
    `| ${r.name} | ${us(r.cpu.server)} | ${us(r.cpu.main)} | ${us(r.cpu.database)} | ${us(r.cpu.generator)} | ${us(sum(r.cpu))} | ${pct(r.cpu.mainBusy)} | ${pct(r.cpu.machineBusy)} |`,
  );
}
console.log(
  `\nOne 2 KB message to a sleeping process on this machine (loopback TCP) costs its sender ${message.p50.toFixed(1)} µs p50, ${message.p90.toFixed(1)} µs p90, ${message.mean.toFixed(1)} µs mean.`,
);
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(
  path.join(import.meta.dirname, "results", "ping-ingest.json"),
  JSON.stringify(
    {
      seconds,
      connections,
      monitors: monitorCount,
      cores: os.cpus().length,
      loadavg: os.loadavg(),
      bare: bareRuns,
      results: rows,
      messageCostMicros: message,
    },
    null,
    2,
  ),
);
if (rows.some((r) => !r.sound)) process.exitCode = 1;
