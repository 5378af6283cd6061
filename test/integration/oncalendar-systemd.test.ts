// OnCalendar run times against systemd itself: random calendar events (weekdays, lists, ranges,
// repetitions, last days, shorthands) in zones with every kind of clock change, from start times
// around their 2026-2027 changes, each asked of `systemd-analyze calendar` and of core/schedule/oncalendar.ts.
// Needs Debian's systemd (systemd-analyze); CI installs it, elsewhere the test is skipped without.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import fc from "fast-check";
import { CalendarSyntaxError, compileOnCalendar, nextCalendarRun } from "../../core/schedule/oncalendar.ts";
import { transitionsBetween } from "../../core/schedule/zone-time.ts";

const SYSTEMD_ANALYZE = "/usr/bin/systemd-analyze";
const available = fs.existsSync(SYSTEMD_ANALYZE);
const skip = available
  ? false
  : process.env.CI === "true"
    ? false
    : "systemd-analyze is not installed (Debian package systemd)";

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Lord_Howe",
  "America/Santiago",
  "America/Havana",
  "Antarctica/Troll",
  "Pacific/Chatham",
  "Asia/Shanghai",
  "UTC",
  "Europe/London",
  "Australia/Sydney",
];

/**
 * systemd's runs: its UTC lines ("Next elapse: Sun 2026-03-29 01:15:00 UTC", "Iter. #2: …");
 * "refused" when it cannot parse the expression, "failed" when it parses it but cannot compute
 * (systemd 252 answers EDEADLK for some searches across Antarctica/Troll's 2-hour change).
 */
function systemdRuns(expr: string, zone: string, from: number, n: number): number[] | "refused" | "failed" {
  let out: string;
  try {
    out = execFileSync(
      SYSTEMD_ANALYZE,
      ["calendar", `--iterations=${n}`, `--base-time=@${Math.floor(from / 1000)}`, `${expr} ${zone}`],
      {
        env: { TZ: "UTC", PATH: process.env.PATH ?? "" },
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? "");
    return /Failed to parse calendar specification/.test(stderr) ? "refused" : "failed";
  }
  const runs: number[] = [];
  for (const line of out.split("\n")) {
    const m = /(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/.exec(line);
    if (m) runs.push(Date.parse(`${m[1]}T${m[2]}Z`));
  }
  return runs;
}

function ourRuns(expr: string, zone: string, from: number, n: number): number[] | "refused" {
  let cal;
  try {
    cal = compileOnCalendar([expr]);
  } catch (err) {
    if (err instanceof CalendarSyntaxError) return "refused";
    throw err;
  }
  const out: number[] = [];
  for (let t = from, i = 0; i < n; i++) {
    t = nextCalendarRun(cal, zone, t);
    if (Number.isNaN(t)) break;
    out.push(t);
  }
  return out;
}

const list = (item: fc.Arbitrary<string>) => fc.array(item, { minLength: 1, maxLength: 3 }).map((xs) => xs.join(","));
const pad = (n: number) => String(n).padStart(2, "0");
/** One field of a date or time: *, a value, a range, a repetition, or a list of them. */
const field = (min: number, max: number, star = true) => {
  const value = fc.integer({ min, max });
  const item = fc.oneof(
    value.map(pad),
    fc.tuple(value, value).map(([a, b]) => `${pad(Math.min(a, b))}..${pad(Math.max(a, b))}`),
    fc
      .tuple(value, fc.integer({ min: 1, max: Math.max(1, Math.floor((max - min) / 2)) }))
      .map(([a, r]) => `${pad(a)}/${r}`),
  );
  return star ? fc.oneof({ weight: 2, arbitrary: fc.constant("*") }, { weight: 3, arbitrary: list(item) }) : list(item);
};
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const weekdays = list(
  fc.oneof(
    fc.constantFrom(...WEEKDAYS),
    fc
      .tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }))
      .map(([a, b]) => `${WEEKDAYS[Math.min(a, b)]}..${WEEKDAYS[Math.max(a, b)]}`),
  ),
);
const date = fc.oneof(
  fc.tuple(field(1, 12), field(1, 31)).map(([m, d]) => `*-${m}-${d}`),
  fc
    .tuple(field(1, 12), fc.integer({ min: 1, max: 7 }), fc.option(fc.integer({ min: 1, max: 3 })))
    .map(([m, d, r]) => `*-${m}~${pad(d)}${r ? `/${r}` : ""}`),
);
const time = fc
  .tuple(field(0, 23), field(0, 59, true), fc.constantFrom("", ":00", ":30"))
  .map(([h, m, s]) => `${h}:${m}${s}`);
const expression = fc.oneof(
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "minutely",
      "hourly",
      "daily",
      "weekly",
      "monthly",
      "yearly",
      "quarterly",
      "semiannually",
    ),
  },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.option(weekdays, { freq: 3 }), fc.option(date, { freq: 2 }), time)
      .map(([w, d, t]) => [w, d ?? "*-*-*", t].filter((p) => p !== null).join(" ")),
  },
);

// Start times: near a clock change of the zone (within a day), or anywhere in 2026-2027.
const CHANGES = new Map(
  ZONES.map((z) => [
    z,
    transitionsBetween(z, Date.parse("2026-01-01T00:00:00Z"), Date.parse("2028-01-01T00:00:00Z")).map((t) => t.at),
  ]),
);
const startIn = (zone: string) => {
  const changes = CHANGES.get(zone)!;
  const anywhere = fc
    .integer({ min: Date.parse("2026-01-01T00:00:00Z") / 1000, max: Date.parse("2027-12-31T00:00:00Z") / 1000 })
    .map((s) => s * 1000);
  if (changes.length === 0) return anywhere;
  return fc.oneof(
    anywhere,
    fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -86_400, max: 3 * 3600 })).map(([c, d]) => c + d * 1000),
  );
};
const zoneAndStart = fc.constantFrom(...ZONES).chain((zone) => startIn(zone).map((from) => ({ zone, from })));

test("OnCalendar agrees with systemd-analyze on random calendar events", { skip }, () => {
  assert.ok(available, "systemd-analyze is required in CI (Debian package systemd)");
  let compared = 0;
  let failed = 0;
  fc.assert(
    fc.property(expression, zoneAndStart, (expr, { zone, from }) => {
      const theirs = systemdRuns(expr, zone, from, 6);
      if (theirs === "failed") {
        failed++;
        return;
      }
      const ours = ourRuns(expr, zone, from, 6);
      compared++;
      const show = (r: number[] | "refused") =>
        r === "refused" ? r : r.map((t) => new Date(t).toISOString()).join(" ");
      assert.equal(show(ours), show(theirs), `"${expr} ${zone}" from ${new Date(from).toISOString()}`);
    }),
    { numRuns: Number(process.env.ONCALENDAR_SAMPLES ?? 300) },
  );
  // systemd's own failures are rare (Troll only): the comparison must still cover nearly every sample
  assert.ok(compared >= 270, `${compared} compared, ${failed} that systemd could not compute`);
});
