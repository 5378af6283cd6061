// Heartbeats' own Prometheus metrics, next to Moleculer's. A process exports what its own
// services saw; Prometheus adds the replicas up. Gauges read from the database (monitors by
// status, deliveries by state) are the same on every replica of their service: take max().

import type { ServiceBroker } from "moleculer";

type Labels = Record<string, string>;

interface Definition {
  type: "counter" | "gauge" | "histogram";
  name: string;
  description: string;
  labelNames?: string[];
  buckets?: number[];
}

/** Seconds: from a millisecond write to a minute-long stall. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export const METRICS = {
  pingsAccepted: {
    type: "counter",
    name: "heartbeats.pings.accepted.total",
    description: "Pings stored and acknowledged, by kind",
    labelNames: ["kind"],
  },
  pingsRefused: {
    type: "counter",
    name: "heartbeats.pings.refused.total",
    description: "Pings not stored: unknown code (404) or the database unavailable (503)",
    labelNames: ["reason"],
  },
  pingWrite: {
    type: "histogram",
    name: "heartbeats.ping.write.seconds",
    description: "From a ping reaching ingest to its transaction committing",
    buckets: LATENCY_BUCKETS,
  },
  flips: {
    type: "counter",
    name: "heartbeats.flips.total",
    description: "Status changes recorded, by new status",
    labelNames: ["to"],
  },
  checkerLag: {
    type: "histogram",
    name: "heartbeats.checker.lag.seconds",
    description: "From a deadline passing to its flip being stored",
    buckets: LATENCY_BUCKETS,
  },
  checkerWatched: {
    type: "gauge",
    name: "heartbeats.checker.watched",
    description: "Monitors with a deadline this checker watches",
  },
  checkerNodes: {
    type: "gauge",
    name: "heartbeats.checker.nodes",
    description: "Live checkers sharing the monitors, as this checker sees them",
  },
  monitors: { type: "gauge", name: "heartbeats.monitors", description: "Monitors by status", labelNames: ["status"] },
  deliveries: {
    type: "gauge",
    name: "heartbeats.deliveries",
    description: "Deliveries in the outbox by state",
    labelNames: ["state"],
  },
  deliveryAttempts: {
    type: "counter",
    name: "heartbeats.delivery.attempts.total",
    description: "Delivery attempts by outcome (sent, retry, failed)",
    labelNames: ["outcome"],
  },
} as const satisfies Record<string, Definition>;

/** What a service holds: methods that do nothing when metrics are off (no OPS_PORT). */
export interface Metric {
  increment(labels?: Labels, value?: number): void;
  set(value: number, labels?: Labels): void;
  observe(value: number, labels?: Labels): void;
}

interface MoleculerMetric {
  increment(labels?: Labels, value?: number): void;
  set(value: number, labels?: Labels): void;
  observe(value: number, labels?: Labels): void;
}

const OFF: Metric = { increment() {}, set() {}, observe() {} };

/** Registers a metric once per process (services of one process share it) and returns it. */
export function metric(broker: ServiceBroker, def: Definition): Metric {
  if (!broker.isMetricsEnabled()) return OFF;
  const registry = broker.metrics;
  if (!registry.hasMetric(def.name))
    registry.register({ ...def, rate: false, unit: def.type === "histogram" ? "seconds" : undefined } as never);
  const m = registry.getMetric(def.name) as unknown as MoleculerMetric;
  return {
    increment: (labels, value) => m.increment(labels, value),
    set: (value, labels) => m.set(value, labels),
    observe: (value, labels) => m.observe(value, labels),
  };
}

/** Text in the exposition format that /metrics appends at each scrape, read fresh each time. */
export type ScrapeSource = () => Promise<string>;

const scrapeSources = new WeakMap<ServiceBroker, Set<ScrapeSource>>();

/**
 * Adds series that Moleculer's registry does not hold (one per monitor) to this process's
 * /metrics. Scrapes that overlap share one reading. Returns the function that removes them.
 */
export function addScrapeSource(broker: ServiceBroker, source: ScrapeSource): () => void {
  let reading: Promise<string> | null = null;
  const shared: ScrapeSource = () =>
    (reading ??= source().finally(() => {
      reading = null;
    }));
  const set = scrapeSources.get(broker) ?? new Set();
  scrapeSources.set(broker, set.add(shared));
  return () => set.delete(shared);
}

/** Every source's text; one that fails is left out and `onError` told, so the rest is still served. */
export async function scrapeSourcesText(broker: ServiceBroker, onError: (err: Error) => void): Promise<string> {
  const texts = await Promise.all(
    [...(scrapeSources.get(broker) ?? [])].map((s) =>
      s().catch((err: Error) => {
        onError(err);
        return "";
      }),
    ),
  );
  return texts.join("");
}
