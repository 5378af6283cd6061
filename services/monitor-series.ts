// The per-monitor gauges, as healthchecks.io's hc_check_up and friends, from the registry:
//   heartbeats_monitor_up{code,name,tags}          1, or 0 when down (new, late and paused are 1)
//   heartbeats_monitor_status{code,name,tags,status} 1 for the monitor's status, 0 for the others
//   heartbeats_monitor_last_ping_timestamp_seconds  absent for a monitor that never pinged
//   heartbeats_monitor_running                      1 between a /start and its finish
// `tags` is the monitor's tag names, sorted, joined by commas.

import { STATUSES } from "../core/monitor/monitor-status.ts";
import type { MonitorSeriesRow } from "../core/db/monitor-series.ts";
import { escapeLabel, family } from "./exposition.ts";

// One string per family, grown by concatenation: 10,000 monitors are 70,000 lines (about 8 MB)
// at each scrape; its cost is in docs/performance.md (bench/metrics-scrape.ts).
export function renderMonitorSeries(rows: readonly MonitorSeriesRow[]): string {
  let up = family("heartbeats_monitor_up", "gauge", "1 unless the monitor is down (new, up, late, paused: 1)");
  let status = family(
    "heartbeats_monitor_status",
    "gauge",
    `The monitor's status, one of ${STATUSES.join(", ")}: 1 for it, 0 for the others`,
  );
  let lastPing = family(
    "heartbeats_monitor_last_ping_timestamp_seconds",
    "gauge",
    "When the monitor's last ping arrived (absent before its first)",
  );
  let running = family(
    "heartbeats_monitor_running",
    "gauge",
    "1 while a run is in progress: a /start ping without its finish",
  );
  for (const r of rows) {
    const labels = `{code="${escapeLabel(r.code)}",name="${escapeLabel(r.name)}",tags="${escapeLabel(r.tags.join(","))}"`;
    up += "heartbeats_monitor_up" + labels + (r.status === "down" ? "} 0\n" : "} 1\n");
    for (const s of STATUSES)
      status += "heartbeats_monitor_status" + labels + ',status="' + s + (r.status === s ? '"} 1\n' : '"} 0\n');
    if (r.lastPingAt !== null)
      lastPing += "heartbeats_monitor_last_ping_timestamp_seconds" + labels + "} " + r.lastPingAt / 1000 + "\n";
    running += "heartbeats_monitor_running" + labels + (r.running ? "} 1\n" : "} 0\n");
  }
  return up + status + lastPing + running;
}
