// The reference run times in test/fixtures/schedule-vectors/ (see its README): each line an
// expression, a zone, a start and the next runs after it, computed by the reference itself.

import { readFileSync } from "node:fs";

export interface ScheduleVector {
  expr: string;
  zone: string;
  from: number;
  runs: number[];
}

export function scheduleVectors(name: "cron" | "kubernetes" | "oncalendar"): ScheduleVector[] {
  return readFileSync(new URL(`../fixtures/schedule-vectors/${name}.jsonl`, import.meta.url), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as ScheduleVector);
}
