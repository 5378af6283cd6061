import { test } from "node:test";
import assert from "node:assert/strict";
import { holdOf, holdText, storedHold } from "../../core/alerts/holds.ts";
import { renderAlert, type AlertFacts } from "../../core/alerts/alert.ts";
import { payload } from "../../plugins/webhook.ts";

const free = { windows: [], snoozedUntil: null, downParents: [] };

test("nothing holds a monitor with no window, no snooze and no down parent", () => {
  assert.equal(holdOf(free, 1000), null);
  assert.equal(holdOf({ ...free, snoozedUntil: 1000 }, 1000), null, "a snooze that ended holds nothing");
});

test("a window, then a snooze, then a down parent", () => {
  assert.deepEqual(holdOf({ windows: [3, 5], snoozedUntil: 2000, downParents: ["db"] }, 1000), {
    kind: "maintenance",
    detail: "3, 5",
  });
  assert.deepEqual(holdOf({ ...free, snoozedUntil: 2000, downParents: ["db"] }, 1000), {
    kind: "snooze",
    detail: null,
  });
  assert.deepEqual(holdOf({ ...free, downParents: ["db", "net"] }, 1000), { kind: "parent", detail: "db" });
});

test("the hold in words, for the outbox row and the log", () => {
  assert.equal(holdText({ kind: "maintenance", detail: "3, 5" }), "maintenance window 3, 5");
  assert.equal(holdText({ kind: "snooze", detail: null }), "the monitor is snoozed");
  assert.equal(holdText({ kind: "parent", detail: "db" }), "parent db is down");
});

test("stored holds: known kinds only", () => {
  assert.deepEqual(storedHold("parent", "db"), { kind: "parent", detail: "db" });
  assert.deepEqual(storedHold("snooze", null), { kind: "snooze", detail: null });
  assert.equal(storedHold(null, null), null);
  assert.equal(storedHold("other", "x"), null);
});

const T = Date.parse("2026-11-24T12:00:00Z");
const facts: AlertFacts = {
  event: "down",
  reminder: 0,
  raisedAt: T,
  monitor: { id: 7, name: "backup", code: "abc", tags: [], timezone: "UTC" },
  flip: { id: 9, from: "up", to: "down", reason: "no-ping", at: T, expectedAt: null },
  lastPingAt: null,
  failure: null,
  downSince: null,
  held: { kind: "parent", detail: "db server" },
  dashboardUrl: null,
};

test("a released alert says what held it, in both languages and in the webhook payload", () => {
  const en = renderAlert(facts);
  assert.deepEqual(
    en.rows.find(([k]) => k === "Held back"),
    ["Held back", "while parent db server was down"],
  );
  assert.match(en.text, /Held back: +while parent db server was down/);
  assert.equal(en.held, "Held back while parent db server was down");
  const zh = renderAlert(facts, "zh-Hans");
  assert.ok(zh.rows.some(([k, v]) => k === "曾被暂缓" && v === "上级监控 db server 故障期间"));
  const body = payload({ event: "down", idempotencyKey: "k", incidentKey: "i", facts, rendered: en });
  assert.deepEqual(body.held, {
    kind: "parent",
    detail: "db server",
    text: "Held back while parent db server was down",
  });
  const snoozed = renderAlert({ ...facts, held: { kind: "snooze", detail: null } });
  assert.equal(snoozed.held, "Held back while the monitor was snoozed");
  const plain = renderAlert({ ...facts, held: null });
  assert.equal(plain.held, null);
  assert.ok(!plain.rows.some(([k]) => k === "Held back"));
  assert.equal(
    payload({ event: "down", idempotencyKey: "k", incidentKey: "i", facts: { ...facts, held: null }, rendered: plain })
      .held,
    null,
  );
});
