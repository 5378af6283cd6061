// Monitors, their schedules and history, badges and the schedule preview: what the registry
// answers (core/monitor/monitor-record.ts monitorView, services/registry.service.ts).

import { STATUSES } from "../../core/monitor/monitor-status.ts";
import { PING_KINDS } from "../../core/monitor/ping.ts";
import { HOLD_KINDS } from "../../core/alerts/holds.ts";
import { CRON_DIALECTS } from "../../core/schedule/cron-syntax.ts";
import type { Operations } from "./json-schema.ts";
import {
  arrayOf,
  bool,
  constant,
  dateTime,
  deleted,
  enumOf,
  extend,
  int,
  nullable,
  num,
  object,
  oneOf,
  pageOf,
  ref,
  str,
} from "./json-schema.ts";

const status = enumOf(STATUSES);
const deadline = enumOf(["grace", "end-of-day"]);

const IntervalSchedule = object({ kind: constant("interval"), periodSeconds: int, graceSeconds: int });
const CronSchedule = object({
  kind: constant("cron"),
  expression: str,
  timezone: str,
  dialect: enumOf(CRON_DIALECTS),
  graceSeconds: int,
  deadline,
});
const OnCalendarSchedule = object({
  kind: constant("oncalendar"),
  expressions: arrayOf(str),
  timezone: str,
  graceSeconds: int,
  deadline,
});
/** On input a calendar schedule's zone, grace and deadline (and a cron's dialect) have defaults. */
const calendarDefaults = ["timezone", "dialect", "graceSeconds", "deadline"];

const Monitor = object(
  {
    id: int,
    code: str,
    name: str,
    description: nullable(str),
    schedule: ref("Schedule"),
    timezone: str,
    tags: arrayOf(str),
    channels: arrayOf(int),
    repeatEverySeconds: nullable(int),
    maxRunSeconds: nullable(int),
    slowFactor: nullable(num),
    slowWindow: int,
    failureThreshold: int,
    recoveryThreshold: int,
    // Run rules: down at `failures` of the last `runs` runs; runs too fast, too often, at no scheduled time.
    failureRate: nullable(object({ failures: int, runs: int })),
    minRunSeconds: nullable(int),
    minGapSeconds: nullable(int),
    reportUnexpectedRuns: bool,
    consecutiveFailures: int,
    consecutiveSuccesses: int,
    // With a failure rate: how many of the runs it counts there were so far, and how many failed.
    rateWindow: nullable(object({ runs: int, failed: int })),
    runDeadlineAt: nullable(dateTime),
    // Alerts are held until then (a snooze from the job or the API); null: not snoozed.
    snoozedUntil: nullable(dateTime),
    // Its parents' ids: while one is down, its alerts are held; with each parent's name and status, and its children.
    dependsOn: arrayOf(int),
    parents: arrayOf(ref("LinkedMonitor")),
    children: arrayOf(ref("LinkedMonitor")),
    status,
    paused: bool,
    lastPingAt: nullable(dateTime),
    lastPingKind: nullable(enumOf(PING_KINDS)),
    nextDueAt: nullable(dateTime),
    downAt: nullable(dateTime),
    statusChangedAt: nullable(dateTime),
    createdAt: dateTime,
    updatedAt: dateTime,
    maintenance: arrayOf(int),
    // Percent up of the observed time (paused time excluded) over 24 h / 7 d / 30 d; null: nothing observed.
    uptime: object({ day: nullable(num), week: nullable(num), month: nullable(num) }),
    // The last 20 pings, newest first: when, which kind, the run's duration if timed.
    recentRuns: arrayOf(object({ at: dateTime, kind: enumOf(PING_KINDS), durationMs: nullable(int) })),
    badgeUrl: nullable(str),
  },
  ["badgeUrl"],
);

const ClockChange = object(
  {
    kind: enumOf(["moved", "skipped", "repeated"]),
    date: str,
    zone: str,
    runner: enumOf(["cron", "kubernetes", "systemd"]),
    times: arrayOf(str),
    count: int,
    runsAt: str,
    pass: enumOf([1, 2]),
    both: bool,
    text: str,
  },
  ["pass", "both"],
);

export const schemas = {
  Schedule: oneOf(ref("IntervalSchedule"), ref("CronSchedule"), ref("OnCalendarSchedule")),
  IntervalSchedule,
  CronSchedule,
  OnCalendarSchedule,
  ScheduleInput: oneOf(
    IntervalSchedule,
    extend(CronSchedule, {}, calendarDefaults),
    extend(OnCalendarSchedule, {}, calendarDefaults),
  ),
  LinkedMonitor: object({ id: int, name: str, status }),
  Monitor,
  MonitorPage: extend(pageOf("Monitor"), { counts: object(Object.fromEntries(STATUSES.map((s) => [s, int]))) }),
  Ping: object({
    id: int,
    kind: enumOf(PING_KINDS),
    exitStatus: nullable(int),
    data: nullable(str),
    dataTruncated: bool,
    durationMs: nullable(int),
    receivedAt: dateTime,
    sourceIp: nullable(str),
    userAgent: nullable(str),
  }),
  PingPage: pageOf("Ping"),
  Flip: object({
    id: int,
    from: nullable(status),
    to: status,
    reason: nullable(str),
    at: dateTime,
    expectedAt: nullable(dateTime),
    pingId: nullable(int),
  }),
  FlipPage: pageOf("Flip"),
  Notification: object({
    id: int,
    flipId: int,
    event: str,
    /** 0 for the alert itself, n for its n-th reminder */
    reminder: int,
    /** a deleted channel keeps its type here; its id and name are gone with it */
    channel: object({ id: nullable(int), type: str, name: nullable(str) }),
    state: str,
    attempts: int,
    lastError: nullable(str),
    lastAttemptAt: nullable(dateTime),
    nextAttemptAt: nullable(dateTime),
    sentAt: nullable(dateTime),
    /** why it is (or was) held back: a maintenance window (detail: their ids), a snooze, a down parent (detail: its name) */
    heldBy: nullable(object({ kind: enumOf(HOLD_KINDS), detail: nullable(str) })),
    createdAt: nullable(dateTime),
  }),
  NotificationPage: pageOf("Notification"),
  Deleted: deleted("id", int),
  BadgeUrls: object({ key: str, svg: str, json: str }),
  ClockChange,
  PreviewRun: object(
    { expectedAt: dateTime, lateAt: dateTime, downAt: dateTime, note: str, clockChange: ref("ClockChange") },
    ["note", "clockChange"],
  ),
  SchedulePreview: object({ schedule: ref("Schedule"), from: dateTime, runs: arrayOf(ref("PreviewRun")) }),
};

const withSchedule = { schedule: ref("ScheduleInput") };

export const operations: Operations = {
  "GET /api/v1/monitors": { operationId: "listMonitors", response: ref("MonitorPage") },
  "POST /api/v1/monitors": { operationId: "createMonitor", response: ref("Monitor"), body: withSchedule },
  "GET /api/v1/monitors/{id}": { operationId: "getMonitor", response: ref("Monitor") },
  "PATCH /api/v1/monitors/{id}": { operationId: "updateMonitor", response: ref("Monitor"), body: withSchedule },
  "DELETE /api/v1/monitors/{id}": { operationId: "deleteMonitor", response: ref("Deleted") },
  "POST /api/v1/monitors/{id}/pause": { operationId: "pauseMonitor", response: ref("Monitor") },
  "POST /api/v1/monitors/{id}/resume": { operationId: "resumeMonitor", response: ref("Monitor") },
  "POST /api/v1/monitors/{id}/snooze": { operationId: "snoozeMonitor", response: ref("Monitor") },
  "DELETE /api/v1/monitors/{id}/snooze": { operationId: "unsnoozeMonitor", response: ref("Monitor") },
  "GET /api/v1/monitors/{id}/pings": { operationId: "listMonitorPings", response: ref("PingPage") },
  "GET /api/v1/monitors/{id}/flips": { operationId: "listMonitorFlips", response: ref("FlipPage") },
  "GET /api/v1/monitors/{id}/notifications": {
    operationId: "listMonitorNotifications",
    response: ref("NotificationPage"),
  },
  "GET /api/v1/monitors/{id}/badge": { operationId: "getMonitorBadge", response: ref("BadgeUrls") },
  "POST /api/v1/monitors/{id}/badge": { operationId: "regenerateMonitorBadge", response: ref("BadgeUrls") },
  "GET /api/v1/tags/{tag}/badge": { operationId: "getTagBadge", response: ref("BadgeUrls") },
  "POST /api/v1/tags/{tag}/badge": { operationId: "regenerateTagBadge", response: ref("BadgeUrls") },
  "GET /api/v1/schedule/preview": { operationId: "previewSchedule", response: ref("SchedulePreview") },
  "POST /api/v1/schedule/preview": { operationId: "previewScheduleFromBody", response: ref("SchedulePreview") },
  "GET /api/v1/events": { operationId: "streamEvents" },
};
