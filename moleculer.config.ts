// Broker options for every Heartbeats process, built from the one Config.
// No transporter: all services in one process. TRANSPORTER=nats://…: services spread over processes.

import type { BrokerOptions } from "moleculer";
import type { Config } from "./core/config.ts";

export function brokerOptions(config: Config): BrokerOptions {
  return {
    namespace: config.namespace,
    nodeID: config.nodeId ?? undefined,
    transporter: (config.transporter ?? undefined) as BrokerOptions["transporter"],
    serializer: "JSON",
    logger: {
      type: "Console",
      options: { level: config.logLevel, colors: process.stdout.isTTY === true, moduleColors: false, formatter: "short", autoPadding: false },
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
    tracking: { enabled: true, shutdownTimeout: 10_000 },
    disableBalancer: false,
    validator: true,
    errorHandler: undefined,
  };
}
