// The floor under bench/ping-ingest.ts's (b) and (c): a bare node:http server that does only the
// durable part of a ping — the ping's row inserted and its monitor's row updated, group-committed
// through Heartbeats' own database layer (db.hotWrite: on SQLite the inline writer and its
// fdatasync, on MariaDB two batches in flight) — and answers 200 after the commit. No code
// validation, no monitor state read or computed, no services, no broker. Whatever Heartbeats
// does costs at least this; its ratio to bare node:http bounds what Heartbeats' ratio can be.
//
//   node bench/ingest-floor.ts --port P --database URL --monitors N
// Monitors get the codes floor-0 … floor-(N-1). Prints "ready" once it listens.

import http from "node:http";
import { parseArgs } from "node:util";
import { openDatabase, placeholders } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";

const { values } = parseArgs({
  options: { port: { type: "string" }, database: { type: "string" }, monitors: { type: "string", default: "10000" } },
});
const monitors = Number(values.monitors);
const db = await openDatabase(values.database!);
await migrate(db);

// Rows as wide as the API makes them, with deadlines, so that the UPDATE moves the due_at index as a ping does.
const now = Date.now();
const idByCode = new Map<string, number>();
const [{ n: existing }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM monitors");
// Started again on the same database (bench --profile): the monitors are there.
for (let from = Number(existing); from < monitors; from += 1000) {
  const rows: unknown[][] = [];
  for (let i = from; i < Math.min(monitors, from + 1000); i++) {
    rows.push([
      `bench-${i}`,
      `floor-${i}`,
      "interval",
      3600,
      3600,
      "UTC",
      "up",
      now,
      now + 3_600_000,
      now + 7_200_000,
      now,
      now,
      now,
    ]);
  }
  const columns = [
    "name",
    "code",
    "schedule_kind",
    "period_seconds",
    "grace_seconds",
    "timezone",
    "status",
    "armed_at",
    "late_at",
    "down_at",
    "status_changed_at",
    "created_at",
    "updated_at",
  ];
  await db.write((t) =>
    db.change(
      `INSERT INTO monitors (${columns.join(", ")}) VALUES ${rows.map(() => `(${placeholders(columns.length)})`).join(", ")}`,
      rows.flat(),
      t,
    ),
  );
}
for (const r of await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors"))
  idByCode.set(r.code, Number(r.id));

const PING_COLUMNS = [
  "monitor_id",
  "kind",
  "exit_status",
  "data",
  "data_truncated",
  "duration_ms",
  "received_at",
  "source_ip",
  "user_agent",
];
// The columns ingest updates for a ping that leaves the status as it was.
const MONITOR_COLUMNS = [
  "late_at",
  "down_at",
  "last_ping_at",
  "last_ping_kind",
  "last_start_at",
  "run_deadline_at",
  "consecutive_failures",
  "consecutive_successes",
  "ping_count",
];

interface Pending {
  id: number;
  at: number;
  res: http.ServerResponse;
}
const queue: Pending[] = [];
// Two batches in flight: one commits (or syncs) while the next one is written. (On MariaDB 1,
// 4 and 8 measured the same, 0.22–0.23× bare; on SQLite 2 did at least as well as 1.)
const depth = 2;
const pingCount = new Map<number, number>();
let writing = 0;
let scheduled = false;

function schedule(): void {
  if (scheduled || writing >= depth) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    if (writing >= depth || !queue.length) return;
    const batch = queue.splice(0, 200);
    writing++;
    void write(batch).finally(() => {
      writing--;
      if (queue.length) schedule();
    });
  });
}

async function write(batch: Pending[]): Promise<void> {
  const last = new Map<number, number>();
  const counts = new Map<number, number>();
  for (const b of batch) {
    last.set(b.id, b.at);
    counts.set(b.id, (counts.get(b.id) ?? 0) + 1);
  }
  try {
    await db.hotWrite(async (tx) => {
      await tx.insertRows(
        "pings",
        PING_COLUMNS,
        batch.map((b) => [b.id, "success", null, null, false, null, b.at, "127.0.0.1", null]),
      );
      const rows = [...last]
        .sort((x, y) => x[0] - y[0])
        .map(([id, at]) => {
          const count = (pingCount.get(id) ?? 0) + counts.get(id)!;
          pingCount.set(id, count);
          return [id, at + 3_600_000, at + 7_200_000, at, "success", null, null, 0, 1, count];
        });
      await tx.updateRows("monitors", "id", MONITOR_COLUMNS, rows);
    });
    for (const b of batch) b.res.writeHead(200, { "content-type": "text/plain" }).end("OK");
  } catch (err) {
    for (const b of batch) b.res.writeHead(503, { "content-type": "text/plain" }).end(String((err as Error).message));
  }
}

http
  .createServer((req, res) => {
    if (req.url === "/readyz") return void res.end("ready");
    const id = req.method === "POST" && req.url?.startsWith("/ping/") ? idByCode.get(req.url.slice(6)) : undefined;
    if (id === undefined) return void res.writeHead(404).end();
    queue.push({ id, at: Date.now(), res });
    schedule();
  })
  .listen(Number(values.port), "127.0.0.1", () => console.log("ready"));
