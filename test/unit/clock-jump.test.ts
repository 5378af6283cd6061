import { test } from "node:test";
import assert from "node:assert/strict";
import { ClockWatch } from "../../core/checker/clock-jump.ts";

test("wall and monotonic clocks moving together are no jump, whatever the pause between readings", () => {
  const w = new ClockWatch(2_000);
  assert.equal(w.observe(1_000_000, 10), null);
  assert.equal(w.observe(1_060_000, 60_010), null);
  // NTP slewing and timer jitter stay within the tolerance.
  assert.equal(w.observe(1_061_500, 61_010), null);
});

test("a step forward or back is measured against the monotonic clock, with the band post-jump stamps fall in", () => {
  const w = new ClockWatch(2_000);
  w.observe(1_000_000, 0);
  const fwd = w.observe(1_000_000 + 1_000 + 3_600_000, 1_000);
  assert.equal(fwd?.byMs, 3_600_000);
  assert.deepEqual(fwd?.newFrame, { from: 3_600_000 + 1_001_000 - 1_000 - 2_000, to: 3_600_000 + 1_001_000 + 2_000 });
  const back = w.observe(1_002_000, 2_000);
  assert.equal(back?.byMs, -3_600_000);
  // The next reading compares with the last one, not the first.
  assert.equal(w.observe(1_003_000, 3_000), null);
});
