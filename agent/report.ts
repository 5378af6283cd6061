// Turns one run's host results into the ping to send, in the configured format:
//  original — POST /api/pings/?service=CODE, plus &data=<ip>:<failures>,… when a host fails
//             (non-empty data is a failure on that URL), exactly what the original agent sent;
//  detailed — POST /ping/CODE or /ping/CODE/fail with a readable report as the body.

import {
  evaluate,
  failureReport,
  originalFailureText,
  type Breach,
  type HostError,
} from "../core/hosts/host-checks.ts";
import type { HostMetrics } from "../core/hosts/host-metrics.ts";
import type { AgentConfig, AgentHost } from "./config.ts";

export interface HostOutcome {
  host: AgentHost;
  result: { ok: true; metrics: HostMetrics; breaches: Breach[] } | { ok: false; error: HostError };
  durationMs: number;
}

export interface PingRequest {
  failing: boolean;
  method: "POST";
  url: string;
  body: string | null;
}

export function outcome(
  host: AgentHost,
  collected:
    | { ok: true; metrics: HostMetrics; durationMs: number }
    | { ok: false; kind: HostError["kind"]; error: string; durationMs: number },
): HostOutcome {
  if (!collected.ok)
    return {
      host,
      result: { ok: false, error: { kind: collected.kind, error: collected.error } },
      durationMs: collected.durationMs,
    };
  return {
    host,
    result: { ok: true, metrics: collected.metrics, breaches: evaluate(host.checks, collected.metrics) },
    durationMs: collected.durationMs,
  };
}

function healthy(o: HostOutcome): boolean {
  return o.result.ok && o.result.breaches.length === 0;
}

function summary(o: HostOutcome): string {
  if (!o.result.ok) return `${o.host.name}: ${o.result.error.error}`;
  const m = o.result.metrics;
  const root = m.disks.find((d) => d.mount === "/");
  return `${o.host.name}: ok (cpu ${m.cpuPercent}%, memory ${m.memoryPercent}%, load ${m.load.join(" ")}${root ? `, disk / ${root.usedPercent}%` : ""}; ${o.host.checks.length} checks, ${o.durationMs} ms)`;
}

export function buildPing(config: AgentConfig, outcomes: readonly HostOutcome[]): PingRequest {
  const failing = outcomes.some((o) => !healthy(o));
  const base = config.server.url;
  const code = encodeURIComponent(config.server.code);
  if (config.format === "original") {
    const texts = outcomes
      .map((o) => originalFailureText(o.host.name, o.result.ok ? o.result.breaches : o.result.error))
      .filter((t): t is string => t !== null);
    const data = texts.join(",");
    return {
      failing,
      method: "POST",
      url: `${base}/api/pings/?service=${code}${data ? `&data=${encodeURIComponent(data)}` : ""}`,
      body: null,
    };
  }
  const lines = outcomes.map((o) =>
    healthy(o) ? summary(o) : failureReport(o.host.name, o.result.ok ? o.result.breaches : o.result.error),
  );
  return {
    failing,
    method: "POST",
    url: `${base}/ping/${code}${failing ? "/fail" : ""}`,
    body: lines.join("\n") + "\n",
  };
}
