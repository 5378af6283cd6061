// The list's strip of recent runs, drawn as one CSS background: where each run's bar is, and
// which run the pointer is on, must agree, or a hover would name the wrong run.

import { test } from "node:test";
import assert from "node:assert/strict";
import { stripImage, tickAt, uptimeText, TICK_PX, TICK_GAP_PX } from "../../dashboard/src/app/shared/uptime-strip.ts";

/** The coloured bars of a gradient from stripImage: [colour, from px, to px]. */
function bars(image: string): [string, number, number][] {
  const inner = image.replace(/^linear-gradient\(to right, /, "").replace(/\)$/, "");
  const stops = [
    ...inner.matchAll(
      /((?:color-mix\(in srgb, var\([^)]*\) \d+%, transparent\)|var\([^)]*\)|transparent)) (\d+)px (\d+)px/g,
    ),
  ];
  return stops.filter((m) => m[1] !== "transparent").map((m) => [m[1]!, Number(m[2]), Number(m[3])]);
}

test("each run is one bar, oldest left, in its kind's colour", () => {
  const kinds = ["success", "fail", "start", "log", "success"];
  const b = bars(stripImage(kinds));
  assert.equal(b.length, kinds.length);
  assert.deepEqual(
    b.map(([c]) => c),
    [
      "var(--hb-up)",
      "var(--hb-down)",
      "color-mix(in srgb, var(--hb-late) 60%, transparent)",
      "color-mix(in srgb, var(--hb-new) 40%, transparent)",
      "var(--hb-up)",
    ],
  );
  b.forEach(([, from, to], i) => {
    assert.equal(from, i * (TICK_PX + TICK_GAP_PX));
    assert.equal(to - from, TICK_PX);
  });
});

test("an unknown kind draws in the 'new' colour; no runs draw nothing", () => {
  assert.equal(bars(stripImage(["mystery"]))[0]![0], "var(--hb-new)");
  assert.equal(stripImage([]), "none");
});

test("the pointer names the run whose bar it is on, and none in a gap or past the end", () => {
  const kinds = Array.from({ length: 20 }, (_, i) => (i % 3 ? "success" : "fail"));
  const b = bars(stripImage(kinds));
  for (let x = -2; x < 20 * (TICK_PX + TICK_GAP_PX) + 5; x += 0.5) {
    const onBar = b.findIndex(([, from, to]) => x >= from && x < to);
    assert.equal(tickAt(x, kinds.length), onBar, `x = ${x}`);
  }
  assert.equal(tickAt(0, 0), -1);
});

test("uptime figures are truncated, never rounded up to 100 %", () => {
  assert.equal(uptimeText(99.999), "99.99 %");
  assert.equal(uptimeText(100), "100.00 %");
  assert.equal(uptimeText(0), "0.00 %");
  assert.equal(uptimeText(null), "—");
  assert.equal(uptimeText(undefined), "—");
});
