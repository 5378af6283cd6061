// What the per-monitor Prometheus gauges show: every monitor's status, last ping and run in
// progress, with its tags — read at each scrape of the registry's /metrics.

import type { Database } from "./connect.ts";

export interface MonitorSeriesRow {
  code: string;
  name: string;
  status: string;
  lastPingAt: number | null;
  running: boolean;
  /** tag names, sorted */
  tags: string[];
}

// Raw, and hotSelect: two whole-table reads at every scrape. With 10,000 monitors on SQLite they
// took 20-90 ms this way against 120-280 ms through sequelize's select (bench/metrics-scrape.ts).
export async function monitorSeriesRows(db: Database): Promise<MonitorSeriesRow[]> {
  const [monitors, tags] = await Promise.all([
    db.select<{
      id: number;
      code: string;
      name: string;
      status: string;
      last_ping_at: unknown;
      last_start_at: unknown;
    }>("SELECT id, code, name, status, last_ping_at, last_start_at FROM monitors ORDER BY id"),
    db.select<{ monitor_id: number; name: string }>(
      "SELECT mt.monitor_id, t.name FROM monitor_tags mt JOIN tags t ON t.id = mt.tag_id ORDER BY t.name",
    ),
  ]);
  const byMonitor = new Map<number, string[]>();
  for (const t of tags) {
    const id = Number(t.monitor_id);
    const list = byMonitor.get(id);
    if (list) list.push(t.name);
    else byMonitor.set(id, [t.name]);
  }
  return monitors.map((m) => ({
    code: m.code,
    name: m.name,
    status: m.status,
    lastPingAt: m.last_ping_at === null ? null : Number(m.last_ping_at),
    running: m.last_start_at !== null,
    tags: byMonitor.get(Number(m.id))?.sort() ?? [],
  }));
}
