// The standard process_* and nodejs_* series, with prom-client's names and meanings, so that
// the usual dashboards and alerts for Node.js processes work on every Heartbeats process.
// Moleculer's own process_memory_* series are kept; these do not collide with them.

import fs from "node:fs";
import v8 from "node:v8";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { family, labelText, valueText } from "./exposition.ts";

const START_SECONDS = Math.round(Date.now() / 1000 - process.uptime());
const [MAJOR, MINOR, PATCH] = process.versions.node.split(".");

/**
 * Event-loop delay since the previous scrape, sampled every 10 ms (as prom-client does); from the
 * first scrape on, so that a process without OPS_PORT pays nothing.
 */
let loopDelay: ReturnType<typeof monitorEventLoopDelay> | null = null;

/** Open file descriptors; null where /proc is absent (not Linux). */
function openFds(): number | null {
  try {
    return fs.readdirSync("/proc/self/fd").length - 1; // less the one reading the folder
  } catch {
    return null;
  }
}

function maxFds(): number | null {
  try {
    const line = fs
      .readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const n = Number(line?.split(/\s+/)[3]);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

function gauge(name: string, help: string, value: number | null, type: "gauge" | "counter" = "gauge"): string {
  return value === null ? "" : `${family(name, type, help)}${name} ${valueText(value)}\n`;
}

function perLabel(name: string, help: string, label: string, values: [string, number][]): string {
  return family(name, "gauge", help) + values.map(([k, v]) => `${name}${labelText({ [label]: k })} ${v}\n`).join("");
}

/** The series of this process, now. Resets the event-loop delay histogram. */
export function processSeries(): string {
  if (!loopDelay) {
    loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
  }
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  const spaces = v8.getHeapSpaceStatistics();
  const resources = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) resources.set(r, (resources.get(r) ?? 0) + 1);
  const delay = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
  const lag = {
    mean: delay(loopDelay.mean),
    min: loopDelay.count ? delay(loopDelay.min) : 0,
    max: delay(loopDelay.max),
    p50: delay(loopDelay.percentile(50)),
    p90: delay(loopDelay.percentile(90)),
    p99: delay(loopDelay.percentile(99)),
  };
  loopDelay.reset();
  return [
    gauge("process_cpu_user_seconds_total", "User CPU time spent in seconds.", cpu.user / 1e6, "counter"),
    gauge("process_cpu_system_seconds_total", "System CPU time spent in seconds.", cpu.system / 1e6, "counter"),
    gauge(
      "process_cpu_seconds_total",
      "User and system CPU time in seconds.",
      (cpu.user + cpu.system) / 1e6,
      "counter",
    ),
    gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", START_SECONDS),
    gauge("process_resident_memory_bytes", "Resident memory size in bytes.", mem.rss),
    gauge("process_heap_bytes", "Process heap size in bytes.", mem.heapTotal),
    gauge("process_open_fds", "Number of open file descriptors.", openFds()),
    gauge("process_max_fds", "Maximum number of open file descriptors.", maxFds()),
    gauge("nodejs_eventloop_lag_seconds", "Mean event loop lag since the last scrape in seconds.", lag.mean),
    gauge("nodejs_eventloop_lag_min_seconds", "The minimum recorded event loop delay.", lag.min),
    gauge("nodejs_eventloop_lag_max_seconds", "The maximum recorded event loop delay.", lag.max),
    gauge("nodejs_eventloop_lag_mean_seconds", "The mean of the recorded event loop delays.", lag.mean),
    gauge("nodejs_eventloop_lag_p50_seconds", "The 50th percentile of the recorded event loop delays.", lag.p50),
    gauge("nodejs_eventloop_lag_p90_seconds", "The 90th percentile of the recorded event loop delays.", lag.p90),
    gauge("nodejs_eventloop_lag_p99_seconds", "The 99th percentile of the recorded event loop delays.", lag.p99),
    gauge("nodejs_heap_size_total_bytes", "Process heap size from Node.js in bytes.", mem.heapTotal),
    gauge("nodejs_heap_size_used_bytes", "Process heap size used from Node.js in bytes.", mem.heapUsed),
    gauge("nodejs_external_memory_bytes", "Node.js external memory size in bytes.", mem.external),
    perLabel(
      "nodejs_heap_space_size_used_bytes",
      "Process heap space size used from Node.js in bytes.",
      "space",
      spaces.map((s) => [s.space_name.replace(/_space$/, ""), s.space_used_size]),
    ),
    perLabel(
      "nodejs_heap_space_size_total_bytes",
      "Process heap space size total from Node.js in bytes.",
      "space",
      spaces.map((s) => [s.space_name.replace(/_space$/, ""), s.space_size]),
    ),
    perLabel("nodejs_active_resources", "Active resources keeping the event loop alive, by type.", "type", [
      ...resources,
    ]),
    gauge(
      "nodejs_active_resources_total",
      "Total number of active resources.",
      process.getActiveResourcesInfo().length,
    ),
    family("nodejs_version_info", "gauge", "Node.js version info.") +
      `nodejs_version_info${labelText({ version: process.version, major: MAJOR, minor: MINOR, patch: PATCH })} 1\n`,
  ].join("");
}
