// Detection delay when many deadlines pass at once (the top-of-the-hour burst): N monitors
// whose pings all arrived together go late at the same instant. The delay of each monitor is
// the time from its deadline to its flip being stored; p50/p99/max are printed.
//
//   node bench/detection.ts [--monitors 5000] [--spread-ms 0]

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady, waitOutput } from "../test/support/system.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";

const { values } = parseArgs({ options: { monitors: { type: "string", default: "5000" }, "spread-ms": { type: "string", default: "0" } } });
const n = Number(values.monitors);
const spread = Number(values["spread-ms"]);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-detect-"));
const dbUrl = `sqlite:${path.join(dir, "detect.sqlite")}`;
const db = await openDatabase(dbUrl);
await migrate(db);
// Monitors that pinged a while ago: late at T (+ up to spread), down an hour later.
const T = Date.now() + 8000 + n / 5;
const rows = Array.from({ length: n }, (_, i) => {
  const late = T + (spread ? Math.floor((i * spread) / n) : 0);
  return `('c${i.toString(36).padStart(10, "0")}', 'm${i}', 'interval', 60, 3600, 'UTC', 'grace', 'up', ${T - 60_000}, ${T - 60_000}, ${late}, ${late + 3_600_000}, ${T - 60_000}, 0, ${T - 60_000}, ${T - 60_000})`;
});
for (let i = 0; i < rows.length; i += 500) {
  await db.sequelize.query(
    `INSERT INTO monitors (code, name, schedule_kind, period_seconds, grace_seconds, timezone, deadline, status, armed_at, last_ping_at, late_at, down_at, status_changed_at, ping_count, created_at, updated_at) VALUES ${rows.slice(i, i + 500).join(", ")}`,
  );
}
await db.close();

const port = await freePort();
const proc = startProcess("detection", { PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: dbUrl, LOG_LEVEL: "info" });
await waitReady(`http://127.0.0.1:${port}/readyz`, [proc]);
await waitOutput(proc, /checker watching/, 30_000);
if (Date.now() > T) console.warn("start-up took longer than the lead time: the first flips are late for that reason");
await new Promise((r) => setTimeout(r, Math.max(0, T + spread - Date.now()) + 3000 + n / 2));
await stopProcess(proc);

const check = await openDatabase(dbUrl);
const delays = (await check.select<{ d: number }>("SELECT f.flipped_at - m.late_at AS d FROM flips f JOIN monitors m ON m.id = f.monitor_id WHERE f.to_status = 'late'"))
  .map((r) => Number(r.d))
  .sort((a, b) => a - b);
await check.close();
fs.rmSync(dir, { recursive: true, force: true });

const q = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))];
console.log(`\n${n} monitors, deadlines spread over ${spread} ms, embedded (SQLite)\n`);
console.log("| flipped | p50 ms | p99 ms | max ms |");
console.log("| ---: | ---: | ---: | ---: |");
console.log(`| ${delays.length} / ${n} | ${q(0.5)} | ${q(0.99)} | ${delays[delays.length - 1]} |`);
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(path.join(import.meta.dirname, "results", "detection.json"), JSON.stringify({ monitors: n, spread, flipped: delays.length, p50: q(0.5), p99: q(0.99), max: delays.at(-1) }, null, 2));
if (delays.length !== n) process.exitCode = 1;
