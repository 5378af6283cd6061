// Two gateway processes, each with its own registry and ingest, on one scratch MariaDB database
// and one NATS namespace: what the suites use to show that state meant to be shared (sign-in
// counts, sessions) lives in the database, not in a process. The first creates the admin; a
// user "frank" (viewer) is made for the test. Skipped (with the reason) without MariaDB and NATS.

import { before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { api } from "./api.ts";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "./system.ts";
import { needs, scratchDatabase, NATS_URL } from "./services.ts";

export interface Gateway {
  proc: Proc;
  base: string;
}

/** Declares before()/after() for the enclosing suite; `gateways()` hands out the two once started. */
export function twoGateways(
  prefix: string,
  admin: [string, string],
  env: Record<string, string> = {},
): { skip: () => string | undefined; gateways: () => [Gateway, Gateway] } {
  const started: Gateway[] = [];
  let drop: (() => Promise<void>) | undefined;
  let skip: string | undefined;
  before(async () => {
    skip = await needs(["mariadb", "nats"]);
    if (skip) return;
    const db = await scratchDatabase();
    drop = db.drop;
    const ns = randomBytes(3).toString("hex");
    const common = {
      DATABASE_URL: db.url,
      TRANSPORTER: NATS_URL,
      NAMESPACE: `hb-test-${ns}`,
      SERVICES: "gateway,registry,ingest",
      HOST: "127.0.0.1",
      ...env,
    };
    for (const [i, extra] of [
      [1, { ADMIN_USERNAME: admin[0], ADMIN_PASSWORD: admin[1] }],
      [2, {}],
    ] as const) {
      const port = await freePort();
      const proc = startProcess(`${prefix}-gw${i}`, {
        ...common,
        ...extra,
        PORT: String(port),
        NODE_ID: `${prefix}${i}-${ns}`,
      });
      started.push({ proc, base: `http://127.0.0.1:${port}` });
      await waitReady(`http://127.0.0.1:${port}/readyz`, [proc], 60_000);
    }
    const made = await api(started[0]!.base, admin).call("POST", "/api/v1/users", {
      username: "frank",
      password: "frank password 1",
      role: "viewer",
    });
    assert.equal(made.status, 201);
  });
  after(async () => {
    for (const g of started) await stopProcess(g.proc);
    await drop?.();
  });
  return { skip: () => skip, gateways: () => [started[0]!, started[1]!] };
}
