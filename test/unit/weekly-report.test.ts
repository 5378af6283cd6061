// The weekly report's pure parts: when it is due, uptime from flips, failures, slowest runs, text.

import { test } from "node:test";
import assert from "node:assert/strict";
import { compileCron } from "../../core/schedule/cron.ts";
import {
  computeReport,
  formatUptime,
  latestRun,
  renderReport,
  REPORT_WEEK_MS,
} from "../../core/alerts/weekly-report.ts";
import type { Clock } from "../../core/checker/clock.ts";

const at = (iso: string) => Date.parse(iso);
const clockAt = (iso: string): Clock => ({ now: () => at(iso) });
const H = 3_600_000;

test("the latest report time: Monday 09:00 in the report's zone, none before the first one", () => {
  const monday9 = compileCron("0 9 * * 1");
  // Wednesday 2026-11-25: the latest Monday 09:00 Shanghai is 2026-11-23 01:00Z.
  assert.equal(
    latestRun(monday9, "Asia/Shanghai", clockAt("2026-11-25T12:00:00Z"), at("2026-11-18T00:00:00Z")),
    at("2026-11-23T01:00:00Z"),
  );
  // Exactly at the time counts; a second before does not.
  assert.equal(
    latestRun(monday9, "UTC", clockAt("2026-11-23T09:00:00Z"), at("2026-11-20T00:00:00Z")),
    at("2026-11-23T09:00:00Z"),
  );
  assert.equal(latestRun(monday9, "UTC", clockAt("2026-11-23T08:59:59Z"), at("2026-11-20T00:00:00Z")), null);
  // A seconds cron (as the tests use): the latest 10 s boundary.
  assert.equal(
    latestRun(compileCron("*/10 * * * * *"), "UTC", clockAt("2026-11-25T12:00:37.500Z"), at("2026-11-25T11:00:00Z")),
    at("2026-11-25T12:00:30Z"),
  );
});

test("uptime counts time down against the observed time; paused time and time before creation count neither way", () => {
  const to = at("2026-11-23T09:00:00Z");
  const from = to - REPORT_WEEK_MS;
  const monitors = [
    { id: 1, name: "backup", code: "b", createdAt: from - 30 * 86_400_000 },
    { id: 2, name: "etl", code: "e", createdAt: from - 86_400_000 },
    { id: 3, name: "young", code: "y", createdAt: to - 24 * H },
    { id: 4, name: "paused", code: "p", createdAt: from - 86_400_000 },
  ];
  const flips = [
    { monitorId: 1, to: "down" as const, reason: "no-ping", at: from - 2 * H }, // down when the week starts…
    { monitorId: 1, to: "up" as const, reason: "ping", at: from + 6 * H }, // …for 6 h
    { monitorId: 1, to: "down" as const, reason: "failure", at: from + 48 * H },
    { monitorId: 1, to: "up" as const, reason: "ping", at: from + 54 * H }, // 6 h more
    { monitorId: 1, to: "down" as const, reason: "failure", at: to + H }, // after the week: ignored
    { monitorId: 3, to: "down" as const, reason: "never-pinged", at: to - 12 * H }, // 12 of its 24 h
    { monitorId: 4, to: "paused" as const, reason: "paused", at: from - H },
  ];
  const pings = [
    { monitorId: 1, kind: "fail", durationMs: 4000, receivedAt: from + 48 * H },
    { monitorId: 1, kind: "success", durationMs: 1500, receivedAt: from + 54 * H },
    { monitorId: 1, kind: "success", durationMs: 9000, receivedAt: from + 70 * H },
    { monitorId: 1, kind: "success", durationMs: 2000, receivedAt: from + 90 * H },
    { monitorId: 1, kind: "success", durationMs: 99_000, receivedAt: from - H }, // before the week
    { monitorId: 2, kind: "success", durationMs: null, receivedAt: from + H },
  ];
  const r = computeReport(to, monitors, flips, pings);
  const by = new Map(r.monitors.map((m) => [m.id, m]));
  assert.equal(r.from, from);
  assert.equal(by.get(1)!.downMs, 12 * H);
  assert.equal(by.get(1)!.uptimePercent, ((168 - 12) / 168) * 100);
  assert.equal(by.get(1)!.downFlips, 1, "the flip before the week only sets the starting status");
  assert.equal(by.get(1)!.failureReports, 1);
  assert.deepEqual(by.get(1)!.slowest, [
    { durationMs: 9000, at: from + 70 * H },
    { durationMs: 4000, at: from + 48 * H },
    { durationMs: 2000, at: from + 90 * H },
  ]);
  assert.equal(by.get(2)!.uptimePercent, 100);
  assert.deepEqual(by.get(2)!.slowest, []);
  assert.equal(by.get(3)!.uptimePercent, 50);
  assert.equal(by.get(4)!.uptimePercent, null);
  // Worst first.
  assert.deepEqual(
    r.monitors.map((m) => m.id),
    [3, 1, 2, 4],
  );
  assert.equal(formatUptime(by.get(1)!.uptimePercent), "92.85 %");
  assert.equal(formatUptime(null), "—");
});

test("the rendered report names each monitor with its uptime, downtime, failures and slowest runs in the zone", () => {
  const to = at("2026-11-23T01:00:00Z");
  const from = to - REPORT_WEEK_MS;
  const r = computeReport(
    to,
    [{ id: 1, name: "backup <db>", code: "abc", createdAt: 0 }],
    [
      { monitorId: 1, to: "down", reason: "failure", at: from + H },
      { monitorId: 1, to: "up", reason: "ping", at: from + H + 90_000 },
    ],
    [{ monitorId: 1, kind: "fail", durationMs: 1234, receivedAt: from + H }],
  );
  const out = renderReport(r, "Asia/Shanghai", "alice");
  assert.equal(out.subject, "[Heartbeats] Weekly report 2026-11-23: 1 monitors, 1 with failures");
  assert.match(out.text, /Week: 2026-11-16 09:00 – 2026-11-23 09:00 Asia\/Shanghai/);
  assert.match(
    out.text,
    /backup <db> \(abc\)\n {2}uptime 99\.98 %, down 1m 30s\n {2}failures: 1 failure reports, 1 times down\n {2}slowest runs: 1234 ms \(2026-11-16 10:00\)/,
  );
  assert.ok(out.html.includes("backup &lt;db&gt;") && !out.html.includes("<db>"));
  // The same report for a user who reads Chinese: every word from the zh-Hans catalog.
  const zh = renderReport(r, "Asia/Shanghai", "alice", "zh-Hans");
  assert.equal(zh.subject, "[Heartbeats] 周报 2026-11-23：共 1 个监控，1 个出现故障");
  assert.match(zh.text, /^alice 的周报\n周期：2026-11-16 09:00 – 2026-11-23 09:00 Asia\/Shanghai/);
  assert.match(
    zh.text,
    /可用率 99\.98 %，故障时长 1分 30秒\n {2}失败：1 次失败报告，1 次故障\n {2}最慢的运行：1234 毫秒（2026-11-16 10:00）/,
  );
  assert.ok(zh.html.startsWith("<h2>周报</h2>"));
});
