// The checker under wall-clock jumps: registry, ingest and checker in one broker on SQLite,
// with a clock the test steps an hour forward and back while the monotonic clock runs on.
// Without the checker's clock watch, the forward step flips every monitor down at once.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker } from "moleculer";
import { loadConfig } from "../../core/config.ts";
import { openDatabase, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { loadCatalog } from "../../plugins/catalog.ts";
import { PLAIN_BOX } from "../../core/security/secret-box.ts";
import registryService from "../../services/registry/registry.service.ts";
import ingestService from "../../services/ingest/ingest.service.ts";
import checkerService from "../../services/checker/checker.service.ts";
import { eventually } from "../support/system.ts";

const HOUR = 3_600_000;

describe("the checker when the wall clock jumps", () => {
  let dir: string;
  let db: Database;
  let broker: ServiceBroker;
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const logs: string[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-clock-"));
    const config = loadConfig({ DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}` });
    db = await openDatabase(config.databaseUrl);
    await migrate(db);
    const deps = { config, db, clock, channels: await loadCatalog([]), secrets: PLAIN_BOX };
    broker = new ServiceBroker({
      nodeID: "clock-test",
      logger: { type: "Console", options: { level: "info" } },
      logLevel: "info",
    });
    const log = (...args: unknown[]) => logs.push(args.map(String).join(" "));
    broker.logger.warn = log as never;
    for (const f of [registryService, ingestService, checkerService]) {
      const svc = broker.createService(f(deps));
      svc.logger.warn = log as never;
    }
    await broker.start();
  });

  after(async () => {
    await broker?.stop();
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function flipsOf(ids: number[]): Promise<{ monitor_id: number; to_status: string; reason: string }[]> {
    return db.select("SELECT monitor_id, to_status, reason FROM flips WHERE monitor_id IN (?) ORDER BY id", [ids]);
  }

  test("an hour forward: no monitor flips; deadlines move by the jump; a job that then stops is still caught", async (t) => {
    const ids: number[] = [];
    for (let i = 0; i < 40; i++) {
      const m = (await broker.call("registry.create", {
        name: `fwd-${i}`,
        schedule: { kind: "interval", periodSeconds: 600, graceSeconds: 60 },
      })) as { id: number; code: string };
      await broker.call("ingest.ping", {
        code: m.code,
        kind: "success",
        exitStatus: null,
        data: null,
        dataTruncated: false,
        sourceIp: null,
        userAgent: null,
      });
      ids.push(m.id);
    }
    const short = (await broker.call("registry.create", {
      name: "short",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
    })) as { id: number; code: string };
    const [before] = await db.select<{ down_at: number }>("SELECT down_at FROM monitors WHERE id = ?", [ids[0]]);
    const flipsBefore = (await flipsOf(ids)).length;

    offset += HOUR;
    // The sweep runs every 2 s and a ping wakes the deadline queue at once: both see the jump.
    const pinged = await broker.call("ingest.ping", {
      code: short.code,
      kind: "success",
      exitStatus: null,
      data: null,
      dataTruncated: false,
      sourceIp: null,
      userAgent: null,
    });
    assert.ok(pinged);
    await new Promise((r) => setTimeout(r, 6_000));

    const flips = await flipsOf(ids);
    t.diagnostic(
      `flips of the 40 hourly monitors after a one-hour step forward: ${flips.length - flipsBefore}; ${logs.find((l) => /jumped/.test(l))}`,
    );
    assert.equal(flips.length - flipsBefore, 0, `no false alerts: ${JSON.stringify(flips.slice(0, 3))}`);
    assert.ok(
      logs.some((l) => /jumped forward by 3600 s: 40 deadlines moved/.test(l)),
      "the jump is in the log",
    );
    const [after] = await db.select<{ down_at: number; status: string }>(
      "SELECT down_at, status FROM monitors WHERE id = ?",
      [ids[0]],
    );
    assert.equal(after!.status, "up");
    // The jump is measured against the monotonic clock: within a few ms of the step.
    const moved = Number(after!.down_at) - Number(before!.down_at);
    assert.ok(Math.abs(moved - HOUR) < 100, `the deadline moved by the jump: ${moved} ms`);

    // The job pinged after the step is in the new frame: it keeps its deadline and is caught.
    const down = await eventually(
      async () => (await flipsOf([short.id])).find((f) => f.to_status === "down") ?? null,
      15_000,
      "the silent job's down flip",
    );
    assert.equal(down.reason, "no-ping");
  });

  test("an hour back: no monitor flips; deadlines move back so a silent job is caught on time, not an hour late", async (t) => {
    const m = (await broker.call("registry.create", {
      name: "back",
      schedule: { kind: "interval", periodSeconds: 4, graceSeconds: 1 },
    })) as { id: number; code: string };
    const calm = (await broker.call("registry.create", {
      name: "calm",
      schedule: { kind: "interval", periodSeconds: 600, graceSeconds: 60 },
    })) as { id: number; code: string };
    for (const code of [m.code, calm.code]) {
      await broker.call("ingest.ping", {
        code,
        kind: "success",
        exitStatus: null,
        data: null,
        dataTruncated: false,
        sourceIp: null,
        userAgent: null,
      });
    }
    // Stamped a few seconds before the step, outside the band only post-jump writes occupy.
    await new Promise((r) => setTimeout(r, 3_000));
    const jumpsBefore = logs.filter((l) => /jumped back/.test(l)).length;
    const started = Date.now();
    offset -= HOUR;
    const down = await eventually(
      async () => (await flipsOf([m.id])).find((f) => f.to_status === "down") ?? null,
      20_000,
      "the silent job's down flip",
    );
    t.diagnostic(
      `a job due 5 s after its ping, with the clock stepped back an hour 3 s after it: down flip ${Date.now() - started} ms after the step`,
    );
    assert.equal(down.reason, "no-ping");
    assert.ok(logs.filter((l) => /jumped back by 3600 s/.test(l)).length > jumpsBefore, "the jump is in the log");
    assert.ok(
      !(await flipsOf([calm.id])).some((f) => f.to_status === "down" || f.to_status === "late"),
      "the hourly monitor did not flip",
    );
  });
});
