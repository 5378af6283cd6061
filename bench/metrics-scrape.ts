// The cost of a /metrics scrape after a burst of calls, with Moleculer's default quantiles
// (every sample of the last minute kept and sorted at each scrape) against our setting (none;
// Prometheus derives quantiles from the buckets). Both brokers run in this process, one after
// the other, with the same calls.
// Then a registry's scrape with --monitors monitors (three tags each) on a SQLite file: the
// per-monitor series are read from the database at each scrape, over the ops server's HTTP.
//   node --expose-gc bench/metrics-scrape.ts [--calls 300000] [--monitors 10000]

import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../moleculer.config.ts";
import { loadConfig } from "../core/config.ts";
import { ScrapedPrometheusReporter, metricsText, startOpsServer } from "../bin/ops-server.ts";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { insertMonitor } from "../core/db/monitors.ts";
import { monitorSeriesRows } from "../core/db/monitor-series.ts";
import { systemClock } from "../core/checker/clock.ts";
import { loadCatalog } from "../plugins/catalog.ts";
import { PLAIN_BOX } from "../core/security/secret-box.ts";
import registryService from "../services/registry/registry.service.ts";

const arg = (name: string, dflt: number) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? dflt : Number(process.argv[at + 1]);
};
const calls = arg("--calls", 300_000);
const monitorCount = arg("--monitors", 10_000);

async function run(withQuantiles: boolean): Promise<{ callsPerS: number; scrapeMs: number; heapMb: number }> {
  const reporter = new ScrapedPrometheusReporter();
  const options = brokerOptions(loadConfig({ LOG_LEVEL: "warn" }), reporter);
  if (withQuantiles) (options.metrics as Record<string, unknown>).defaultQuantiles = [0.5, 0.9, 0.95, 0.99, 0.999];
  const broker = new ServiceBroker({ ...options, nodeID: withQuantiles ? "quantiles" : "buckets" });
  broker.createService({ name: "echo", actions: { hit: (ctx) => ctx.params } });
  await broker.start();
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  for (let i = 0; i < calls; i += 1000)
    await Promise.all(Array.from({ length: 1000 }, () => broker.call("echo.hit", { i })));
  const callMs = performance.now() - t0;
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
  const s0 = performance.now();
  const text = reporter.text();
  const scrapeMs = performance.now() - s0;
  if (!text.includes("moleculer_request_total")) throw new Error("the scrape has no request metrics");
  await broker.stop();
  return { callsPerS: Math.round((calls / callMs) * 1000), scrapeMs: Math.round(scrapeMs), heapMb: Math.round(heapMb) };
}

const ours = await run(false);
const moleculerDefault = await run(true);
console.log(`${calls.toLocaleString()} local calls, then one /metrics scrape`);
console.table({
  "Moleculer default (quantiles)": moleculerDefault,
  "Heartbeats (buckets only)": ours,
});
console.log(
  `scrape time ×${(ours.scrapeMs / Math.max(1, moleculerDefault.scrapeMs)).toFixed(3)} of the default; calls/s ×${(ours.callsPerS / moleculerDefault.callsPerS).toFixed(2)}`,
);

/** A registry on a SQLite file with `n` monitors behind an ops server: /metrics timed over HTTP. */
async function monitorScrape(n: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-scrape-"));
  const config = loadConfig({ LOG_LEVEL: "warn", DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}` });
  const db = await openDatabase(config.databaseUrl);
  await migrate(db);
  const now = Date.now();
  for (let i = 0; i < n; i += 500)
    await db.write(async (t) => {
      for (let j = i; j < Math.min(n, i + 500); j++)
        await insertMonitor(
          db,
          {
            code: `bench-${j}`,
            name: `backup "db-${j}" of \\srv`,
            description: null,
            schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 300 },
            tags: [`team-${j % 10}`, `env-${j % 3}`, "bench"],
            channels: [],
            repeatEverySeconds: null,
          },
          "UTC",
          now,
          t,
        );
    });
  const reporter = new ScrapedPrometheusReporter();
  const broker = new ServiceBroker({ ...brokerOptions(config, reporter), nodeID: "registry" });
  const deps = { config, db, clock: systemClock, channels: await loadCatalog([]), secrets: PLAIN_BOX };
  broker.createService(registryService(deps));
  await broker.start();
  const ops = await startOpsServer({ port: 0, host: "127.0.0.1", broker, db: () => db, reporter, calls: [] });
  const times: number[] = [];
  let bytes = 0;
  let lines = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    const text = await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
    times.push(performance.now() - t0);
    bytes = text.length;
    lines = text.split("\n").length;
  }
  if (!lines || !(await fetch(`http://127.0.0.1:${ops.port}/metrics`).then((r) => r.text())).includes("bench-9"))
    throw new Error("the scrape has no per-monitor series");
  times.shift(); // the first warms the statement cache and the JIT
  times.sort((a, b) => a - b);
  // the same text built without HTTP: the server's share (the client above runs in this process too)
  const built: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await metricsText(broker, reporter);
    built.push(performance.now() - t0);
  }
  built.sort((a, b) => a - b);
  // of which the database read
  const reads: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await monitorSeriesRows(db);
    reads.push(performance.now() - t0);
  }
  reads.sort((a, b) => a - b);
  await ops.close();
  await broker.stop();
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  return {
    monitors: n,
    lines,
    kB: Math.round(bytes / 1024),
    httpMedianMs: Math.round(times[times.length >> 1]),
    httpMaxMs: Math.round(times[times.length - 1]),
    buildMedianMs: Math.round(built[built.length >> 1]),
    buildMaxMs: Math.round(built[built.length - 1]),
    readMedianMs: Math.round(reads[reads.length >> 1]),
  };
}

if (monitorCount > 0) {
  console.log(`\na registry with ${monitorCount.toLocaleString()} monitors, /metrics over HTTP (20 scrapes)`);
  console.table([await monitorScrape(monitorCount)]);
}
