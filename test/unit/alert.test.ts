import { test } from "node:test";
import assert from "node:assert/strict";
import { at, downFacts } from "../support/alert-facts.ts";
import { renderAlert, bothZones, escapeHtml, escapeMarkdown, codeBlock, eventOf } from "../../core/alerts/alert.ts";

const base = downFacts;

test("a down alert names the monitor, the times in its zone and UTC, and what was expected", () => {
  const a = renderAlert(base);
  assert.equal(a.subject, "[Heartbeats] DOWN: nightly-backup — no ping arrived before the deadline");
  assert.match(a.text, /Monitor:\s+nightly-backup \(abcDEF123456\)/);
  assert.match(a.text, /At:\s+2026-11-24 16:05:00 Asia\/Shanghai \(2026-11-24 08:05:00 UTC\)/);
  assert.match(a.text, /Last ping:\s+2026-11-23 16:05:00 Asia\/Shanghai/);
  assert.match(a.text, /Expected:\s+2026-11-24 15:55:00 Asia\/Shanghai/);
  assert.match(a.text, /Tags:\s+db, prod/);
});

test("a failure alert carries the failure text, escaped in HTML", () => {
  const a = renderAlert({
    ...base,
    event: "failure",
    flip: { ...base.flip, from: "up", reason: "failure", expectedAt: null },
    failure: { data: "disk full <script>\nsecond line", exitStatus: 1, truncated: false },
  });
  assert.equal(a.subject, "[Heartbeats] FAILED: nightly-backup — disk full <script>");
  assert.match(a.text, /Failure report:\ndisk full <script>\nsecond line/);
  assert.match(a.text, /Exit status:\s+1/);
  assert.ok(a.html.includes("disk full &lt;script&gt;"));
  assert.ok(!a.html.includes("<script>"));
});

test("a recovery says how long the monitor was down; a never-pinged monitor says never", () => {
  const up = renderAlert({
    ...base,
    event: "up",
    flip: { ...base.flip, from: "down", to: "up", reason: "ping", expectedAt: null },
    downSince: at - 3_723_000,
  });
  assert.equal(up.subject, "[Heartbeats] UP: nightly-backup");
  assert.match(up.text, /Down for:\s+1h 2m 3s/);
  const never = renderAlert({ ...base, lastPingAt: null, flip: { ...base.flip, from: "new", reason: "never-pinged" } });
  assert.match(never.text, /Last ping:\s+never/);
  assert.match(never.subject, /never pinged/);
});

test("times print once when the zone is UTC; HTML escaping covers quotes", () => {
  assert.equal(bothZones(at, "UTC"), "2026-11-24 08:05:00 UTC");
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
});

test("a subject never carries a line break from a monitor name", () => {
  const a = renderAlert({ ...base, monitor: { ...base.monitor, name: "evil\r\nBcc: x@y" } });
  assert.ok(!/[\r\n]/.test(a.subject));
});

test("markdown escapes the monitor's name and fences the failure report so it cannot break out", () => {
  const a = renderAlert({
    ...base,
    event: "failure",
    monitor: { ...base.monitor, name: "*bold* [x](http://evil)" },
    flip: { ...base.flip, from: "up", reason: "failure", expectedAt: null },
    failure: { data: "line\n```\n**not bold**", exitStatus: 2, truncated: true },
  });
  assert.ok(a.markdown.startsWith("**FAILED: \\*bold\\* \\[x\\]\\(http://evil\\)**"));
  assert.ok(a.markdown.includes("Failure report (truncated)"));
  const fence = a.markdown.slice(a.markdown.indexOf("```"));
  assert.equal(fence.match(/```/g)!.length, 2, "only the opening and closing fences remain");
  assert.equal(a.color, "#d93025");
  assert.deepEqual(
    a.rows.find(([k]) => k === "Exit status"),
    ["Exit status", "2"],
  );
});

test("a reminder says how long the monitor has been down and which reminder it is", () => {
  const a = renderAlert({ ...base, event: "reminder", reminder: 3, downSince: at, raisedAt: at + 5_400_000 });
  assert.match(a.subject, /^\[Heartbeats\] STILL DOWN: nightly-backup — down for 1h 30m: no ping arrived/);
  assert.match(a.text, /Reminder:\s+#3/);
  assert.equal(a.color, "#e37400");
});

test("a test alert is labelled as a test", () => {
  const a = renderAlert({ ...base, event: "test", monitor: { ...base.monitor, name: "ops slack" } });
  assert.equal(a.title, "TEST: ops slack");
  assert.match(a.subject, /this channel works/);
});

test("which flips are alerted, and as what", () => {
  assert.equal(eventOf({ from: "late", to: "down", reason: "no-ping" }), "down");
  assert.equal(eventOf({ from: "new", to: "down", reason: "never-pinged" }), "down");
  assert.equal(eventOf({ from: "up", to: "down", reason: "failure" }), "failure");
  assert.equal(eventOf({ from: "down", to: "up", reason: "ping" }), "up");
  assert.equal(eventOf({ from: "late", to: "up", reason: "ping" }), null);
  assert.equal(eventOf({ from: "up", to: "late", reason: "late" }), null);
  assert.equal(eventOf({ from: "down", to: "paused", reason: "paused" }), null);
});

test("markdown escaping and code fences", () => {
  assert.equal(escapeMarkdown("a_b*c`d<e>"), "a\\_b\\*c\\`d\\<e\\>");
  assert.equal(codeBlock("x"), "```\nx\n```");
});
