// The REST API's shapes, as the dashboard uses them: names for the types generated from the
// server's OpenAPI document (`npm run api-types` writes ./generated/; docs/api.md). Nothing here
// is typed by hand but what only the dashboard has (its list query, a generic page). Types and
// constants only: safe to import from Node tests.

import type { components, operations } from './generated/openapi.d.ts';

type Schemas = components['schemas'];
/** The JSON body an operation takes. */
type Body<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']>['content']['application/json'];

export type Monitor = Schemas['Monitor'];
export type MonitorStatus = Monitor['status'];
export const MONITOR_STATUSES: readonly MonitorStatus[] = ['new', 'up', 'late', 'down', 'paused'];
export type MonitorInput = Body<'updateMonitor'>;
export type MonitorPage = Schemas['MonitorPage'];
export type StatusCounts = MonitorPage['counts'];

export type Role = Schemas['Role'];
export type Locale = Schemas['Locale'];

export type Schedule = Schemas['Schedule'];
export type IntervalSchedule = Schemas['IntervalSchedule'];
/**
 * Whose rules a cron expression runs by: "cron" is Debian cron / cronie (crontab lines, the
 * default), "kubernetes" robfig/cron v3 as the CronJob controller applies it (.spec.timeZone).
 */
export type CronSchedule = Schemas['CronSchedule'];
/** systemd timers' OnCalendar= calendar events (1 to 10); a run is due at the earliest of them. */
export type OnCalendarSchedule = Schemas['OnCalendarSchedule'];
export type ScheduleKind = Schedule['kind'];
export type Deadline = CronSchedule['deadline'];
export type CronDialect = CronSchedule['dialect'];

export type SortField = 'name' | 'status' | 'lastPingAt' | 'nextDueAt' | 'uptime';

/** The monitor list's filters as the dashboard keeps them ('' for none). */
export interface MonitorQuery {
  tags?: string[];
  q?: string;
  status?: MonitorStatus | '';
  limit: number;
  offset: number;
  sort?: SortField | '';
  order?: 'asc' | 'desc' | '';
}

export type Ping = Schemas['Ping'];
export type Flip = Schemas['Flip'];
export type NotificationItem = Schemas['Notification'];

export interface Page<T> {
  total: number;
  items: T[];
}

/**
 * Why a previewed run is where it is on a DST night (the structured form of the run's `note`).
 * moved: scheduled wall times the clock skipped run at this run's time; skipped: they do not run
 * at all; repeated: this run's wall time happens twice (`pass`: which one this is, `both`: whether
 * the runner runs both).
 */
export type ClockChange = Schemas['ClockChange'];
/** Who runs a calendar schedule's jobs, as a clock-change note names it. */
export type ClockChangeRunner = ClockChange['runner'];
export type PreviewRun = Schemas['PreviewRun'];
export type PreviewResult = Schemas['SchedulePreview'];

export type Channel = Schemas['Channel'];
/** A channel type's config field: a fastest-validator rule the channel form is generated from. */
export type ChannelField = Schemas['ChannelField'];
export type ChannelType = Schemas['ChannelType'];
export type ChannelTestResult = Schemas['ChannelTestResult'];
export type ChannelDelivery = Schemas['ChannelDelivery'];

export type User = Schemas['User'];
export type NewUser = Schemas['NewUser'];
export type Session = Schemas['Session'];
export type SessionUser = Session['user'];
/** The password step's answer for a user with a second factor: what to answer next, and with what. */
export type SecondFactorChallenge = Schemas['SecondFactorChallenge']['secondFactor'];
export type Factor = Schemas['Factor'];
export type Factors = Schemas['Factors'];
export type TotpEnrolment = Schemas['TotpEnrolment'];
export type NewFactor = Schemas['NewFactor'];
export type RecoveryCodes = Schemas['RecoveryCodes'];
export type PasskeyRequest = Schemas['PasskeyRequest'];
export type Settings = Schemas['Settings'];
export type AuditEntry = Schemas['AuditEntry'];
export type AuditPage = Schemas['AuditPage'];

export type ApiKey = Schemas['ApiKey'];
export type KeyScope = ApiKey['scope'];
export const KEY_SCOPES: readonly KeyScope[] = ['read', 'write', 'ping'];
/** The answer to creating a key: the only one that holds the key itself. */
export type NewApiKey = Schemas['NewApiKey'];
export type BadgeUrls = Schemas['BadgeUrls'];

export type ApiErrorBody = Schemas['Error'];

// Hosts (admin only): machines the agent-collector polls over SSH
export type HostDisk = Schemas['HostDisk'];
export type HostMetrics = Schemas['HostMetrics'];
/** One poll: what POST /hosts/:id/check returns and what a host keeps as `lastResult`. */
export type HostPollResult = Schemas['HostPollResult'];
export type Host = Schemas['Host'];
export type HostInput = Body<'updateHost'>;
export type HostSample = Schemas['HostSample'];
export type HostSamples = Schemas['HostSamples'];

export type WindowRule = Schemas['MaintenanceRule'];
export type MaintenanceWindow = Schemas['MaintenanceWindow'];
/** The API also takes epoch milliseconds; the dashboard sends a rule as it reads one (ISO times). */
export type MaintenanceInput = Body<'createMaintenanceWindow'> & { rule: WindowRule };
