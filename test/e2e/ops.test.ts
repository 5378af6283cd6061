// test-runner: alone (it times real work against the machine: see test/run.ts)
// The operator's port (OPS_PORT) of a running process, and its graceful stop: /healthz,
// /readyz, Prometheus metrics that count what really happened, and a SIGTERM that lets the
// work in flight finish while readiness already says "stop sending".

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { eventually, freePort, type Proc } from "../support/system.ts";
import type { Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let proc: Proc;
let base: string;
let ops: string;
let a: Api;
let rx: Receiver;

/** One sample's value from the Prometheus text, or null when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return null;
}

const metrics = async () => (await fetch(`${ops}/metrics`)).text();

before(async () => {
  rx = await startReceiver();
  const opsPort = await freePort();
  ops = `http://127.0.0.1:${opsPort}`;
  server = await startServer(
    "ops",
    { OPS_PORT: String(opsPort), ALLOW_PRIVATE_WEBHOOKS: "true", SHUTDOWN_TIMEOUT: "15", PING_AUTH: "none" },
    { admin },
  );
  ({ proc, base, api: a } = server);
});

after(async () => {
  await server?.stop();
  await rx?.close();
});

test("/healthz and /readyz answer on the ops port, with what readiness checked", async () => {
  const health = await fetch(`${ops}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: "ok" });
  const ready = await fetch(`${ops}/readyz`);
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), {
    status: "ready",
    checks: { process: "ok", services: "ok", database: "ok" },
  });
  assert.equal((await fetch(`${ops}/nothing`)).status, 404);
  assert.equal((await fetch(`${ops}/metrics`, { method: "POST" })).status, 405);
});

test("/metrics counts pings, flips and checker lag; the public port does not serve it", async () => {
  const mk = (name: string, periodSeconds: number) =>
    a.call("POST", "/api/v1/monitors", { name, schedule: { kind: "interval", periodSeconds, graceSeconds: 1 } });
  const pinged = (await mk("metrics-pinged", 3600)).body;
  const silent = (await mk("metrics-silent", 1)).body;
  for (let i = 0; i < 3; i++) assert.equal((await fetch(`${base}/ping/${pinged.code}`)).status, 200);
  assert.equal((await fetch(`${base}/ping/${pinged.code}/fail`)).status, 200);
  assert.equal((await fetch(`${base}/ping/nosuchcode1`)).status, 404);

  const text = await eventually(
    async () => {
      const t = await metrics();
      // the never-pinged monitor goes down 2 s after it was created
      return (sample(t, "heartbeats_flips_total", { to: "down" }) ?? 0) >= 2 ? t : null;
    },
    15_000,
    "the down flips in /metrics",
  );
  assert.equal(sample(text, "heartbeats_pings_accepted_total", { kind: "success" }), 3);
  assert.equal(sample(text, "heartbeats_pings_accepted_total", { kind: "fail" }), 1);
  assert.equal(sample(text, "heartbeats_pings_refused_total", { reason: "unknown-code" }), 1);
  // up by the first ping (ingest), down by the failure (ingest), down by the deadline (checker)
  assert.equal(sample(text, "heartbeats_flips_total", { to: "up" }), 1);
  assert.equal(sample(text, "heartbeats_flips_total", { to: "down" }), 2);
  assert.equal(sample(text, "heartbeats_ping_write_seconds_bucket", { le: "+Inf" }), 4);
  assert.equal(sample(text, "heartbeats_checker_lag_seconds_bucket", { le: "+Inf" }), 1);
  assert.ok(
    (sample(text, "heartbeats_checker_lag_seconds_bucket", { le: "1" }) ?? 0) >= 1,
    "the deadline was flipped within a second",
  );
  assert.equal(sample(text, "heartbeats_checker_nodes"), 1);
  // Moleculer's own metrics come along (the gateway sends pings in ingest.pings batches)
  assert.ok((sample(text, "moleculer_request_total", { action: "ingest.pings" }) ?? 0) >= 1);
  assert.ok(silent.id);

  // Database gauges are refreshed every 15 s.
  const gauges = await eventually(
    async () => {
      const t = await metrics();
      return sample(t, "heartbeats_monitors", { status: "down" }) === 2 ? t : null;
    },
    20_000,
    "monitors by status",
  );
  assert.equal(sample(gauges, "heartbeats_monitors", { status: "up" }), 0);

  const pub = await fetch(`${base}/metrics`);
  assert.ok(!(await pub.text()).includes("heartbeats_pings_accepted_total"), "metrics stay off the public port");
});

test("SIGTERM: readiness turns 503 at once, the delivery in flight finishes, the process exits 0", async () => {
  rx.respond("/slow", { status: 200, body: "ok", delayMs: 2500 });
  const ch = (
    await a.call("POST", "/api/v1/channels", { name: "slow hook", type: "webhook", config: { url: `${rx.url}/slow` } })
  ).body;
  assert.ok(ch.id, JSON.stringify(ch));
  const inFlight = a.call("POST", `/api/v1/channels/${ch.id}/test`, {});
  await eventually(
    async () => rx.requests.some((r) => r.path === "/slow"),
    5000,
    "the test alert to reach the receiver",
  );
  const signalled = Date.now();
  proc.child.kill("SIGTERM");
  const ready = await eventually(
    async () => {
      const r = await fetch(`${ops}/readyz`);
      return r.status === 503 ? ((await r.json()) as { checks: Record<string, string> }) : null;
    },
    2000,
    "readiness to turn 503",
  );
  assert.equal(ready.checks.process, "stopping");
  const answer = await inFlight;
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.equal(answer.body.ok, true, JSON.stringify(answer.body));
  assert.equal(await proc.exited, 0);
  const took = Date.now() - signalled;
  assert.ok(took < 15_000, `stopped in ${took} ms`);
  assert.match(proc.output.join(""), /SIGTERM: stopping/);
  assert.match(
    proc.output.join(""),
    /stopped in \d+ ms/,
    "the stop ran to its end (database closed, ops server closed)",
  );
});
