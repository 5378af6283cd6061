// The dashboard's framework-free helpers: relative times, ping snippets, the durations chart.

import { test } from "node:test";
import assert from "node:assert/strict";
import { exactTime, formatMs, relativeTime } from "../../dashboard/src/app/core/time.ts";
import { pingUrl, snippets } from "../../dashboard/src/app/monitors/snippets.ts";
import { chartModel } from "../../dashboard/src/app/monitors/chart-model.ts";
import type { Ping } from "../../dashboard/src/app/api/models.ts";

test("relative times", () => {
  const now = Date.parse("2024-05-01T12:00:00Z");
  assert.equal(relativeTime(null, now), "");
  assert.equal(relativeTime("garbage", now), "");
  assert.equal(relativeTime("2024-05-01T11:59:55Z", now), "just now");
  assert.equal(relativeTime("2024-05-01T11:57:00Z", now), "3 min ago");
  assert.equal(relativeTime("2024-05-01T11:59:30Z", now), "30 sec ago");
  assert.equal(relativeTime("2024-05-01T10:00:00Z", now), "2 hours ago");
  assert.equal(relativeTime("2024-04-30T12:00:00Z", now), "1 day ago");
  assert.equal(relativeTime("2024-05-01T13:00:00Z", now), "in 1 hour");
  assert.equal(relativeTime("2024-05-01T12:05:00Z", now), "in 5 min");
  assert.equal(exactTime("2024-05-01T12:00:00Z", "UTC"), "2024-05-01 12:00:00 UTC");
  assert.equal(exactTime(null), "");
  assert.equal(formatMs(350), "350 ms");
  assert.equal(formatMs(1234), "1.2 s");
  assert.equal(formatMs(184_000), "3 min 4 s");
  assert.equal(formatMs(null), "");
});

test("snippets: the original curl line, Python, the healthchecks URL, a crontab line; placeholders, never a password", () => {
  const list = snippets("http://hb.example:8080/", "a1b2");
  const by = Object.fromEntries(list.map((s) => [s.id, s.text]));
  // Without data: the original line's data=… reports a failure.
  assert.equal(by.curl, "curl -u USER:PASS -X POST 'http://hb.example:8080/api/pings/?service=a1b2'");
  assert.equal(
    by.python,
    "import requests\nrequests.post('http://hb.example:8080/api/pings/?service=a1b2', auth=('USER', 'PASS'))",
  );
  assert.equal(
    by.healthchecks,
    "http://hb.example:8080/ping/a1b2\nhttp://hb.example:8080/ping/a1b2/start\nhttp://hb.example:8080/ping/a1b2/fail",
  );
  assert.equal(by.crontab, "0 * * * * /path/job.sh && curl -fsS -u USER:PASS http://hb.example:8080/ping/a1b2");
  assert.equal(pingUrl("http://h", "x y"), "http://h/ping/x%20y");
});

test("chart: bars for durations, ticks for every ping, oldest on the left", () => {
  assert.equal(chartModel([], 600, 140), null);
  const ping = (
    id: number,
    at: string,
    kind: Ping["kind"],
    durationMs: number | null,
    exitStatus: number | null = null,
  ): Ping => ({
    id,
    kind,
    exitStatus,
    data: null,
    dataTruncated: false,
    durationMs,
    receivedAt: at,
    sourceIp: null,
    userAgent: null,
  });
  const m = chartModel(
    [
      ping(3, "2024-05-01T12:02:00Z", "fail", 2000, 1),
      ping(2, "2024-05-01T12:01:00Z", "start", null),
      ping(1, "2024-05-01T12:00:00Z", "success", 1000),
    ],
    600,
    140,
  )!;
  assert.equal(m.ticks.length, 3);
  assert.equal(m.bars.length, 2);
  assert.deepEqual(
    m.ticks.map((t) => t.key),
    [1, 2, 3],
  );
  assert.ok(m.ticks[0].x < m.ticks[1].x && m.ticks[1].x < m.ticks[2].x);
  assert.equal(m.ticks[0].x, m.left);
  assert.equal(m.ticks[2].x, m.width - m.right);
  const [ok, failed] = m.bars;
  assert.equal(ok.kind, "success");
  assert.equal(failed.kind, "fail");
  assert.equal(failed.y, m.top, "the longest run is full height");
  assert.ok(ok.y > failed.y);
  assert.equal(m.maxLabel, "2.0 s");
  const one = chartModel([ping(1, "2024-05-01T12:00:00Z", "success", null)], 600, 140)!;
  assert.equal(one.bars.length, 0);
  assert.match(one.summary, /no run durations/);
});
