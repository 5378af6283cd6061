// test-runner: alone (it times readiness against a second: see test/run.ts)
// Ready means ready, over NATS with one process per service: a gateway alone answers /readyz
// 503 naming the services it calls that have no live node yet (ingest, registry); once an
// ingest node runs it turns 200 within a second, and the first ping after it is accepted — no
// burst of 503 "Service 'ingest.ping' is not registered" from a pod the load balancer trusts.
// The gateway was also given the first admin, which only the registry reads: it says so, once,
// without the password.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { freePort, startProcess, stopProcess, waitOutput, waitReady, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";
import { needs, scratchDatabase, NATS_URL } from "../support/services.ts";

const skip = await needs(["mariadb", "nats"]);
const admin: [string, string] = ["root", "ready means ready 4b1d"];

describe("a gateway is ready once ingest and registry have live nodes", { skip }, () => {
  const ns = randomBytes(3).toString("hex");
  const procs: Proc[] = [];
  let drop: () => Promise<void>;
  let common: Record<string, string>;
  let base: string;
  let ops: string;
  let gateway: Proc;

  const readyz = async (url: string) => {
    const res = await fetch(`${url}/readyz`);
    return { status: res.status, body: (await res.json()) as { status: string; checks: Record<string, string> } };
  };

  before(async () => {
    const db = await scratchDatabase();
    drop = db.drop;
    common = { DATABASE_URL: db.url, TRANSPORTER: NATS_URL, NAMESPACE: `hb-ready-${ns}`, HOST: "127.0.0.1" };
    const [port, opsPort] = [await freePort(), await freePort()];
    base = `http://127.0.0.1:${port}`;
    ops = `http://127.0.0.1:${opsPort}`;
    gateway = startProcess("gateway", {
      ...common,
      SERVICES: "gateway",
      PORT: String(port),
      OPS_PORT: String(opsPort),
      PING_AUTH: "none",
      ADMIN_USERNAME: admin[0],
      ADMIN_PASSWORD: admin[1],
      NODE_ID: `gateway-${ns}`,
    });
    procs.push(gateway);
    await waitOutput(gateway, /heartbeats started/, 60_000);
  });

  after(async () => {
    for (const p of procs) await stopProcess(p);
    await drop?.();
  });

  test("alone: 503 on both ports, naming ingest and registry; the first admin is said to be ignored", async () => {
    for (const url of [base, ops]) {
      const r = await readyz(url);
      assert.equal(r.status, 503, `${url}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.checks.services, "no live node: ingest, registry", url);
    }
    const out = gateway.output.join("");
    const lines = out.split("\n").filter((l) => l.includes("not read by the services of this process"));
    assert.equal(lines.length, 1, out);
    assert.match(lines[0], /\(gateway\), so ignored: DATABASE_URL, ADMIN_USERNAME, ADMIN_PASSWORD$/);
    assert.ok(!out.includes(admin[1]), "the password reached the log");
  });

  test("a registry: still 503, now naming ingest only", async () => {
    const opsPort = await freePort();
    const registry = startProcess("registry", {
      ...common,
      SERVICES: "registry",
      OPS_PORT: String(opsPort),
      ADMIN_USERNAME: admin[0],
      ADMIN_PASSWORD: admin[1],
      NODE_ID: `registry-${ns}`,
    });
    procs.push(registry);
    await waitReady(`http://127.0.0.1:${opsPort}/readyz`, [registry], 60_000);
    // the registry reads the first admin: it is not among what it says it ignores
    assert.doesNotMatch(registry.output.join(""), /so ignored: .*ADMIN_/);
    let r = await readyz(base);
    for (const until = Date.now() + 5000; r.body.checks.services !== "no live node: ingest" && Date.now() < until;)
      r = await readyz(base);
    assert.equal(r.status, 503);
    assert.equal(r.body.checks.services, "no live node: ingest");
  });

  test("an ingest: 200 within a second of it being ready, and the first ping after that is accepted", async () => {
    const a = api(base, admin);
    const created = await a.call("POST", "/api/v1/monitors", {
      name: "ready",
      schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    // without an ingest node this is the 503 the probe now protects from
    assert.equal((await fetch(`${base}/ping/${created.body.code}`)).status, 503);

    const opsPort = await freePort();
    const ingest = startProcess("ingest", {
      ...common,
      SERVICES: "ingest",
      OPS_PORT: String(opsPort),
      NODE_ID: `ingest-${ns}`,
    });
    procs.push(ingest);
    await waitReady(`http://127.0.0.1:${opsPort}/readyz`, [ingest], 60_000);
    const ingestReady = Date.now();
    let r = await readyz(base);
    while (r.status !== 200 && Date.now() - ingestReady < 1000) {
      await new Promise((res) => setTimeout(res, 20));
      r = await readyz(base);
    }
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.checks, { services: "ok", transporter: "ok", database: "ok" });
    assert.equal((await fetch(`${base}/ping/${created.body.code}`)).status, 200);
    assert.equal((await readyz(ops)).status, 200);
  });
});
