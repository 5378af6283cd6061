// Status transitions: what a ping or a passing deadline does to a monitor. Pure; the
// ingest and checker services apply the result through conditional updates.

import { deadlinesAfterArm, deadlinesAfterPing, type Schedule } from "./schedule.ts";

export const STATUSES = ["new", "up", "late", "down", "paused"] as const;
export type Status = (typeof STATUSES)[number];

export type FlipReason = "ping" | "failure" | "late" | "no-ping" | "never-pinged" | "paused" | "resumed";

/** The part of a monitor that transitions read and write. Times are epoch ms. */
export interface Tracked {
  status: Status;
  lateAt: number | null;
  downAt: number | null;
  lastPingAt: number | null;
  lastStartAt: number | null;
}

export interface FlipFacts {
  from: Status;
  to: Status;
  reason: FlipReason;
  /** when the missed ping was expected (deadline flips) */
  expectedAt: number | null;
}

/** What a ping reports about the job's run. */
export type Outcome = "success" | "failure" | "start" | "log";

export interface PingEffect {
  next: Tracked;
  flip: FlipFacts | null;
  /** run duration when a start preceded this finish */
  durationMs: number | null;
}

export function applyPing(state: Tracked, schedule: Schedule, outcome: Outcome, at: number): PingEffect {
  if (outcome === "log") return { next: state, flip: null, durationMs: null };
  if (outcome === "start") return { next: { ...state, lastStartAt: at }, flip: null, durationMs: null };

  const durationMs = state.lastStartAt !== null && state.lastStartAt <= at ? at - state.lastStartAt : null;
  // A report that arrives after a newer one (two ingest replicas) must not move deadlines back.
  const lastPingAt = state.lastPingAt !== null && state.lastPingAt > at ? state.lastPingAt : at;
  if (state.status === "paused") {
    return { next: { ...state, lastPingAt, lastStartAt: null }, flip: null, durationMs };
  }
  const d = deadlinesAfterPing(schedule, lastPingAt);
  const to: Status = outcome === "success" ? "up" : "down";
  const next: Tracked = { status: to, lateAt: d.lateAt, downAt: d.downAt, lastPingAt, lastStartAt: null };
  const flip: FlipFacts | null =
    state.status === to ? null : { from: state.status, to, reason: outcome === "success" ? "ping" : "failure", expectedAt: null };
  return { next, flip, durationMs };
}

/** The flip a passing deadline causes at `now`, if any (one flip, however many runs were missed). */
export function deadlineFlip(state: Tracked, now: number): FlipFacts | null {
  const { status, lateAt, downAt } = state;
  if (downAt === null) return null;
  if (status === "new") return now >= downAt ? { from: "new", to: "down", reason: "never-pinged", expectedAt: lateAt } : null;
  if (status === "up") {
    if (now >= downAt) return { from: "up", to: "down", reason: "no-ping", expectedAt: lateAt };
    if (lateAt !== null && now >= lateAt) return { from: "up", to: "late", reason: "late", expectedAt: lateAt };
    return null;
  }
  if (status === "late") return now >= downAt ? { from: "late", to: "down", reason: "no-ping", expectedAt: lateAt } : null;
  return null;
}

/** When the checker must look at this monitor next, or null when no deadline can flip it. */
export function nextWake(state: Tracked): number | null {
  if (state.downAt === null) return null;
  switch (state.status) {
    case "new":
    case "late":
      return state.downAt;
    case "up":
      return state.lateAt !== null && state.lateAt < state.downAt ? state.lateAt : state.downAt;
    default:
      return null;
  }
}

/** Which flips people hear about: going down, and coming back up from down. */
export function isAlerted(flip: Pick<FlipFacts, "from" | "to">): boolean {
  return flip.to === "down" || (flip.from === "down" && flip.to === "up");
}

export function pause(state: Tracked): { next: Tracked; flip: FlipFacts | null } {
  if (state.status === "paused") return { next: state, flip: null };
  return {
    next: { ...state, status: "paused", lateAt: null, downAt: null },
    flip: { from: state.status, to: "paused", reason: "paused", expectedAt: null },
  };
}

/** Resuming re-arms the monitor as new: it must ping before its first deadline from now. */
export function resume(state: Tracked, schedule: Schedule, now: number): { next: Tracked; flip: FlipFacts | null } {
  if (state.status !== "paused") return { next: state, flip: null };
  const d = deadlinesAfterArm(schedule, now);
  return {
    next: { ...state, status: "new", lateAt: d.lateAt, downAt: d.downAt },
    flip: { from: "paused", to: "new", reason: "resumed", expectedAt: null },
  };
}

/** Deadlines after the schedule itself changed: counted from the last ping, or from arming. */
export function rescheduled(state: Tracked, schedule: Schedule, armedAt: number): Tracked {
  if (state.status === "paused") return state;
  const d = state.lastPingAt !== null && state.status !== "new" ? deadlinesAfterPing(schedule, state.lastPingAt) : deadlinesAfterArm(schedule, armedAt);
  return { ...state, lateAt: d.lateAt, downAt: d.downAt };
}
