// The hand-written exposition (per-monitor series, process series) read back by the tests'
// strict reader, and that reader refusing what Prometheus would refuse.

import { test } from "node:test";
import assert from "node:assert/strict";
import { renderMonitorSeries } from "../../services/monitor-series.ts";
import { processSeries } from "../../services/process-series.ts";
import { escapeLabel } from "../../services/exposition.ts";
import { one, parseExposition } from "../support/exposition.ts";
import { promqlRefs } from "../support/promql.ts";

test("label values escape backslash, double quote and line feed, and nothing else", () => {
  assert.equal(escapeLabel('a\\b"c\nd\te'), 'a\\\\b\\"c\\nd\te');
});

test("per-monitor series: names with quotes, backslashes and line feeds come back as they were", () => {
  const rows = [
    {
      code: "c1",
      name: 'say "hi" C:\\jobs\nline two',
      status: "up",
      lastPingAt: 1_700_000_000_500,
      running: false,
      tags: ["a", "b"],
    },
    { code: "c2", name: "never", status: "new", lastPingAt: null, running: true, tags: [] },
    { code: "c3", name: "dead", status: "down", lastPingAt: 1_700_000_000_000, running: false, tags: ["z"] },
  ];
  const e = parseExposition(renderMonitorSeries(rows));
  const c1 = { code: "c1", name: rows[0].name, tags: "a,b" };
  assert.equal(one(e, "heartbeats_monitor_up", c1).value, 1);
  assert.equal(one(e, "heartbeats_monitor_up", { code: "c2", tags: "" }).value, 1, "new counts as up");
  assert.equal(one(e, "heartbeats_monitor_up", { code: "c3" }).value, 0);
  assert.equal(one(e, "heartbeats_monitor_status", { ...c1, status: "up" }).value, 1);
  assert.equal(e.samples.filter((s) => s.name === "heartbeats_monitor_status" && s.labels.code === "c1").length, 5);
  assert.equal(
    e.samples.filter((s) => s.name === "heartbeats_monitor_status" && s.value === 1).length,
    3,
    "one status each",
  );
  assert.equal(one(e, "heartbeats_monitor_last_ping_timestamp_seconds", c1).value, 1_700_000_000.5);
  assert.ok(
    !e.samples.some((s) => s.name === "heartbeats_monitor_last_ping_timestamp_seconds" && s.labels.code === "c2"),
  );
  assert.equal(one(e, "heartbeats_monitor_running", { code: "c2" }).value, 1);
  assert.equal(e.types.get("heartbeats_monitor_up"), "gauge");
  // no monitors: the families are still declared, and valid
  assert.equal(parseExposition(renderMonitorSeries([])).samples.length, 0);
});

test("process series: prom-client's names, valid exposition", () => {
  const e = parseExposition(processSeries());
  for (const name of [
    "process_cpu_seconds_total",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "nodejs_eventloop_lag_seconds",
    "nodejs_eventloop_lag_p99_seconds",
    "nodejs_heap_size_used_bytes",
    "nodejs_heap_size_total_bytes",
    "nodejs_external_memory_bytes",
  ])
    assert.ok(
      e.samples.some((s) => s.name === name),
      name,
    );
  assert.equal(e.types.get("process_cpu_seconds_total"), "counter");
  const start = one(e, "process_start_time_seconds").value;
  assert.ok(Math.abs(start - (Date.now() / 1000 - process.uptime())) < 2);
  assert.ok(one(e, "nodejs_heap_space_size_used_bytes", { space: "new" }).value > 0);
  assert.equal(one(e, "nodejs_version_info").labels.version, process.version);
});

test("the strict reader refuses what Prometheus refuses", () => {
  const bad = [
    'm{a="x\\q"} 1\n', // unknown escape
    'm{a="x} 1\n', // unclosed value
    'm{1a="x"} 1\n', // bad label name
    "m 1", // no final line feed
    "m one\n", // not a number
    'm{a="x"} 1\nm{a="x"} 2\n', // the same series twice
    '# TYPE m gauge\nm 1\n# TYPE n gauge\nn 1\nm{a="y"} 2\n', // a family split
    "# TYPE m gauge\n# TYPE m counter\nm 1\n", // two types
    "# TYPE m gauges\nm 1\n", // unknown type
    "m 1\n# TYPE m gauge\n", // TYPE after samples
  ];
  for (const text of bad) assert.throws(() => parseExposition(text), Error, JSON.stringify(text));
  const ok = parseExposition(
    '# HELP h a \\\\ b\n# TYPE h histogram\nh_bucket{le="+Inf"} 3\nh_sum 1.5\nh_count 3\nx{a="1",} -Inf\n',
  );
  assert.equal(ok.samples.length, 4);
});

test("PromQL references: metrics, matcher labels and groupings, not functions or keywords", () => {
  const r = promqlRefs(
    'histogram_quantile(0.99, sum by (le) (rate(a_bucket{reason="x", kind!~"y"}[5m]))) > 30 and on (code) max by (instance) (b) or absent(c)',
  );
  assert.deepEqual([...r.metrics].sort(), ["a_bucket", "b", "c"]);
  assert.deepEqual([...r.matchers.get("a_bucket")!].sort(), ["kind", "reason"]);
  assert.deepEqual([...r.grouping].sort(), ["code", "le"]);
  assert.deepEqual([...promqlRefs("time() - max by (code, name) (x_seconds) > 86400 * 2").metrics], ["x_seconds"]);
});
