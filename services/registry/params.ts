// The registry's validator rules, by area: what each action accepts. Shared by the schema
// (registry.service.ts) and the import, so that an imported monitor, channel or window obeys
// exactly the rules of one created over the API.

import { MAX_RUN_SECONDS, MAX_SLOW_WINDOW, MAX_THRESHOLD, SLOW_MIN_HISTORY } from "../../core/monitor/run-limits.ts";
import { MAX_MIN_GAP_SECONDS, MAX_MIN_RUN_SECONDS, MAX_RATE_RUNS } from "../../core/monitor/run-rules.ts";
import { MAX_PARENTS } from "../../core/monitor/dependencies.ts";
import { MAX_SNOOZE_SECONDS } from "../../core/monitor/snooze.ts";
import { STATUSES } from "../../core/monitor/monitor-status.ts";
import { MONITOR_SORTS } from "../../core/db/monitors.ts";
import { CHOOSABLE_EVENTS } from "../../core/alerts/alert.ts";
import { LOCALES } from "../../core/alerts/locale.ts";
import { ROLES } from "../../core/security/password.ts";
import { KEY_SCOPES } from "../../core/security/api-key.ts";
import { CODE_PATTERN } from "../../core/monitor/code.ts";

// ── monitors ──────────────────────────────────────────────────────────────────────────────
export const MAX_TAGS = 30;
/** Whom a sign-in is counted under: its user name (at most 150 characters) and its client address. */
export const signinWho = {
  user: { type: "string", max: 150, optional: true },
  ip: { type: "string", max: 191, optional: true },
};
export const id = { type: "number", convert: true, integer: true, positive: true };
export const page = {
  limit: { type: "number", convert: true, integer: true, min: 1, max: 500, default: 100 },
  offset: { type: "number", convert: true, integer: true, min: 0, default: 0 },
};
export const tag = {
  type: "string",
  trim: true,
  lowercase: true,
  min: 1,
  max: 64,
  pattern: /^[^,]+$/,
  messages: { stringPattern: "a tag cannot contain a comma" },
};
export const tags = { type: "array", optional: true, max: MAX_TAGS, items: tag };
export const name = { type: "string", trim: true, min: 1, max: 200 };
export const description = { type: "string", optional: true, nullable: true, max: 2000 };
export const channels = {
  type: "array",
  optional: true,
  max: 50,
  items: { type: "number", integer: true, positive: true, convert: true },
};
// Reminders while a monitor stays down; null turns them off.
export const repeatEverySeconds = {
  type: "number",
  optional: true,
  nullable: true,
  integer: true,
  min: 1,
  max: 30 * 86_400,
  convert: true,
};

// Run limits (core/monitor/run-limits.ts checks them again, with slowFactor > 1): null turns the first two off.
export const runLimits = {
  maxRunSeconds: { type: "number", optional: true, nullable: true, integer: true, min: 1, max: MAX_RUN_SECONDS },
  slowFactor: { type: "number", optional: true, nullable: true, min: 1, max: 1000 },
  slowWindow: { type: "number", optional: true, integer: true, min: SLOW_MIN_HISTORY, max: MAX_SLOW_WINDOW },
  failureThreshold: { type: "number", optional: true, integer: true, min: 1, max: MAX_THRESHOLD },
  recoveryThreshold: { type: "number", optional: true, integer: true, min: 1, max: MAX_THRESHOLD },
  // Run rules (core/monitor/run-rules.ts; failures ≤ runs is checked there): null turns each off.
  failureRate: {
    type: "object",
    optional: true,
    nullable: true,
    props: {
      failures: { type: "number", integer: true, min: 1, max: MAX_RATE_RUNS },
      runs: { type: "number", integer: true, min: 1, max: MAX_RATE_RUNS },
    },
  },
  minRunSeconds: { type: "number", optional: true, nullable: true, integer: true, min: 1, max: MAX_MIN_RUN_SECONDS },
  minGapSeconds: { type: "number", optional: true, nullable: true, integer: true, min: 1, max: MAX_MIN_GAP_SECONDS },
  reportUnexpectedRuns: { type: "boolean", optional: true },
};

/** Its parents: while one is down, its alerts are held (core/monitor/dependencies.ts checks ids and cycles). */
export const dependsOn = {
  type: "array",
  optional: true,
  max: MAX_PARENTS,
  items: { type: "number", integer: true, positive: true, convert: true },
};

/** registry.create's fields (registry.update's, all optional, with the id). */
export const monitorFields = {
  name,
  description,
  schedule: { type: "object" },
  tags,
  channels,
  repeatEverySeconds,
  ...runLimits,
  dependsOn,
};

/** registry.snooze: alerts held for so many seconds from now. */
export const snoozeSeconds = { type: "number", integer: true, min: 1, max: MAX_SNOOZE_SECONDS, convert: true };
export const code = { type: "string", pattern: CODE_PATTERN };

/** registry.list: the search, the filters and the sort. */
export const search = {
  tags: { type: "string", optional: true, max: 2000 },
  q: { type: "string", optional: true, trim: true, max: 200 },
  status: { type: "enum", optional: true, values: [...STATUSES] },
  sort: { type: "enum", optional: true, values: Object.keys(MONITOR_SORTS), default: "name" },
  order: { type: "enum", optional: true, values: ["asc", "desc"], default: "asc" },
  ...page,
};

/** registry.preview: a schedule's fields at the top level, where the listing starts, how many runs. */
export const schedulePreview = {
  kind: { type: "string", max: 16 },
  periodSeconds: { type: "number", optional: true, convert: true },
  graceSeconds: { type: "number", optional: true, convert: true },
  expression: { type: "string", optional: true, max: 200 },
  // OnCalendar: a list, or one string with one expression a line (a query string's form)
  expressions: [
    { type: "array", optional: true, max: 10, items: { type: "string", max: 200 } },
    { type: "string", optional: true, max: 2100 },
  ],
  dialect: { type: "string", optional: true, max: 16 },
  timezone: { type: "string", optional: true, max: 64 },
  deadline: { type: "string", optional: true, max: 16 },
  // where the listing starts: epoch ms, or ISO 8601 with an offset; default now
  from: [
    { type: "number", optional: true, integer: true, min: 0, max: 8_640_000_000_000 },
    { type: "string", optional: true, max: 40 },
  ],
  count: { type: "number", optional: true, convert: true, integer: true, min: 1, max: 100, default: 10 },
};

// ── channels ──────────────────────────────────────────────────────────────────────────────
export const channelEvents = {
  type: "array",
  optional: true,
  min: 0,
  max: 3,
  unique: true,
  items: { type: "enum", values: [...CHOOSABLE_EVENTS] },
};
export const flag = { type: "boolean", optional: true, convert: true };
/** the alerts' language; null: DEFAULT_LOCALE */
export const locale = { type: "enum", values: [...LOCALES], optional: true, nullable: true };

// ── users and sessions ────────────────────────────────────────────────────────────────────
export const username = { type: "string", min: 1, max: 150 };
export const password = { type: "string", min: 1, max: 1024 };
export const role = { type: "enum", values: [...ROLES] };
export const token = { type: "string", min: 20, max: 200 };
export const email = { type: "email", optional: true, nullable: true, max: 254 };
export const weeklyReport = { type: "boolean", optional: true };
export const userId = { type: "number", integer: true, positive: true };

// ── hosts ─────────────────────────────────────────────────────────────────────────────────
export const hostFields = {
  name: { type: "string", trim: true, min: 1, max: 200 },
  address: {
    type: "string",
    trim: true,
    min: 1,
    max: 253,
    pattern: /^[A-Za-z0-9.:_-]+$/,
    messages: { stringPattern: "an IP address or host name" },
  },
  port: { type: "number", integer: true, min: 1, max: 65535, convert: true, optional: true },
  username: { type: "string", trim: true, min: 1, max: 100, pattern: /^[A-Za-z0-9._-]+$/ },
  privateKey: { type: "string", optional: true, nullable: true, max: 16_384 },
  keyPath: { type: "string", optional: true, nullable: true, min: 1, max: 1000 },
  passphrase: { type: "string", optional: true, nullable: true, max: 1024 },
  hostKeyFingerprint: {
    type: "string",
    optional: true,
    nullable: true,
    pattern: /^SHA256:[A-Za-z0-9+/]{43}=?$/,
    messages: { stringPattern: "a fingerprint as OpenSSH prints it: SHA256:…" },
  },
  trustOnFirstUse: { type: "boolean", optional: true, convert: true },
  intervalSeconds: { type: "number", integer: true, min: 1, max: 86_400, convert: true, optional: true },
  graceSeconds: { type: "number", integer: true, min: 0, max: 86_400, convert: true, optional: true },
  checks: { type: "array", optional: true, max: 50, items: { type: "string", min: 1, max: 200 } },
  enabled: { type: "boolean", optional: true, convert: true },
};
/** hosts.update: every field optional. */
export const hostChanges = Object.fromEntries(
  Object.entries(hostFields).map(([k, v]) => [k, { ...v, optional: true }]),
);
/** hosts.metrics: the time span (ISO 8601 or epoch ms) and how many samples at most. */
export const sampleSpan = {
  from: { type: "string", optional: true, max: 40 },
  to: { type: "string", optional: true, max: 40 },
  limit: { type: "number", convert: true, integer: true, min: 1, max: 10_000, default: 2_000 },
};

// ── API keys and badges ───────────────────────────────────────────────────────────────────
export const keyFields = {
  name: { type: "string", min: 1, max: 100, trim: true },
  scope: { type: "enum", values: [...KEY_SCOPES] },
};
export const apiKey = { type: "string", max: 200 };
/** A badge's tag: unlike a monitor's tag field, any tag name may be asked for. */
export const badgeTag = { type: "string", trim: true, lowercase: true, min: 1, max: 64 };
export const badgeKey = { type: "string", max: 64 };

// ── maintenance windows ───────────────────────────────────────────────────────────────────
// A one-off window's times as epoch ms must be times a Date can hold (±8.64e15): core/schedule/maintenance.ts
// takes any finite number, and a window it cannot write as ISO 8601 would fail every list after it.
const instant = [
  { type: "number", optional: true, min: -8.64e15, max: 8.64e15 },
  { type: "string", optional: true },
] as const;
export const windowFields = {
  name: { type: "string", max: 1000 },
  rule: { type: "object", props: { startsAt: instant, endsAt: instant } },
  monitorIds: { type: "array", optional: true, max: 1000, items: { type: "number", integer: true, positive: true } },
  tags: { type: "array", optional: true, max: 1000, items: { type: "string", max: 50 } },
} as const;
/** maintenance.update: fields left out keep their value. */
export const windowChanges = {
  name: { ...windowFields.name, optional: true },
  rule: { ...windowFields.rule, optional: true },
  monitorIds: windowFields.monitorIds,
  tags: windowFields.tags,
};

// ── import ────────────────────────────────────────────────────────────────────────────────
const importFlag = { type: "boolean", optional: true };
const importEvents = {
  type: "array",
  optional: true,
  max: 3,
  unique: true,
  items: { type: "enum", values: [...CHOOSABLE_EVENTS] },
};
const importPing = {
  type: "object",
  props: {
    kind: { type: "enum", values: ["success", "fail"] },
    data: { type: "string", nullable: true, optional: true },
    receivedAt: { type: "number", integer: true, min: 0 },
    sourceIp: { type: "string", nullable: true, optional: true, max: 64 },
    userAgent: { type: "string", nullable: true, optional: true },
  },
};
/** registry.import: a plan from core/import/ (core/import/plan.ts ImportPlan). */
export const importPlan = {
  tags: { type: "array", optional: true, items: tag },
  channels: {
    type: "array",
    items: {
      type: "object",
      props: {
        name,
        type: { type: "string", min: 1, max: 64 },
        config: { type: "object" },
        sealedSecrets: { type: "string", optional: true },
        events: importEvents,
        isDefault: importFlag,
        enabled: importFlag,
      },
    },
  },
  monitors: {
    type: "array",
    items: {
      type: "object",
      props: {
        code: {
          type: "string",
          pattern: CODE_PATTERN,
          messages: { stringPattern: "a code is 1 to 36 of A-Z a-z 0-9 _ -" },
        },
        name,
        description,
        schedule: { type: "object" },
        tags: { ...tags, optional: false },
        paused: { type: "boolean" },
        channels: { type: "array", optional: true, items: { type: "string" } },
        repeatEverySeconds,
        runLimits: { type: "object", optional: true, props: runLimits },
        // its parents by code (ids are not kept by a restore), and a snooze still running (epoch ms)
        dependsOn: {
          type: "array",
          optional: true,
          max: MAX_PARENTS,
          items: { type: "string", pattern: CODE_PATTERN },
        },
        snoozedUntil: { type: "number", optional: true, nullable: true, integer: true, min: 0 },
        pings: { type: "array", optional: true, items: importPing },
      },
    },
  },
  maintenanceWindows: {
    type: "array",
    optional: true,
    items: {
      type: "object",
      props: {
        name: { type: "string", max: 200 },
        rule: { type: "object" },
        monitorCodes: { type: "array", items: "string" },
        tags: { type: "array", items: "string" },
      },
    },
  },
  skipped: { type: "array", optional: true },
  dryRun: importFlag,
};
/** registry.importPings: a batch of ping history (core/import/plan.ts CodedPing). */
export const importPings = {
  pings: {
    type: "array",
    max: 10_000,
    items: { ...importPing, props: { ...importPing.props, code: { type: "string", pattern: CODE_PATTERN } } },
  },
};

// ── second factors ──
export const factorUsername = { type: "string", min: 1, max: 150 };
export const factorName = { type: "string", max: 100, trim: true, optional: true };
export const factorIssuer = { type: "string", min: 1, max: 100 };
export const factorCode = { type: "string", min: 1, max: 64 };
/** The WebAuthn relying party the gateway works out from PUBLIC_URL or the request. */
export const relyingParty = {
  type: "object",
  strict: true,
  props: { rpID: { type: "string", min: 1, max: 253 }, origin: { type: "string", min: 1, max: 300 } },
};
