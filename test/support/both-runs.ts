// One suite run on both of the product's runs: embedded (SQLite, every service in one process, as
// `bin/start.ts`) and distributed (MariaDB + NATS, gateway/registry/ingest in one process and
// checker/notifier in another, so flips and deliveries cross NATS and the row locks are
// MariaDB's). The suite gets the running system's base URL; the distributed one can stop and
// start its back process (a checker away and back).

import { describe, before, after } from "node:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { freePort, startProcess, stopProcess, waitReady, waitOutput, type Proc } from "./system.ts";
import { needs, scratchDatabase, NATS_URL } from "./services.ts";

export type RunKind = "embedded" | "distributed";

export interface RunningSystem {
  base: string;
  /** distributed only: stops the checker/notifier process */
  stopBack?: () => Promise<void>;
  /** distributed only: starts it again, and waits until its checker watches */
  startBack?: () => Promise<void>;
}

/**
 * Declares `${title}, embedded (SQLite)` and `${title}, distributed (MariaDB + NATS, two
 * processes)` (skipped without MariaDB and NATS), each starting its system with `env` before
 * `suite`'s hooks and stopping it after. `prefix` names the processes in the output.
 */
export async function onBothRuns(
  title: string,
  prefix: string,
  env: Record<string, string>,
  suite: (system: () => RunningSystem, kind: RunKind) => void,
): Promise<void> {
  const skipDistributed = await needs(["mariadb", "nats"]);

  describe(`${title}, embedded (SQLite)`, () => {
    let proc: Proc;
    let dir: string;
    let running: RunningSystem;
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `hb-${prefix}-`));
      const port = await freePort();
      proc = startProcess(prefix, {
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: `sqlite:${path.join(dir, `${prefix}.sqlite`)}`,
      });
      await waitReady(`http://127.0.0.1:${port}/readyz`, [proc]);
      running = { base: `http://127.0.0.1:${port}` };
    });
    after(async () => {
      if (proc) await stopProcess(proc);
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });
    suite(() => running, "embedded");
  });

  describe(`${title}, distributed (MariaDB + NATS, two processes)`, { skip: skipDistributed }, () => {
    let front: Proc;
    let back: Proc | null = null;
    let drop: () => Promise<void>;
    let running: RunningSystem;
    before(async () => {
      const db = await scratchDatabase();
      drop = db.drop;
      const port = await freePort();
      const ns = randomBytes(3).toString("hex");
      const common = { ...env, DATABASE_URL: db.url, TRANSPORTER: NATS_URL, NAMESPACE: `hb-test-${ns}` };
      front = startProcess(`${prefix}-front`, {
        ...common,
        SERVICES: "gateway,registry,ingest",
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ID: `${prefix}-front-${ns}`,
      });
      const backEnv = { ...common, SERVICES: "checker,notifier", NODE_ID: `${prefix}-back-${ns}` };
      back = startProcess(`${prefix}-back`, backEnv);
      await waitReady(`http://127.0.0.1:${port}/readyz`, [front, back], 60_000);
      await waitOutput(back, /checker watching/, 60_000);
      await waitOutput(front, new RegExp(`Node '${prefix}-back-[0-9a-f]+' connected`), 60_000);
      running = {
        base: `http://127.0.0.1:${port}`,
        async stopBack() {
          if (back) await stopProcess(back);
          back = null;
        },
        async startBack() {
          back = startProcess(`${prefix}-back`, backEnv);
          await waitOutput(back, /checker watching/, 60_000);
        },
      };
    });
    after(async () => {
      if (front) await stopProcess(front);
      if (back) await stopProcess(back);
      await drop?.();
    });
    suite(() => running, "distributed");
  });
}
