import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_SNOOZE_SECONDS, parseSnoozeDuration, snoozedAt } from "../../core/monitor/snooze.ts";

test("durations: a number and a unit", () => {
  assert.deepEqual(parseSnoozeDuration("30m"), { ok: true, seconds: 1800 });
  assert.deepEqual(parseSnoozeDuration("2h"), { ok: true, seconds: 7200 });
  assert.deepEqual(parseSnoozeDuration("1d"), { ok: true, seconds: 86_400 });
  assert.deepEqual(parseSnoozeDuration("90s"), { ok: true, seconds: 90 });
  assert.deepEqual(parseSnoozeDuration("7d"), { ok: true, seconds: MAX_SNOOZE_SECONDS });
});

test("at most 7 days, at least a second", () => {
  assert.equal(parseSnoozeDuration("8d").ok, false);
  assert.equal(parseSnoozeDuration("169h").ok, false);
  assert.equal(parseSnoozeDuration("0m").ok, false);
});

test("anything else is refused with the accepted forms", () => {
  for (const bad of ["", "30", "m", "1w", "1.5h", "-1h", "1 h", "1H", "30min", "99999999m"]) {
    const r = parseSnoozeDuration(bad);
    assert.equal(r.ok, false, bad);
    if (!r.ok) assert.match(r.message, /30m|1s and 7d/);
  }
});

test("snoozed until the end, not at it", () => {
  assert.equal(snoozedAt(null, 5), false);
  assert.equal(snoozedAt(10, 9), true);
  assert.equal(snoozedAt(10, 10), false);
});
