// Why an alert waits instead of going out: a maintenance window of its monitor, a snooze, or a
// parent that is down. The notifier asks holdOf when it claims a delivery (at the alert's time)
// and again for held rows (now): a row is released, by fateOfHeld's rules
// (core/schedule/maintenance.ts), only when nothing holds its monitor any more.

import { snoozedAt } from "../monitor/snooze.ts";

export const HOLD_KINDS = ["maintenance", "snooze", "parent"] as const;
export type HoldKind = (typeof HOLD_KINDS)[number];

export interface Hold {
  kind: HoldKind;
  /** maintenance: the windows' ids ("3, 5"); snooze: null; parent: the first down parent's name */
  detail: string | null;
}

/** What could hold a monitor's alerts at one moment. */
export interface HoldState {
  /** ids of the maintenance windows covering the monitor then */
  windows: readonly number[];
  /** epoch ms; null: not snoozed */
  snoozedUntil: number | null;
  /** names of its parents that are down */
  downParents: readonly string[];
}

/** The first reason that holds the monitor's alerts at `at` (a window, then a snooze, then a parent), or null. */
export function holdOf(s: HoldState, at: number): Hold | null {
  if (s.windows.length) return { kind: "maintenance", detail: s.windows.join(", ") };
  if (snoozedAt(s.snoozedUntil, at)) return { kind: "snooze", detail: null };
  if (s.downParents.length) return { kind: "parent", detail: s.downParents[0]! };
  return null;
}

/** Why an alert is held, in English, for its row's last_error and the log (dashboards and alerts say it in their own words). */
export function holdText(h: Hold): string {
  if (h.kind === "maintenance") return `maintenance window ${h.detail ?? ""}`;
  if (h.kind === "snooze") return "the monitor is snoozed";
  return `parent ${h.detail ?? ""} is down`;
}

/** A stored hold (deliveries.hold_kind, hold_detail), or null for none or an unknown kind. */
export function storedHold(kind: unknown, detail: unknown): Hold | null {
  if (typeof kind !== "string" || !(HOLD_KINDS as readonly string[]).includes(kind)) return null;
  return { kind: kind as HoldKind, detail: typeof detail === "string" ? detail : null };
}
