// The uptime rule (core/monitor/uptime.ts) with explicit timestamps: paused time excluded, window
// edges, a monitor created inside the window, down at the window's start, never observed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { uptimeOver, uptimeWindows, UPTIME_WINDOWS_MS } from "../../core/monitor/uptime.ts";

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const from = at("2026-12-01T00:00:00Z");
const to = from + 24 * H;
const longAgo = from - 30 * 24 * H;

test("time down counts against the observed time; paused time counts neither way", () => {
  const flips = [
    { to: "up" as const, at: longAgo },
    { to: "down" as const, at: from + 2 * H },
    { to: "up" as const, at: from + 5 * H }, // 3 h down
    { to: "paused" as const, at: from + 10 * H },
    { to: "up" as const, at: from + 22 * H }, // 12 h paused
  ];
  const u = uptimeOver(from, to, longAgo, flips);
  assert.equal(u.downMs, 3 * H);
  assert.equal(u.downFlips, 1);
  assert.equal(u.percent, ((12 - 3) / 12) * 100);
});

test("window edges: a flip exactly at the start sets the status, one exactly at the end does not count", () => {
  const downAtStart = uptimeOver(from, to, longAgo, [
    { to: "up", at: longAgo },
    { to: "down", at: from },
    { to: "up", at: from + 6 * H },
  ]);
  assert.equal(downAtStart.downMs, 6 * H);
  assert.equal(downAtStart.percent, 75);
  const downAtEnd = uptimeOver(from, to, longAgo, [
    { to: "up", at: longAgo },
    { to: "down", at: to },
  ]);
  assert.equal(downAtEnd.percent, 100);
  assert.equal(downAtEnd.downFlips, 0);
});

test("down at the window's start: the flip before the window sets the starting status", () => {
  const u = uptimeOver(from, to, longAgo, [
    { to: "up", at: longAgo },
    { to: "down", at: from - 3 * H },
    { to: "up", at: from + 12 * H },
  ]);
  assert.equal(u.downMs, 12 * H);
  assert.equal(u.percent, 50);
  assert.equal(u.downFlips, 0, "the down flip was before the window");
});

test("a monitor created inside the window is observed only from its creation", () => {
  const created = from + 18 * H;
  const u = uptimeOver(from, to, created, [
    { to: "up", at: created + H },
    { to: "down", at: created + 3 * H }, // 3 h down of 6 h observed
  ]);
  assert.equal(u.downMs, 3 * H);
  assert.equal(u.percent, 50);
});

test("never observed → null: paused the whole window, or created after it", () => {
  assert.equal(uptimeOver(from, to, longAgo, [{ to: "paused", at: longAgo }]).percent, null);
  assert.equal(uptimeOver(from, to, to + H, []).percent, null);
});

test("the 24 h / 7 d / 30 d figures slide with now: a down monitor's uptime falls as time passes", () => {
  const created = at("2026-11-01T00:00:00Z");
  const now = created + UPTIME_WINDOWS_MS.month;
  const flips = [
    { to: "up" as const, at: created },
    { to: "down" as const, at: now - 6 * H },
  ];
  assert.deepEqual(uptimeWindows(now, created, flips), {
    day: 75,
    week: ((168 - 6) / 168) * 100,
    month: ((720 - 6) / 720) * 100,
  });
  assert.equal(uptimeWindows(now + 6 * H, created, flips).day, 50);
});
