// Why a run is where it is on a DST night: the note a schedule preview shows beside a run that a
// clock change moved, merged, repeated or dropped ("02:30 does not exist on 2026-03-29
// (Europe/Berlin); cron runs it at 03:00"). Pure: it compares the runner's answers with the wall
// clock, so it needs only the dialect's next run and its wall-clock matcher.

import { DAY_MS, SECOND_MS, offsetAt, transitionsBetween, type Transition } from "./zone-time.ts";

export type Runner = "cron" | "kubernetes" | "systemd";

export interface RunModel {
  runner: Runner;
  zone: string;
  /** The runner's next run strictly after `after` (epoch ms), NaN if none. */
  next(after: number): number;
  /** The first wall time in [from, to) the schedule matches, ignoring zones; NaN if none. */
  firstWall(from: number, to: number): number;
}

export interface ClockChangeNote {
  /** moved: skipped wall times run at this run; skipped: they do not run at all; repeated: this run's time happens twice. */
  kind: "moved" | "skipped" | "repeated";
  /** The local date of the change, YYYY-MM-DD. */
  date: string;
  zone: string;
  runner: Runner;
  /** The first and last of the wall times concerned (one when there is one), HH:MM or HH:MM:SS. */
  times: string[];
  /** How many scheduled wall times the change concerns. */
  count: number;
  /** The local time this run happens at. */
  runsAt: string;
  /** repeated: which pass of the repeated time this run is, and whether the runner runs both. */
  pass?: 1 | 2;
  both?: boolean;
  /** The note in English. */
  text: string;
}

const RUNNER_NAMES: Record<Runner, string> = { cron: "cron", kubernetes: "Kubernetes", systemd: "systemd" };
const MAX_COUNTED = 100_000;

/** The note for the run at `at`, the one after `previous` (the previous run, or where the listing starts); undefined where no change is involved. */
export function clockChangeNote(model: RunModel, previous: number, at: number): ClockChangeNote | undefined {
  const { zone } = model;
  const near = transitionsBetween(zone, Math.min(previous, at - DAY_MS), at + DAY_MS);
  if (near.length === 0) return undefined;
  const offset = offsetAt(zone, at);
  const wall = at + offset;
  const seconds = hasSeconds(model, wall);

  for (const t of near) {
    if (t.before <= t.after) continue;
    const from = t.at + t.after;
    const to = t.at + t.before;
    if (wall < from || wall >= to) continue;
    const pass: 1 | 2 = at < t.at ? 1 : 2;
    const other = pass === 1 ? wall - t.after : wall - t.before;
    // Whether the runner also runs the other pass, asked the way it walks: after this run, or from
    // the previous one (its answer near a change can depend on where its search starts).
    const both =
      pass === 1 ? model.next(at) === other : previous < other ? false : model.next(other - SECOND_MS) === other;
    const time = clock(wall, seconds);
    const runner = RUNNER_NAMES[model.runner];
    const text = both
      ? `${time} happens twice on ${date(t)} (${zone}); ${runner} runs it both times, this is the ${pass === 1 ? "first" : "second"} (UTC${utcOffset(offset)})`
      : `${time} happens twice on ${date(t)} (${zone}); ${runner} runs it once, the ${pass === 1 ? "first" : "second"} time (UTC${utcOffset(offset)})`;
    return {
      kind: "repeated",
      date: date(t),
      zone,
      runner: model.runner,
      times: [time],
      count: 1,
      runsAt: time,
      pass,
      both,
      text,
    };
  }

  const matchesOwnTime = model.firstWall(wall, wall + SECOND_MS) === wall;
  // The gaps a spring-forward opened: before this run (moved), or between the previous run and it.
  for (const t of near.slice().reverse()) {
    if (t.before >= t.after || t.at > at) continue;
    if (matchesOwnTime && t.at <= previous) continue;
    const walls = scheduledIn(model, t.at + t.before, t.at + t.after);
    if (walls.count === 0) continue;
    const times =
      walls.count === 1 ? [clock(walls.first, seconds)] : [clock(walls.first, seconds), clock(walls.last, seconds)];
    const what =
      walls.count === 1
        ? `${times[0]} does not exist`
        : `${times[0]} to ${times[1]} (${walls.count} times) do not exist`;
    const runner = RUNNER_NAMES[model.runner];
    const runsAt = clock(wall, seconds);
    const kind = matchesOwnTime ? "skipped" : "moved";
    const tail =
      kind === "skipped"
        ? `${runner} does not run ${walls.count === 1 ? "it" : "them"}`
        : `${runner} runs ${walls.count === 1 ? "it" : "them once"} at ${runsAt}`;
    return {
      kind,
      date: date(t),
      zone,
      runner: model.runner,
      times,
      count: walls.count,
      runsAt,
      text: `${what} on ${date(t)} (${zone}); ${tail}`,
    };
  }
  return undefined;
}

function scheduledIn(model: RunModel, from: number, to: number): { count: number; first: number; last: number } {
  let count = 0;
  let first = Number.NaN;
  let last = Number.NaN;
  for (
    let w = model.firstWall(from, to);
    !Number.isNaN(w) && count < MAX_COUNTED;
    w = model.firstWall(w + SECOND_MS, to)
  ) {
    if (count === 0) first = w;
    last = w;
    count++;
  }
  return { count, first, last };
}

/** Whether the schedule uses seconds other than :00 near this time (then times show seconds). */
function hasSeconds(model: RunModel, wall: number): boolean {
  const w = model.firstWall(wall - 3_600_000, wall + 3_600_000);
  return !Number.isNaN(w) && (w / SECOND_MS) % 60 !== 0 ? true : (wall / SECOND_MS) % 60 !== 0;
}

function clock(wall: number, seconds: boolean): string {
  const iso = new Date(wall).toISOString();
  return seconds ? iso.slice(11, 19) : iso.slice(11, 16);
}

function date(t: Transition): string {
  return new Date(t.at + t.after).toISOString().slice(0, 10);
}

function utcOffset(ms: number): string {
  const sign = ms < 0 ? "-" : "+";
  const m = Math.abs(ms) / 60_000;
  return `${sign}${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}
