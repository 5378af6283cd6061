// The cost of a /metrics scrape after a burst of calls, with Moleculer's default quantiles
// (every sample of the last minute kept and sorted at each scrape) against our setting (none;
// Prometheus derives quantiles from the buckets). Both brokers run in this process, one after
// the other, with the same calls.
//   node bench/metrics-scrape.ts [--calls 300000]

import { ServiceBroker } from "moleculer";
import { brokerOptions } from "../moleculer.config.ts";
import { loadConfig } from "../core/config.ts";
import { ScrapedPrometheusReporter } from "../bin/ops-server.ts";

const at = process.argv.indexOf("--calls");
const calls = at === -1 ? 300_000 : Number(process.argv[at + 1]);

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
