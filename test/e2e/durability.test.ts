// test-runner: alone (it times real work against the machine: see test/run.ts)
// "A ping acknowledged with 2xx is stored": pings are fired at the server from many
// connections at once and the server is killed with SIGKILL in the middle. After a restart,
// every ping id that was acknowledged must be in the database. Run on SQLite and MariaDB.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady } from "../support/system.ts";
import { api, basic } from "../support/api.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import { openDatabase } from "../../core/db/connect.ts";

const admin: [string, string] = ["root", "correct horse battery"];

async function killUnderLoad(databaseUrl: string, signal: "SIGKILL" | "SIGTERM" = "SIGKILL") {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    LOG_LEVEL: "warn",
  };
  let proc = startProcess("durability", env);
  await waitReady(`${base}/readyz`, [proc]);
  const client = api(base, admin);
  const monitors: { id: number; code: string }[] = [];
  for (let i = 0; i < 20; i++) {
    monitors.push(
      (
        await client.call("POST", "/api/v1/monitors", {
          name: `load-${i}`,
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        })
      ).body,
    );
  }

  const acked: number[] = [];
  const refused: number[] = [];
  let stop = false;
  const auth = basic(...admin);
  const worker = async (w: number) => {
    for (let n = 0; !stop; n++) {
      const m = monitors[(w + n) % monitors.length]!;
      try {
        const res = await fetch(`${base}/api/pings/?service=${m.code}`, {
          method: "POST",
          headers: { authorization: auth },
        });
        if (res.status === 200) acked.push(((await res.json()) as { id: number }).id);
        else refused.push(res.status);
      } catch {
        // the connection died with the server: not acknowledged, so nothing is promised
      }
    }
  };
  const workers = Array.from({ length: 32 }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, 1500));
  const killedAt = Date.now();
  proc.child.kill(signal);
  const exitCode = await proc.exited;
  const exitMs = Date.now() - killedAt;
  stop = true;
  await Promise.all(workers);

  const db = await openDatabase(databaseUrl);
  const stored = new Set((await db.select<{ id: number }>("SELECT id FROM pings")).map((r) => Number(r.id)));
  await db.close();
  const lost = acked.filter((id) => !stored.has(id));
  assert.ok(acked.length > 100, `only ${acked.length} pings were acknowledged before the kill`);
  assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged pings are not stored`);
  if (signal === "SIGTERM") {
    // A graceful stop: in-flight pings are written, later ones are turned away cleanly, and
    // the process leaves on its own, in bounded time.
    assert.equal(exitCode, 0, proc.output.join(""));
    assert.ok(exitMs < 20_000, `stopping took ${exitMs} ms`);
    assert.deepEqual(
      refused.filter((s) => s !== 503),
      [],
      "only 503 while stopping",
    );
  } else {
    assert.deepEqual(
      refused,
      [],
      `no ping was refused while the server ran; it said:\n${proc.output.join("").slice(-4000)}`,
    );
  }

  // The server starts again on the same database and serves the same monitors.
  proc = startProcess("durability-restarted", env);
  await waitReady(`${base}/readyz`, [proc]);
  const after = (await client.call("GET", "/api/v1/monitors?limit=100")).body;
  assert.equal(after.total, 20);
  assert.ok(after.items.every((m: { status: string }) => m.status === "up"));
  await stopProcess(proc);
  return { acked: acked.length, stored: stored.size, exitMs };
}

test("SQLite: SIGKILL under load loses no acknowledged ping", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-durable-"));
  try {
    const r = await killUnderLoad(`sqlite:${path.join(dir, "hb.sqlite")}`);
    t.diagnostic(`acknowledged ${r.acked}, stored ${r.stored} (the difference was in flight when the process died)`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("SQLite: SIGTERM under load stops in bounded time and loses no acknowledged ping", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-durable-"));
  try {
    const r = await killUnderLoad(`sqlite:${path.join(dir, "hb.sqlite")}`, "SIGTERM");
    t.diagnostic(`acknowledged ${r.acked}, stored ${r.stored}, stopped in ${r.exitMs} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const skip = await needs(["mariadb"]);
describe("MariaDB", { skip }, () => {
  test("MariaDB: SIGKILL under load loses no acknowledged ping", async (t) => {
    const db = await scratchDatabase();
    try {
      const r = await killUnderLoad(db.url);
      t.diagnostic(`acknowledged ${r.acked}, stored ${r.stored}`);
    } finally {
      await db.drop();
    }
  });
});
