// The dashboard's first screen with 10,000 monitors, in real Chromium: from navigation to the
// first page of rows painted, logged in. Measured in the same run with 10 monitors (the
// baseline: the app's own start-up cost), so the ratio shows what 10,000 add.
//
// Two clocks: "painted" is read in the page itself, from the navigation's start
// (performance.timeOrigin) to the first frame after the 20th row is in the document, so it is
// the app's and the browser's time alone; "seen" is the harness's own, from page.goto() to
// Playwright noticing the row, and adds Playwright's polling and round trips.
//
//   node bench/dashboard.ts [--monitors 10000] [--runs 5]

import { parseArgs } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady } from "../test/support/system.ts";
import { ensureDashboard, launchChromium } from "../test/support/browser.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";

const { values } = parseArgs({
  options: { monitors: { type: "string", default: "10000" }, runs: { type: "string", default: "5" } },
});
const admin = { username: "root", password: "correct horse battery" };

await ensureDashboard();

async function seeded(n: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-bench-dash-"));
  const url = `sqlite:${path.join(dir, "hb.sqlite")}`;
  const db = await openDatabase(url);
  await migrate(db);
  const now = Date.now();
  const statuses = ["up", "up", "up", "late", "down", "new", "paused"];
  for (let i = 0; i < n; i += 500) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const st = statuses[j % statuses.length];
      rows.push(
        `('b${j.toString(36).padStart(12, "0")}', 'job-${String(j).padStart(5, "0")}', 'interval', 3600, 300, 'UTC', 'grace', '${st}', ${now}, ${now - 60_000}, ${now + 3_540_000}, ${now + 3_840_000}, ${now}, 1, ${now}, ${now})`,
      );
    }
    await db.sequelize.query(
      `INSERT INTO monitors (code, name, schedule_kind, period_seconds, grace_seconds, timezone, deadline, status, armed_at, last_ping_at, late_at, down_at, status_changed_at, ping_count, created_at, updated_at) VALUES ${rows.join(", ")}`,
    );
  }
  // Uptime at a glance from real rows: each monitor up since 40 days ago, the down ones down for
  // the last 2 hours, one in three with a 30-minute dip yesterday; 20 runs each for its strip.
  const day = 86_400_000;
  for (let i = 0; i < n; i += 500) {
    const flips = [];
    const pings = [];
    for (let j = i; j < Math.min(n, i + 500); j++) {
      const id = j + 1;
      flips.push(`(${id}, 'new', 'up', 'ping', ${now - 40 * day})`);
      if (j % 3 === 0)
        flips.push(
          `(${id}, 'up', 'down', 'late', ${now - day}), (${id}, 'down', 'up', 'ping', ${now - day + 1_800_000})`,
        );
      if (statuses[j % statuses.length] === "down") flips.push(`(${id}, 'up', 'down', 'late', ${now - 7_200_000})`);
      for (let k = 20; k > 0; k--)
        pings.push(`(${id}, '${k % 7 === 0 ? "fail" : "success"}', 0, ${1000 + k}, ${now - k * 3_600_000})`);
    }
    await db.sequelize.query(
      `INSERT INTO flips (monitor_id, from_status, to_status, reason, flipped_at) VALUES ${flips.join(", ")}`,
    );
    await db.sequelize.query(
      `INSERT INTO pings (monitor_id, kind, data_truncated, duration_ms, received_at) VALUES ${pings.join(", ")}`,
    );
  }
  await db.close();
  return url;
}

/** In the page: the time from the navigation's start to the first frame painted with `rows` rows. */
function markFirstScreen(rows: number): void {
  const w = globalThis as unknown as { document: any; __firstScreen?: number };
  const doc = w.document;
  const seen = new (globalThis as any).MutationObserver(() => {
    if (doc.querySelectorAll('[data-testid="monitor-row"]').length < rows) return;
    seen.disconnect();
    // The next animation frame comes after the frame holding the rows has been painted (or, if
    // they were inserted outside a frame, just before it is); the task queued from it runs once
    // that frame is painted. Either way the mark is at or after the paint, never before.
    (globalThis as any).requestAnimationFrame(() => setTimeout(() => (w.__firstScreen = performance.now())));
  });
  seen.observe(doc, { childList: true, subtree: true });
}

interface Loads {
  painted: number[];
  seen: number[];
}

async function measure(n: number, runs: number): Promise<{ times: Loads; sorted: number[] }> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = startProcess("bench-dashboard", {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: await seeded(n),
    ADMIN_USERNAME: admin.username,
    ADMIN_PASSWORD: admin.password,
  });
  await waitReady(`${base}/readyz`, [proc]);
  const browser = await launchChromium();
  const times: Loads = { painted: [], seen: [] };
  const sorted: number[] = [];
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const login = await context.request.post(`${base}/api/v1/session`, { data: admin });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
    await context.addInitScript(markFirstScreen, Math.min(n, 20));
    for (let r = 0; r < runs + 1; r++) {
      const page = await context.newPage();
      const t0 = Date.now();
      await page.goto(`${base}/monitors`);
      await page
        .locator('[data-testid="monitor-row"]')
        .nth(Math.min(n, 20) - 1)
        .waitFor({ timeout: 30_000 });
      const seen = Date.now() - t0;
      const painted = await page.waitForFunction(() => (globalThis as { __firstScreen?: number }).__firstScreen);
      if (r > 0) {
        // the first load warms the browser's caches
        times.painted.push(Math.round((await painted.jsonValue()) as number));
        times.seen.push(seen);
      }
      await page.close();
    }
    // The list's API sorted by 24 h uptime: the join over all monitors' flips (core/db/uptime.ts).
    for (let r = 0; r < runs + 1; r++) {
      const t0 = Date.now();
      const res = await context.request.get(`${base}/api/v1/monitors?sort=uptime&order=asc&limit=50`);
      if (!res.ok()) throw new Error(`sort=uptime failed: ${res.status()}`);
      if (r > 0) sorted.push(Date.now() - t0);
    }
  } finally {
    await browser.close();
    await stopProcess(proc);
  }
  const asc = (xs: number[]) => xs.sort((x, y) => x - y);
  return { times: { painted: asc(times.painted), seen: asc(times.seen) }, sorted: asc(sorted) };
}

const n = Number(values.monitors);
const runs = Number(values.runs);
const { times: small, sorted: smallSorted } = await measure(10, runs);
const { times: big, sorted: bigSorted } = await measure(n, runs);
const med = (xs: number[]) => xs[Math.floor(xs.length / 2)]!;
console.log(`\nFirst screen of the monitors list, logged in, real Chromium, ${runs} loads each (median / max)\n`);
console.log("| monitors | painted, median ms | max ms | ratio | seen by the harness, median ms | max ms |");
console.log("| ---: | ---: | ---: | ---: | ---: | ---: |");
const line = (label: string, t: Loads) =>
  `| ${label} | ${med(t.painted)} | ${t.painted.at(-1)} | ${(med(t.painted) / med(small.painted)).toFixed(2)} | ${med(t.seen)} | ${t.seen.at(-1)} |`;
console.log(line("10 (baseline)", small));
console.log(line(String(n), big));
console.log(`\nGET /api/v1/monitors?sort=uptime&limit=50, ${runs} requests each (median / max)\n`);
console.log("| monitors | median ms | max ms |");
console.log("| ---: | ---: | ---: |");
console.log(`| 10 | ${med(smallSorted)} | ${smallSorted.at(-1)} |`);
console.log(`| ${n} | ${med(bigSorted)} | ${bigSorted.at(-1)} |`);
fs.mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
fs.writeFileSync(
  path.join(import.meta.dirname, "results", "dashboard.json"),
  JSON.stringify(
    { monitors: n, runs, baseline: small, measured: big, uptimeSortBaseline: smallSorted, uptimeSort: bigSorted },
    null,
    2,
  ),
);
