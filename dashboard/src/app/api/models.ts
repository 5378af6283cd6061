// The REST API's shapes, as the dashboard uses them. Types only: safe to import from Node tests.

export type MonitorStatus = 'new' | 'up' | 'late' | 'down' | 'paused';
export const MONITOR_STATUSES: readonly MonitorStatus[] = ['new', 'up', 'late', 'down', 'paused'];

export type Role = 'admin' | 'viewer' | 'pinger';

export interface IntervalSchedule {
  kind: 'interval';
  periodSeconds: number;
  graceSeconds: number;
}

export type Deadline = 'grace' | 'end-of-day';

/**
 * Whose rules a cron expression runs by: "cron" is Debian cron / cronie (crontab lines, the
 * default), "kubernetes" robfig/cron v3 as the CronJob controller applies it (.spec.timeZone).
 * They differ on DST nights. The API always answers it; on input it defaults to "cron".
 */
export type CronDialect = 'cron' | 'kubernetes';
export const CRON_DIALECTS: readonly CronDialect[] = ['cron', 'kubernetes'];

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  timezone: string;
  dialect: CronDialect;
  graceSeconds: number;
  deadline: Deadline;
}

/** systemd timers' OnCalendar= calendar events (1 to 10); a run is due at the earliest of them. */
export interface OnCalendarSchedule {
  kind: 'oncalendar';
  expressions: string[];
  timezone: string;
  graceSeconds: number;
  deadline: Deadline;
}

export type Schedule = IntervalSchedule | CronSchedule | OnCalendarSchedule;
export type ScheduleKind = Schedule['kind'];

export interface Monitor {
  id: number;
  code: string;
  name: string;
  description: string | null;
  schedule: Schedule;
  timezone?: string | null;
  tags: string[];
  channels: number[];
  repeatEverySeconds: number | null;
  /** run limits: a started run must finish within maxRunSeconds; slow runs are judged when slowFactor is set */
  maxRunSeconds: number | null;
  slowFactor: number | null;
  slowWindow: number;
  /** consecutive failed or missed runs before down, consecutive successes before up again */
  failureThreshold: number;
  recoveryThreshold: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  runDeadlineAt: string | null;
  status: MonitorStatus;
  paused: boolean;
  lastPingAt: string | null;
  lastPingKind: string | null;
  nextDueAt: string | null;
  downAt: string | null;
  statusChangedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** ids of the maintenance windows covering it now (its alerts are held back) */
  maintenance?: number[];
}

export interface MonitorInput {
  name?: string;
  description?: string | null;
  schedule?: Schedule;
  tags?: string[];
  channels?: number[];
  repeatEverySeconds?: number | null;
  maxRunSeconds?: number | null;
  slowFactor?: number | null;
  slowWindow?: number;
  failureThreshold?: number;
  recoveryThreshold?: number;
}

export type StatusCounts = Record<MonitorStatus, number>;

export interface MonitorPage {
  total: number;
  items: Monitor[];
  counts?: Partial<StatusCounts>;
}

export type SortField = 'name' | 'status' | 'lastPingAt' | 'nextDueAt';

export interface MonitorQuery {
  tags?: string[];
  q?: string;
  status?: MonitorStatus | '';
  limit: number;
  offset: number;
  sort?: SortField | '';
  order?: 'asc' | 'desc' | '';
}

export interface Ping {
  id: number;
  kind: 'success' | 'start' | 'fail' | 'log';
  exitStatus: number | null;
  data: string | null;
  dataTruncated: boolean;
  durationMs: number | null;
  receivedAt: string;
  sourceIp: string | null;
  userAgent: string | null;
}

export interface Flip {
  id: number;
  from: MonitorStatus | null;
  to: MonitorStatus;
  reason: string | null;
  at: string;
  expectedAt: string | null;
  pingId: number | null;
}

export interface NotificationItem {
  id: number;
  event: string;
  reminder: boolean | number;
  channel: { id: number; type: string; name: string } | null;
  state: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

export interface Page<T> {
  total: number;
  items: T[];
}

/** Who runs a calendar schedule's jobs, as a clock-change note names it. */
export type ClockChangeRunner = 'cron' | 'kubernetes' | 'systemd';

/**
 * Why a previewed run is where it is on a DST night (the structured form of the run's `note`).
 * moved: scheduled wall times the clock skipped run at this run's time; skipped: they do not run
 * at all; repeated: this run's wall time happens twice (`pass`: which one this is, `both`: whether
 * the runner runs both).
 */
export interface ClockChange {
  kind: 'moved' | 'skipped' | 'repeated';
  /** the local date of the change, YYYY-MM-DD */
  date: string;
  zone: string;
  runner: ClockChangeRunner;
  /** the first and last wall times concerned (one when there is one), HH:MM or HH:MM:SS */
  times: string[];
  /** how many scheduled wall times the change concerns */
  count: number;
  /** the local time this run happens at */
  runsAt: string;
  pass?: 1 | 2;
  both?: boolean;
  /** the note in English (the same as the run's `note`) */
  text: string;
}

export interface PreviewRun {
  expectedAt: string;
  lateAt: string;
  downAt: string;
  /** English sentence where a clock change moved, merged, repeated or dropped runs around this one */
  note?: string;
  clockChange?: ClockChange;
}

export interface PreviewResult {
  schedule: Schedule;
  /** where the listing starts (the request's `from`, or now) */
  from?: string;
  runs: PreviewRun[];
}

export interface Channel {
  id: number;
  name: string;
  type: string;
  isDefault: boolean;
  enabled: boolean;
}

export type Locale = 'en' | 'zh-Hans';

export interface User {
  username: string;
  role: Role;
  createdAt?: string;
  /** the signed-in user's own dashboard language; null: the browser's */
  locale?: Locale | null;
  /** weekly report settings (admins' users list and PATCH answers) */
  email?: string | null;
  weeklyReport?: boolean;
  weeklyReportSentAt?: string | null;
}

export interface Session {
  user: User;
  csrfToken: string;
  /** the server's DEFAULT_LOCALE, for users whose browser asks for no language we speak */
  defaultLocale?: Locale;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    field?: string;
    details?: { field: string; message: string }[];
  };
}

// ---------------------------------------------------------------------------------------------
// Hosts (admin only): machines the agent-collector polls over SSH
// ---------------------------------------------------------------------------------------------

export interface HostDisk {
  device: string;
  mount: string;
  sizeKb: number;
  usedPercent: number;
}

export interface HostMetrics {
  cpuPercent: number;
  load: [number, number, number];
  memoryPercent: number;
  swapPercent: number | null;
  disks: HostDisk[];
  processes: Record<string, number>;
}

/** One poll: what POST /hosts/:id/check returns and what a host keeps as `lastResult`. */
export interface HostPollResult {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  /** null when the poll failed (no connection, wrong key, ...). */
  metrics: HostMetrics | null;
  breaches: string[];
  error: string | null;
}

export interface Host {
  id: number;
  name: string;
  address: string;
  port: number;
  username: string;
  /** "********" when a key is stored; never the key itself. */
  privateKey: string | null;
  keyPath: string | null;
  passphrase: string | null;
  hostKeyFingerprint: string | null;
  trustOnFirstUse: boolean;
  intervalSeconds: number;
  graceSeconds: number;
  checks: string[];
  monitorId: number | null;
  enabled: boolean;
  lastPollAt: string | null;
  lastResult: HostPollResult | null;
  createdAt: string;
  updatedAt: string;
}

export interface HostInput {
  name?: string;
  address?: string;
  port?: number;
  username?: string;
  privateKey?: string | null;
  keyPath?: string | null;
  passphrase?: string | null;
  hostKeyFingerprint?: string | null;
  trustOnFirstUse?: boolean;
  intervalSeconds?: number;
  graceSeconds?: number;
  checks?: string[];
  enabled?: boolean;
}

export interface HostSample {
  at: string;
  durationMs: number;
  ok: boolean;
  cpu: number | null;
  memory: number | null;
  swap: number | null;
  load1: number | null;
  disks: { mount: string; usedPercent: number }[];
  error: string | null;
}

export interface HostSamples {
  from: string;
  to: string;
  items: HostSample[];
}

export type WindowRule =
  | { kind: 'once'; startsAt: string; endsAt: string }
  | { kind: 'recurring'; expression: string; durationSeconds: number; timezone: string };

export interface MaintenanceWindow {
  id: number;
  name: string;
  rule: WindowRule;
  monitorIds: number[];
  tags: string[];
  active: boolean;
  activeUntil: string | null;
  nextChangeAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface MaintenanceInput {
  name: string;
  rule: WindowRule;
  monitorIds: number[];
  tags: string[];
}
