// Uptime at a glance on the real engines: the figures a monitor answer carries are computed from
// stored flips (one statement for the page), its strip holds its last runs newest first, and the
// list sorted by uptime (in SQL, core/db/uptime.ts) orders as those figures do.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { openDatabase, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import { glancesOf, RECENT_RUNS } from "../../services/registry/uptime.ts";
import { searchMonitors } from "../../core/db/monitors.ts";
import type { UptimeWindow } from "../../core/monitor/uptime.ts";

const H = 3_600_000;
const NOW = Date.parse("2026-12-01T12:00:00Z");
const CREATED = NOW - 40 * 24 * H;

async function addMonitor(db: Database, name: string, created = CREATED): Promise<number> {
  const [id] = await db.write((t) =>
    db.insertRows(
      "monitors",
      ["code", "name", "schedule_kind", "period_seconds", "grace_seconds", "timezone", "deadline", "status"].concat([
        "armed_at",
        "status_changed_at",
        "ping_count",
        "created_at",
        "updated_at",
      ]),
      [[`up-${name}`, name, "interval", 60, 0, "UTC", "grace", "up", created, created, 0, created, created]],
      t,
    ),
  );
  return id!;
}

async function addFlips(db: Database, monitorId: number, flips: [string, string, number][]) {
  await db.write((t) =>
    db.insertRows(
      "flips",
      ["monitor_id", "from_status", "to_status", "reason", "flipped_at"],
      flips.map(([from, to, at]) => [monitorId, from, to, "test", at]),
      t,
    ),
  );
}

async function exercise(db: Database) {
  const steady = await addMonitor(db, "steady");
  const flaky = await addMonitor(db, "flaky");
  const quiet = await addMonitor(db, "quiet");
  await addFlips(db, steady, [["new", "up", CREATED]]);
  // Down 6 h ending 6 h ago, then paused for the last 2 h; down a day 10 days ago.
  await addFlips(db, flaky, [
    ["new", "up", CREATED],
    ["up", "down", NOW - 10 * 24 * H],
    ["down", "up", NOW - 9 * 24 * H],
    ["up", "down", NOW - 12 * H],
    ["down", "up", NOW - 6 * H],
    ["up", "paused", NOW - 2 * H],
  ]);
  await addFlips(db, quiet, [["new", "paused", CREATED]]);
  await db.write((t) =>
    db.insertRows(
      "pings",
      ["monitor_id", "kind", "data_truncated", "duration_ms", "received_at"],
      Array.from({ length: RECENT_RUNS + 5 }, (_, i) => [
        flaky,
        i % 3 === 0 ? "fail" : "success",
        false,
        i % 2 ? 100 + i : null,
        NOW - (RECENT_RUNS + 5 - i) * 60_000,
      ]),
      t,
    ),
  );

  const g = await glancesOf(
    db,
    [steady, flaky, quiet].map((id) => ({ id, createdAt: CREATED })),
    NOW,
  );
  assert.deepEqual(g.get(steady)!.uptime, { day: 100, week: 100, month: 100 });
  assert.deepEqual(g.get(quiet)!.uptime, { day: null, week: null, month: null });
  const f = g.get(flaky)!;
  assert.equal(f.uptime.day, ((22 - 6) / 22) * 100);
  assert.equal(f.uptime.week, ((166 - 6) / 166) * 100);
  assert.equal(f.uptime.month, ((718 - 30) / 718) * 100);
  assert.equal(f.recentRuns.length, RECENT_RUNS);
  assert.deepEqual(f.recentRuns[0], {
    at: new Date(NOW - 60_000).toISOString(),
    kind: (RECENT_RUNS + 4) % 3 === 0 ? "fail" : "success",
    durationMs: (RECENT_RUNS + 4) % 2 ? 100 + RECENT_RUNS + 4 : null,
  });
  const times = f.recentRuns.map((r) => Date.parse(r.at));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
    "newest first",
  );
  assert.deepEqual(g.get(steady)!.recentRuns, []);
  await sortsAsFigures(db);
}

/** sort=uptime (and per window) orders the list as the answers' figures do, both directions. */
async function sortsAsFigures(db: Database) {
  // More shapes: created inside the day, down since before the window, down now, up then paused.
  const young = await addMonitor(db, "young", NOW - 3 * H);
  await addFlips(db, young, [["new", "down", NOW - 2 * H]]);
  const longDown = await addMonitor(db, "long-down");
  await addFlips(db, longDown, [
    ["new", "up", CREATED],
    ["up", "down", NOW - 3 * 24 * H],
  ]);
  const dipped = await addMonitor(db, "dipped");
  await addFlips(db, dipped, [
    ["new", "up", CREATED],
    ["up", "down", NOW - 20 * 24 * H],
    ["down", "up", NOW - 18 * 24 * H],
    ["up", "down", NOW - 3 * H],
  ]);
  const all = await db.select<{ id: number; created_at: number }>("SELECT id, created_at FROM monitors");
  const glances = await glancesOf(
    db,
    all.map((m) => ({ id: Number(m.id), createdAt: Number(m.created_at) })),
    NOW,
  );
  const sorts = { uptime: "day", uptimeWeek: "week", uptimeMonth: "month" } as const;
  for (const [sort, window] of Object.entries(sorts) as [keyof typeof sorts, UptimeWindow][]) {
    for (const order of ["asc", "desc"] as const) {
      const found = await searchMonitors(db, { tags: [], sort, order, limit: 100, offset: 0, now: NOW });
      const figure = (id: number) => glances.get(id)!.uptime[window] ?? -Infinity; // null sorts first ascending
      const expected = [...glances.keys()].sort((a, b) => figure(a) - figure(b) || a - b);
      if (order === "desc") expected.reverse();
      assert.deepEqual(
        found.rows.map((r) => Number(r.id)),
        expected,
        `${sort} ${order}`,
      );
    }
  }
  // The figures differ between the windows, so each sort is its own.
  assert.notDeepEqual(glances.get(dipped)!.uptime.day, glances.get(dipped)!.uptime.month);
}

async function onFresh(kind: "sqlite" | "mariadb") {
  const scratch = kind === "mariadb" ? await scratchDatabase() : null;
  const db = await openDatabase(scratch?.url ?? "sqlite::memory:");
  try {
    await migrate(db);
    await exercise(db);
  } finally {
    await db.close();
    await scratch?.drop();
  }
}

test("SQLite: uptime figures from stored flips and the recent runs strip", () => onFresh("sqlite"));
describe("MariaDB", { skip: await needs(["mariadb"]) }, () => {
  test("MariaDB: uptime figures from stored flips and the recent runs strip", () => onFresh("mariadb"));
});
