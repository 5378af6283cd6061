// /metrics of a running server read by a strict exposition reader: the per-monitor gauges with
// their labels (a name with quotes, a backslash and a line feed), the process and Node.js
// series, and every metric and label that the example alert rules and Grafana dashboard under
// k8s/monitoring/ refer to — so neither can silently point at a series that does not exist.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";
import { eventually, freePort, ROOT } from "../support/system.ts";
import { startServer, type Server } from "../support/server.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { one, parseExposition, type Exposition } from "../support/exposition.ts";
import { promqlRefs } from "../support/promql.ts";

const WEIRD = 'nightly "backup" C:\\jobs\nsecond line';
let server: Server;
let rx: Receiver;
let ops: string;
let scrape: Exposition;
const codes: Record<string, string> = {};

before(async () => {
  rx = await startReceiver();
  const opsPort = await freePort();
  ops = `http://127.0.0.1:${opsPort}`;
  server = await startServer("prometheus", {
    OPS_PORT: String(opsPort),
    ALLOW_PRIVATE_WEBHOOKS: "true",
    PING_AUTH: "none",
  });
  const a = server.api;
  const ch = await a.call("POST", "/api/v1/channels", {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}/hook` },
  });
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  const monitor = async (key: string, body: Record<string, unknown>) => {
    const r = await a.call("POST", "/api/v1/monitors", body);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    codes[key] = r.body.code;
  };
  const hourly = { kind: "interval", periodSeconds: 3600, graceSeconds: 60 };
  await monitor("weird", { name: WEIRD, tags: ["b-tag", "a-tag"], schedule: hourly });
  await monitor("running", { name: "running", schedule: hourly });
  await monitor("silent", {
    name: "silent",
    schedule: { kind: "interval", periodSeconds: 1, graceSeconds: 1 },
    channels: [ch.body.id],
  });
  assert.equal((await fetch(`${server.base}/ping/${codes.weird}`)).status, 200);
  assert.equal((await fetch(`${server.base}/ping/${codes.running}/start`)).status, 200);
  assert.equal((await fetch(`${server.base}/ping/no-such-code-1`)).status, 404);
  // the silent monitor goes down ("never pinged") and its alert is delivered to the webhook
  scrape = await eventually(
    async () => {
      const res = await fetch(`${ops}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
      const e = parseExposition(await res.text());
      const down = one(e, "heartbeats_monitor_up", { code: codes.silent }).value === 0;
      return down && e.samples.some((s) => s.name === "heartbeats_delivery_attempts_total") ? e : null;
    },
    30_000,
    "the silent monitor down and its alert delivered, in /metrics",
    250,
  );
});

after(async () => {
  await server?.stop();
  await rx?.close();
});

const lastPings = (code: string) =>
  scrape.samples.filter((s) => s.name === "heartbeats_monitor_last_ping_timestamp_seconds" && s.labels.code === code)
    .length;

test("per-monitor gauges: up, one-hot status, last ping, run in progress, labels escaped and read back", () => {
  const weird = { code: codes.weird, name: WEIRD, tags: "a-tag,b-tag" };
  assert.equal(one(scrape, "heartbeats_monitor_up", weird).value, 1);
  assert.equal(one(scrape, "heartbeats_monitor_status", { ...weird, status: "up" }).value, 1);
  assert.equal(one(scrape, "heartbeats_monitor_status", { ...weird, status: "down" }).value, 0);
  const lastPing = one(scrape, "heartbeats_monitor_last_ping_timestamp_seconds", weird).value;
  assert.ok(Math.abs(lastPing - Date.now() / 1000) < 60, String(lastPing));
  assert.equal(one(scrape, "heartbeats_monitor_running", weird).value, 0);

  const running = { code: codes.running, name: "running", tags: "" };
  assert.equal(one(scrape, "heartbeats_monitor_running", running).value, 1);
  // a /start alone is not the job's ping: nothing has finished yet
  assert.equal(lastPings(codes.running), 0);

  const silent = { code: codes.silent };
  assert.equal(one(scrape, "heartbeats_monitor_up", silent).value, 0);
  assert.equal(one(scrape, "heartbeats_monitor_status", { ...silent, status: "down" }).value, 1);
  assert.equal(lastPings(codes.silent), 0, "no last ping before the first");
  for (const name of ["heartbeats_monitor_up", "heartbeats_monitor_status", "heartbeats_monitor_running"])
    assert.equal(scrape.types.get(name), "gauge", name);
});

test("the standard process and Node.js series, and Moleculer's, in the same scrape", () => {
  for (const name of [
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "process_open_fds",
    "nodejs_eventloop_lag_seconds",
    "nodejs_heap_size_used_bytes",
    "nodejs_heap_size_total_bytes",
    "moleculer_request_total",
    "heartbeats_pings_accepted_total",
  ])
    assert.ok(
      scrape.samples.some((s) => s.name === name),
      name,
    );
  const rss = one(scrape, "process_resident_memory_bytes").value;
  assert.ok(rss > 20e6 && rss < 4e9, String(rss));
  assert.ok(one(scrape, "process_cpu_seconds_total").value > 0);
  const started = one(scrape, "process_start_time_seconds").value;
  assert.ok(started <= Date.now() / 1000 && started > Date.now() / 1000 - 600, String(started));
});

/** Every expression of the alert rules and of the dashboard's panels, with where it comes from. */
function shippedExpressions(): [string, string][] {
  const rules = YAML.parse(fs.readFileSync(path.join(ROOT, "k8s/monitoring/heartbeats-alerts.yaml"), "utf8"));
  const dashboard = JSON.parse(fs.readFileSync(path.join(ROOT, "k8s/monitoring/heartbeats-dashboard.json"), "utf8"));
  const out: [string, string][] = [];
  for (const g of rules.groups) for (const r of g.rules) out.push([`rule ${r.alert}`, r.expr]);
  for (const p of dashboard.panels) for (const t of p.targets) out.push([`panel "${p.title}"`, t.expr]);
  return out;
}

test("every metric and label the alert rules and the dashboard refer to is in the scrape", () => {
  const exprs = shippedExpressions();
  assert.ok(exprs.length >= 20, `only ${exprs.length} expressions`);
  const labelsOf = (metric: string) =>
    new Set(scrape.samples.filter((s) => s.name === metric).flatMap((s) => Object.keys(s.labels)));
  const problems: string[] = [];
  for (const [where, expr] of exprs) {
    const refs = promqlRefs(expr);
    assert.ok(refs.metrics.size > 0, `${where}: no metric found in ${expr}`);
    for (const m of refs.metrics)
      if (!scrape.samples.some((s) => s.name === m)) problems.push(`${where}: no series ${m}`);
    for (const [m, names] of refs.matchers)
      for (const n of names) if (!labelsOf(m).has(n)) problems.push(`${where}: ${m} has no label ${n}`);
    const available = new Set([...refs.metrics].flatMap((m) => [...labelsOf(m)]));
    for (const n of refs.grouping) if (!available.has(n)) problems.push(`${where}: no series has the label ${n}`);
  }
  assert.deepEqual(problems, []);
});

test("the public port does not serve the per-monitor series", async () => {
  const text = await (await fetch(`${server.base}/metrics`)).text();
  assert.ok(!text.includes("heartbeats_monitor_up"));
});
