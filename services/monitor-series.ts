// The per-monitor gauges, as healthchecks.io's hc_check_up and friends, from the registry:
//   heartbeats_monitor_up{code,name,tags}          1, or 0 when down (new, late and paused are 1)
//   heartbeats_monitor_status{code,name,tags,status} 1 for the monitor's status, 0 for the others
//   heartbeats_monitor_last_ping_timestamp_seconds  absent for a monitor that never pinged
//   heartbeats_monitor_running                      1 between a /start and its finish
// `tags` is the monitor's tag names, sorted, joined by commas.

import { STATUSES } from "../core/monitor/monitor-status.ts";
import type { MonitorSeriesRow } from "../core/db/monitor-series.ts";
import { escapeLabel, family } from "./exposition.ts";

export function renderMonitorSeries(rows: readonly MonitorSeriesRow[]): string {
  const labels = rows.map(
    (r) => `code="${escapeLabel(r.code)}",name="${escapeLabel(r.name)}",tags="${escapeLabel(r.tags.join(","))}"`,
  );
  const out: string[] = [
    family("heartbeats_monitor_up", "gauge", "1 unless the monitor is down (new, up, late, paused: 1)"),
  ];
  rows.forEach((r, i) => out.push(`heartbeats_monitor_up{${labels[i]}} ${r.status === "down" ? 0 : 1}\n`));
  out.push(
    family(
      "heartbeats_monitor_status",
      "gauge",
      `The monitor's status, one of ${STATUSES.join(", ")}: 1 for it, 0 for the others`,
    ),
  );
  rows.forEach((r, i) => {
    for (const s of STATUSES)
      out.push(`heartbeats_monitor_status{${labels[i]},status="${s}"} ${r.status === s ? 1 : 0}\n`);
  });
  out.push(
    family(
      "heartbeats_monitor_last_ping_timestamp_seconds",
      "gauge",
      "When the monitor's last ping arrived (absent before its first)",
    ),
  );
  rows.forEach((r, i) => {
    if (r.lastPingAt !== null)
      out.push(`heartbeats_monitor_last_ping_timestamp_seconds{${labels[i]}} ${r.lastPingAt / 1000}\n`);
  });
  out.push(
    family("heartbeats_monitor_running", "gauge", "1 while a run is in progress: a /start ping without its finish"),
  );
  rows.forEach((r, i) => out.push(`heartbeats_monitor_running{${labels[i]}} ${r.running ? 1 : 0}\n`));
  return out.join("");
}
