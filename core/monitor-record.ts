// A monitors row seen three ways: as the Schedule the math needs, as the Tracked state the
// transitions need, and as the JSON the API returns.

import type { MonitorRow } from "./db/models.ts";
import type { Schedule } from "./schedule.ts";
import type { Status, Tracked } from "./monitor-status.ts";

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function scheduleOf(row: Pick<MonitorRow, "schedule_kind" | "period_seconds" | "grace_seconds" | "cron_expression" | "timezone" | "deadline">): Schedule {
  if (row.schedule_kind === "interval") {
    return { kind: "interval", periodSeconds: Number(row.period_seconds), graceSeconds: Number(row.grace_seconds) };
  }
  return {
    kind: "cron",
    expression: String(row.cron_expression),
    timezone: row.timezone,
    graceSeconds: Number(row.grace_seconds),
    deadline: row.deadline === "end-of-day" ? "end-of-day" : "grace",
  };
}

/** Columns for a schedule; interval monitors keep the zone too, for alert times. */
export function scheduleColumns(s: Schedule, defaultTimezone: string) {
  return s.kind === "interval"
    ? { schedule_kind: "interval", period_seconds: s.periodSeconds, grace_seconds: s.graceSeconds, cron_expression: null, timezone: defaultTimezone, deadline: "grace" }
    : { schedule_kind: "cron", period_seconds: null, grace_seconds: s.graceSeconds, cron_expression: s.expression, timezone: s.timezone, deadline: s.deadline };
}

export function trackedOf(row: Pick<MonitorRow, "status" | "late_at" | "down_at" | "last_ping_at" | "last_start_at">): Tracked {
  return {
    status: row.status as Status,
    lateAt: num(row.late_at),
    downAt: num(row.down_at),
    lastPingAt: num(row.last_ping_at),
    lastStartAt: num(row.last_start_at),
  };
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

export interface MonitorView {
  id: number;
  code: string;
  name: string;
  description: string | null;
  schedule: Schedule;
  timezone: string;
  tags: string[];
  /** ids of the channels alerted on its flips */
  channels: number[];
  /** reminders while down, every so many seconds; null: none */
  repeatEverySeconds: number | null;
  status: Status;
  paused: boolean;
  lastPingAt: string | null;
  lastPingKind: string | null;
  nextDueAt: string | null;
  downAt: string | null;
  statusChangedAt: string | null;
  createdAt: string | null;
  updatedAt: string | null;
}

export function monitorView(row: MonitorRow, tags: string[], channels: number[]): MonitorView {
  const tracked = trackedOf(row);
  return {
    id: Number(row.id),
    code: row.code,
    name: row.name,
    description: row.description ?? null,
    schedule: scheduleOf(row),
    timezone: row.timezone,
    tags,
    channels,
    repeatEverySeconds: row.repeat_every_seconds === null || row.repeat_every_seconds === undefined ? null : Number(row.repeat_every_seconds),
    status: tracked.status,
    paused: tracked.status === "paused",
    lastPingAt: iso(row.last_ping_at),
    lastPingKind: row.last_ping_kind ?? null,
    nextDueAt: iso(row.late_at),
    downAt: iso(row.down_at),
    statusChangedAt: iso(row.status_changed_at),
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}
