// The scale-out fault scenario at full length: gateway ×1, registry ×1, ingest ×2, checker ×2,
// notifier ×2 as separate processes on NATS and MariaDB, 500 pings/s for 60 s against 2,000
// monitors, one checker and one notifier SIGKILLed at 30 s and replaced. Prints pings offered,
// acknowledged and stored, flips, deliveries, detection delay p50/p99/max and the takeover time.
// CI runs a 30 s variant (test/e2e/scale-out.test.ts).
//
//   node bench/scale-out.ts [--seconds 60] [--rate 500] [--monitors 2000] [--dying 500]

import { parseArgs } from "node:util";
import fs from "node:fs";
import path from "node:path";
import { runScaleOut } from "../test/support/scale-out.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    rate: { type: "string", default: "500" },
    monitors: { type: "string", default: "2000" },
    dying: { type: "string", default: "500" },
  },
});
const r = await runScaleOut({
  seconds: Number(values.seconds),
  rate: Number(values.rate),
  monitors: Number(values.monitors),
  dying: Number(values.dying),
  log: (l) => console.log(l),
});

console.log(`
| figure | value |
| --- | --- |
| pings offered / acknowledged / stored | ${r.offered} / ${r.acknowledged} / ${r.stored} |
| one monitor, 200 concurrent pings: acknowledged / stored / per ingest | ${r.sameMonitor.acknowledged} / ${r.sameMonitor.stored} / ${r.sameMonitor.perIngest.join(" + ")} |
| pings refused | ${JSON.stringify(r.refused)} |
| acknowledged rate | ${r.achievedRate} /s (ack p50 ${r.ackLatencyMs.p50} ms, p99 ${r.ackLatencyMs.p99} ms) |
| monitors whose stored pings differ from acknowledged | ${r.pingMismatches.length} |
| dying monitors / down flips / flip errors | ${r.dying} / ${r.downFlips} / ${r.flipErrors.length} |
| detection delay p50 / p99 / max | ${r.detectionMs.p50} / ${r.detectionMs.p99} / ${r.detectionMs.max} ms |
| deadlines during the takeover / their max delay | ${r.detectionDuringTakeoverMs.count} / ${r.detectionDuringTakeoverMs.max} ms |
| takeover (kill → survivor re-shared) | ${r.takeoverMs} ms |
| deliveries expected / distinct keys / requests | ${r.deliveries.expected} / ${r.deliveries.distinctKeys} / ${r.deliveries.requests} |
| repeated keys / missing / unexpected | ${r.deliveries.repeatedKeys} / ${r.deliveries.missing} / ${r.deliveries.unexpected} |
`);
for (const e of [...r.pingMismatches, ...r.flipErrors].slice(0, 20)) console.log(`! ${e}`);
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(import.meta.dirname, "results", "scale-out.json"), JSON.stringify(r, null, 2));
const lost = r.pingMismatches.length + r.flipErrors.length + r.deliveries.missing + r.deliveries.unexpected;
process.exit(lost ? 1 : 0);
