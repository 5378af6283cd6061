// The cron dialects against their references' own outputs: every line of the vector files
// computed by cronsim (Debian cron / cronie rules) and by robfig/cron v3 (Kubernetes).

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { scheduleVectors, type ScheduleVector } from "../support/schedule-vectors.ts";
import { compileCron, nextRun, type CronDialect } from "../../core/schedule/cron.ts";
import { nextDebianRun } from "../../core/schedule/cron-debian.ts";
import { nextKubernetesRun } from "../../core/schedule/cron-kubernetes.ts";

type Vector = ScheduleVector;
const vectors = scheduleVectors;

const iso = (ms: number) => (Number.isNaN(ms) ? "NaN" : new Date(ms).toISOString());

function disagreements(
  set: Vector[],
  dialect: CronDialect,
  next: (expr: string, zone: string, after: number) => number,
): string[] {
  const out: string[] = [];
  for (const v of set) {
    const got: number[] = [];
    let t = v.from;
    for (let i = 0; i < v.runs.length; i++) got.push((t = next(v.expr, v.zone, t)));
    if (got.join() !== v.runs.join()) {
      out.push(
        `${dialect} "${v.expr}" ${v.zone} from ${iso(v.from)}:\n  want ${v.runs.map(iso).join(" ")}\n  got  ${got.map(iso).join(" ")}`,
      );
    }
  }
  return out;
}

const DIALECTS: Array<
  [CronDialect, "cron" | "kubernetes", (c: ReturnType<typeof compileCron>, zone: string, after: number) => number]
> = [
  ["cron", "cron", nextDebianRun],
  ["kubernetes", "kubernetes", nextKubernetesRun],
];

for (const [dialect, file, model] of DIALECTS) {
  describe(`dialect ${dialect} agrees with ${file}.jsonl`, () => {
    const set = vectors(file);

    it(`every one of the ${set.length} lines, through nextRun`, () => {
      assert.ok(set.length >= 1000);
      const bad = disagreements(set, dialect, (e, z, t) => nextRun(compileCron(e, dialect), z, t));
      assert.equal(bad.length, 0, bad.slice(0, 5).join("\n"));
    });

    it("every line through the clock-change model alone (no wall-clock shortcut)", () => {
      const bad = disagreements(set, dialect, (e, z, t) => model(compileCron(e, dialect), z, t));
      assert.equal(bad.length, 0, bad.slice(0, 5).join("\n"));
    });

    it("the wall-clock shortcut gives the model's answer from any start (property)", () => {
      const exprs = [...new Set(set.map((v) => v.expr))];
      const zones = [...new Set(set.map((v) => v.zone))];
      fc.assert(
        fc.property(
          fc.constantFrom(...exprs),
          fc.constantFrom(...zones),
          fc.integer({ min: Date.parse("2026-01-01T00:00:00Z"), max: Date.parse("2027-12-31T00:00:00Z") }),
          (expr, zone, from) => {
            const c = compileCron(expr, dialect);
            let fast = from;
            let slow = from;
            for (let i = 0; i < 3; i++) {
              fast = nextRun(c, zone, fast);
              slow = model(c, zone, slow);
              if (fast <= from || slow <= from) return false;
              assert.equal(iso(fast), iso(slow), `${expr} ${zone} from ${iso(from)}`);
            }
            return true;
          },
        ),
        { numRuns: 3000 },
      );
    });
  });
}

describe("the day-of-month / day-of-week rule", () => {
  const runs = (expr: string, dialect: CronDialect, n: number): string[] => {
    const c = compileCron(expr, dialect);
    const out: string[] = [];
    for (let t = Date.parse("2026-06-01T00:00:00Z"), i = 0; i < n; i++)
      out.push(iso((t = nextRun(c, "UTC", t))).slice(0, 10));
    return out;
  };

  it("Debian cron: a field beginning with * makes both fields count (0 4 */2 * 1-5: odd days that are weekdays)", () => {
    // June 2026: the 1st is a Monday
    assert.deepEqual(runs("0 4 */2 * 1-5", "cron", 5), [
      "2026-06-01",
      "2026-06-03",
      "2026-06-05",
      "2026-06-09",
      "2026-06-11",
    ]);
    // */3 weekdays are Sunday, Wednesday, Saturday: the 1st and 15th of June are Mondays
    assert.deepEqual(runs("0 4 1,15 * */3", "cron", 2), ["2026-07-01", "2026-07-15"]);
    // both restricted without a *: either
    assert.deepEqual(runs("0 4 10 * 1", "cron", 3), ["2026-06-01", "2026-06-08", "2026-06-10"]);
  });

  it("Kubernetes: only a bare * (or */1, ?) counts as *, so */2 ORs with the weekdays", () => {
    assert.deepEqual(runs("0 4 */2 * 1-5", "kubernetes", 5), [
      "2026-06-01",
      "2026-06-02",
      "2026-06-03",
      "2026-06-04",
      "2026-06-05",
    ]);
    assert.deepEqual(runs("0 4 */1 * 1", "kubernetes", 2), ["2026-06-01", "2026-06-08"]);
    assert.deepEqual(runs("0 4 ? * 1", "kubernetes", 2), ["2026-06-01", "2026-06-08"]);
  });
});
