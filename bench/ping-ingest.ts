// Ping ingest throughput on the embedded default (SQLite, one process), against a bare
// node:http server answering 200 on the same machine in the same run — the baseline.
// Afterwards the stored pings are counted: every 2xx must be a stored ping.
//
//   node bench/ping-ingest.ts [--seconds 10] [--connections 100] [--monitors 10000]

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import autocannon from "autocannon";
import { freePort, startProcess, stopProcess, waitReady } from "../test/support/system.ts";
import { api } from "../test/support/api.ts";
import { openDatabase } from "../core/db/connect.ts";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "10" }, connections: { type: "string", default: "100" }, monitors: { type: "string", default: "10000" } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const monitorCount = Number(values.monitors);

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  errors: number;
}

async function load(name: string, requests: autocannon.Request[], url: string): Promise<Figures> {
  const r = await autocannon({ url, connections, duration: seconds, requests, pipelining: 1 });
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, ok: r["2xx"], errors: r.errors + r.timeouts + r.non2xx };
}

// (a) the baseline: a bare node:http server in its own process.
const barePort = await freePort();
const bare = spawn(process.execPath, ["-e", `require("node:http").createServer((q, s) => { s.writeHead(200, {"content-type": "text/plain"}); s.end("OK"); }).listen(${barePort}, "127.0.0.1")`], { stdio: "ignore" });
await waitReady(`http://127.0.0.1:${barePort}/`, [], 10_000);

// (b) Heartbeats embedded, PING_AUTH=none so that the bench measures ingest, not scrypt.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-"));
const dbUrl = `sqlite:${path.join(dir, "bench.sqlite")}`;
const port = await freePort();
const hb = startProcess("heartbeats", { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: dbUrl, PING_AUTH: "none", ADMIN_USERNAME: "bench", ADMIN_PASSWORD: "bench-password", LOG_LEVEL: "warn" });
const base = `http://127.0.0.1:${port}`;
await waitReady(`${base}/readyz`, [hb]);
const client = api(base, ["bench", "bench-password"]);
const codes: string[] = [];
let next = 0;
// Twenty creators at once: the set-up is not what is measured.
await Promise.all(Array.from({ length: 20 }, async () => {
  while (next < monitorCount) {
    const i = next++;
    const res = await client.call("POST", "/api/v1/monitors", { name: `bench-${i}`, schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 } });
    codes.push(res.body.code);
  }
}));

const results: Figures[] = [];
results.push(await load("bare node:http", [{ method: "GET", path: "/" }], `http://127.0.0.1:${barePort}`));
let i = 0;
results.push(await load("heartbeats /ping/CODE (SQLite)", [{ method: "POST", setupRequest: (req) => ({ ...req, path: `/ping/${codes[i++ % codes.length]}` }) }], base));

await stopProcess(hb);
bare.kill();
const db = await openDatabase(dbUrl);
const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM pings");
await db.close();
fs.rmSync(dir, { recursive: true, force: true });

const baseline = results[0]!.rps;
console.log(`\n${seconds} s per run, ${connections} connections, ${monitorCount} monitors, ${os.cpus().length} cores\n`);
console.log("| target | req/s | p50 ms | p99 ms | 2xx | errors | × bare |");
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
for (const r of results) console.log(`| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.ok} | ${r.errors} | ${(r.rps / baseline).toFixed(2)} |`);
// Every acknowledged ping must be stored. A few more may be stored than acknowledged: the
// requests in flight when the load generator stopped (at most one per connection).
const acked = results[1]!.ok;
const stored = Number(n);
const sound = stored >= acked && stored - acked <= connections;
console.log(`\nstored pings: ${stored}; acknowledged with 2xx: ${acked}; in flight at the stop: ${stored - acked} → ${sound ? "every 2xx stored" : "LOST PINGS"}`);
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(import.meta.dirname, "results", "ping-ingest.json"), JSON.stringify({ seconds, connections, monitors: monitorCount, results, stored, acked }, null, 2));
if (!sound) process.exitCode = 1;
