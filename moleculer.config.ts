// Broker options for every Heartbeats process, built from the one Config.
// No transporter: all services in one process. TRANSPORTER=nats://…: services spread over processes.

import type { BrokerOptions } from "moleculer";
import type { Config } from "./core/config.ts";
import { ParamsValidator } from "./services/params-validator.ts";

/** `metricsReporter`: where metrics go (the ops server's); none: metrics are off and cost nothing. */
export function brokerOptions(config: Config, metricsReporter?: object): BrokerOptions {
  return {
    namespace: config.namespace,
    nodeID: config.nodeId ?? undefined,
    transporter: transporterOptions(config.transporter),
    serializer: "JSON",
    // LOG_FORMAT=json: one object a line, {"ts","level","msg","nodeID","ns","mod","svc"?}, for collectors.
    logger: {
      type: "Console",
      options: {
        level: config.logLevel,
        colors: config.logFormat === "text" && process.stdout.isTTY === true,
        moduleColors: false,
        formatter: config.logFormat === "json" ? "json" : "short",
        autoPadding: false,
      },
    },
    requestTimeout: 15_000,
    // Calls that failed because a node vanished are retried on another one; pings are idempotent
    // only per delivery, so ingest calls are not retried here (the job's own retry is the retry).
    retryPolicy: { enabled: false },
    registry: { strategy: "RoundRobin", preferLocal: true },
    // A node killed without a goodbye is only noticed when its heartbeats stop: until then calls
    // may still be routed to it. Six seconds bounds that window.
    heartbeatInterval: 2,
    heartbeatTimeout: 6,
    // On SIGTERM the broker waits for requests in flight (a ping batch, a channel test) before
    // it stops its services; the whole shutdown is bounded by SHUTDOWN_TIMEOUT in bin/start.ts.
    tracking: { enabled: true, shutdownTimeout: Math.max(1000, config.shutdownTimeoutMs / 2) },
    // No quantiles: Moleculer keeps every sample of the last minute for them and sorts them all
    // at each scrape (seconds of CPU after a burst of a million flips, bench/metrics-scrape.ts);
    // Prometheus computes quantiles from the histogram buckets instead.
    metrics: metricsReporter
      ? { enabled: true, reporter: [metricsReporter as never], defaultQuantiles: null as unknown as number[] }
      : { enabled: false },
    disableBalancer: false,
    // fastest-validator, refusing what would make it throw and null where a rule does not allow it.
    validator: new ParamsValidator(),
    // bin/start.ts owns SIGTERM/SIGINT: Moleculer's own handler would stop the broker and exit
    // as soon as it has, cutting short the drain, the database close and the last log line.
    skipProcessEventRegistration: true,
    errorHandler: undefined,
  };
}

/**
 * NATS reconnects every half second rather than nats.js's 2 s: after a NATS restart, calls a
 * reconnected process sends to one that has not reconnected yet are lost (they time out), so
 * the processes should come back close together.
 */
function transporterOptions(url: string | null): BrokerOptions["transporter"] {
  if (!url) return undefined;
  if (!/^nats:\/\//i.test(url)) return url as BrokerOptions["transporter"];
  return { type: "NATS", options: { url, reconnectTimeWait: 500 } };
}
