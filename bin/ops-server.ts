// The operator's port of every process (OPS_PORT): /healthz says the process is alive,
// /readyz that it can do its work (database and transporter reachable, every service it calls
// has a live node, not shutting down), /metrics serves Moleculer's and our own metrics in
// Prometheus' text format (with the process_* and nodejs_* series and, on a registry, one set of
// gauges per monitor). It is a port of its own so that metrics never reach the public gateway port.

import http from "node:http";
import { MetricReporters, type ServiceBroker } from "moleculer";
import type { Database } from "../core/db/connect.ts";
import { servicesWithoutNode } from "../services/calls.ts";
import { scrapeSourcesText } from "../services/metrics.ts";
import { processSeries } from "../services/process-series.ts";

/**
 * Moleculer's text without its `<metric>_rate` lines: it writes them among the metric's own
 * samples, with no TYPE of their own, which splits the metric's family (invalid exposition,
 * refused by strict readers) as soon as a rate is non-zero; Prometheus computes rates itself.
 */
export function withoutRateLines(text: string): string {
  const lines = text.split("\n");
  const families = new Set(lines.flatMap((l) => /^# TYPE (\S+) /.exec(l)?.[1] ?? []));
  return lines
    .filter((l) => {
      const name = /^([a-zA-Z_:][a-zA-Z0-9_:]*)_rate[{ ]/.exec(l)?.[1];
      return !(name && families.has(name));
    })
    .join("\n");
}

/** Moleculer's Prometheus reporter without its own HTTP server: this one serves it. */
export class ScrapedPrometheusReporter extends MetricReporters.Prometheus {
  override init(registry: unknown): void {
    (MetricReporters.Base.prototype.init as (r: unknown) => void).call(this, registry);
    const self = this as unknown as { opts: { defaultLabels: unknown }; defaultLabels: unknown };
    const labels = self.opts.defaultLabels;
    self.defaultLabels = typeof labels === "function" ? labels.call(this, registry) : labels;
  }

  override stop(): Promise<void> {
    return Promise.resolve();
  }

  text(): string {
    return withoutRateLines((this as unknown as { generatePrometheusResponse(): string }).generatePrometheusResponse());
  }
}

/** Moleculer's registry, then this process's process_* and nodejs_* series, then the per-monitor ones. */
export async function metricsText(broker: ServiceBroker, reporter: ScrapedPrometheusReporter): Promise<string> {
  const sources = await scrapeSourcesText(broker, (err) =>
    broker.logger.warn(`/metrics: series left out of this scrape: ${err.message}`),
  );
  return reporter.text() + processSeries() + sources;
}

export interface OpsServer {
  /** from now on /readyz answers 503, so that load balancers stop sending work */
  draining(): void;
  close(): Promise<void>;
  port: number;
}

export async function startOpsServer(opts: {
  port: number;
  host: string;
  broker: ServiceBroker;
  /** the process's database once it is open; null before, or when the process has none */
  db: () => Database | null;
  reporter: ScrapedPrometheusReporter;
  /** the services this process calls (services/calls.ts): ready once each has a live node */
  calls: readonly string[];
}): Promise<OpsServer> {
  const { broker, db, reporter } = opts;
  let drainingSince: number | null = null;

  async function readiness(): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    if (drainingSince !== null) checks.process = "stopping";
    else if (!broker.started) checks.process = "starting";
    else checks.process = "ok";
    if (opts.calls.length) {
      const missing = servicesWithoutNode(broker, opts.calls);
      checks.services = missing.length ? `no live node: ${missing.join(", ")}` : "ok";
    }
    const transit = (broker as unknown as { transit?: { connected?: boolean } }).transit;
    if (transit) checks.transporter = transit.connected ? "ok" : "down";
    const database = db();
    if (database) {
      try {
        await withTimeout(database.ping(), 3000);
        checks.database = "ok";
      } catch {
        checks.database = "down";
      }
    }
    return { ok: Object.values(checks).every((v) => v === "ok"), checks };
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "text/plain", "method not allowed\n");
    if (path === "/healthz") return send(200, "application/json", JSON.stringify({ status: "ok" }));
    if (path === "/readyz") {
      readiness().then(
        ({ ok, checks }) =>
          send(ok ? 200 : 503, "application/json", JSON.stringify({ status: ok ? "ready" : "not ready", checks })),
        () => send(503, "application/json", JSON.stringify({ status: "not ready" })),
      );
      return;
    }
    if (path === "/metrics") {
      metricsText(broker, reporter).then(
        (text) => send(200, "text/plain; version=0.0.4; charset=utf-8", text),
        (err: Error) => send(500, "text/plain", `metrics failed: ${err.message}\n`),
      );
      return;
    }
    send(404, "text/plain", "not found: /healthz, /readyz, /metrics\n");
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : opts.port,
    draining() {
      drainingSince ??= Date.now();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("timed out")), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
