// A fault: the disk under the SQLite database fills up (a small tmpfs of the test's own). Pings
// that cannot be stored get a clear 503, never a 500 or a crash; every acknowledged ping is
// stored; once space is freed pings are stored again without a restart; and the database file
// passes SQLite's integrity check afterwards.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { DatabaseSync } from "node:sqlite";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";

/** A 16 MiB tmpfs, or why there cannot be one here. */
function smallDisk(): { dir: string; release: () => void } | string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-disk-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m", "tmpfs", dir], { stdio: "pipe" });
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true });
    const reason = `cannot mount a small tmpfs: ${(err as Error).message.split("\n")[0]}`;
    if (process.env.CI) throw new Error(`${reason} (CI runs as root on a machine that allows it)`, { cause: err });
    return reason;
  }
  return {
    dir,
    release() {
      try {
        execFileSync("umount", [dir], { stdio: "pipe" });
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

const disk = smallDisk();

test(
  "disk full under SQLite: 503 with a clear reason, nothing acknowledged lost, recovery when space returns, no corruption",
  { skip: typeof disk === "string" ? disk : undefined, timeout: 120_000 },
  async (t) => {
    const { dir, release } = disk as Exclude<typeof disk, string>;
    const dbFile = path.join(dir, "hb.sqlite");
    let proc: Proc | null = null;
    try {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const admin: [string, string] = ["root", "correct horse battery"];
      proc = startProcess("disk-full", {
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: `sqlite:${dbFile}`,
        ADMIN_USERNAME: admin[0],
        ADMIN_PASSWORD: admin[1],
        PING_AUTH: "none",
      });
      await waitReady(`${base}/readyz`, [proc]);
      const a = api(base, admin);
      const codes: string[] = [];
      for (let i = 0; i < 10; i++)
        codes.push(
          (
            await a.call("POST", "/api/v1/monitors", {
              name: `job-${i}`,
              schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
            })
          ).body.code,
        );

      // Leave about 2 MiB free, in a file that can be removed to free the disk again.
      const filler = path.join(dir, "filler");
      const free = () => {
        const s = fs.statfsSync(dir);
        return s.bavail * s.bsize;
      };
      fs.writeFileSync(filler, Buffer.alloc(Math.max(0, free() - 2 * 1024 * 1024)));

      const acked = new Map<string, number>();
      const refused = new Map<string, number>();
      const data = "x".repeat(8000);
      let firstRefusal = "";
      for (let i = 0; i < 2000 && (refused.get("503") ?? 0) < 50; i++) {
        const code = codes[i % codes.length]!;
        const res = await fetch(`${base}/ping/${code}`, { method: "POST", body: `${i} ${data}` });
        const body = await res.text();
        if (res.status === 200) acked.set(code, (acked.get(code) ?? 0) + 1);
        else {
          refused.set(String(res.status), (refused.get(String(res.status)) ?? 0) + 1);
          firstRefusal ||= `${res.status} ${res.headers.get("retry-after") ?? "-"} ${body}`;
        }
      }
      const ackedTotal = [...acked.values()].reduce((s, n) => s + n, 0);
      t.diagnostic(
        `disk full after ${ackedTotal} pings; refusals ${JSON.stringify(Object.fromEntries(refused))}; first: ${firstRefusal}`,
      );
      assert.deepEqual([...refused.keys()], ["503"], "only 503s");
      assert.match(firstRefusal, /^503 \d+ .*cannot be stored/, "a 503 with Retry-After and a reason");
      assert.equal(proc.child.exitCode, null, "the process is alive");
      assert.match(proc.output.join(""), /disk is full|SQLITE_FULL/i, "the log says why");

      // Space comes back: pings are stored again, without a restart.
      fs.rmSync(filler);
      for (let i = 0; i < 20; i++) {
        const code = codes[i % codes.length]!;
        const res = await fetch(`${base}/ping/${code}`, { method: "POST", body: "after" });
        assert.equal(res.status, 200, await res.text());
        acked.set(code, (acked.get(code) ?? 0) + 1);
      }
      await stopProcess(proc);
      proc = null;

      const db = new DatabaseSync(dbFile);
      try {
        assert.equal((db.prepare("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check, "ok");
        const stored = new Map(
          (
            db
              .prepare(
                "SELECT m.code AS code, COUNT(p.id) AS n FROM monitors m LEFT JOIN pings p ON p.monitor_id = m.id GROUP BY m.code",
              )
              .all() as { code: string; n: number }[]
          ).map((r) => [r.code, Number(r.n)]),
        );
        for (const code of codes)
          assert.equal(stored.get(code), acked.get(code), `monitor ${code}: stored = acknowledged`);
      } finally {
        db.close();
      }
    } finally {
      if (proc) await stopProcess(proc);
      release();
    }
  },
);
