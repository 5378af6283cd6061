// Sequelize models over the tables that the migrations create. Migrations own the schema
// (models never sync); models serve plain CRUD, hot paths use raw SQL through Database.
// Attributes follow each table's column order (migrations' additions last), so that a model's
// rows read with `raw: true` are the rows `SELECT *` gives: same keys, same order, same values.

import { DataTypes, Model, type Sequelize, type ModelStatic, type ModelAttributes, type FindOptions } from "sequelize";
import type { KeyScope } from "../security/api-key.ts";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN, SMALLINT, DOUBLE, FLOAT } = DataTypes;

export interface UserRow {
  id: number;
  username: string;
  password_hash: string;
  role: string;
  created_at: number;
  updated_at: number;
  locale: string | null;
  email: string | null;
  weekly_report: boolean | number;
  weekly_report_since: number | null;
  weekly_report_sent_at: number | null;
}
export interface SessionRow {
  id: number;
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}
export interface MonitorRow {
  id: number;
  code: string;
  name: string;
  description: string | null;
  schedule_kind: string;
  period_seconds: number | null;
  grace_seconds: number;
  cron_expression: string | null;
  cron_dialect: string;
  timezone: string;
  deadline: string;
  status: string;
  armed_at: number;
  last_ping_at: number | null;
  last_ping_kind: string | null;
  last_start_at: number | null;
  late_at: number | null;
  down_at: number | null;
  status_changed_at: number;
  ping_count: number;
  repeat_every_seconds: number | null;
  next_reminder_at: number | null;
  reminders_sent: number;
  max_run_seconds: number | null;
  run_deadline_at: number | null;
  slow_factor: number | null;
  slow_window: number;
  failure_threshold: number;
  recovery_threshold: number;
  consecutive_failures: number;
  consecutive_successes: number;
  created_at: number;
  updated_at: number;
}
export interface TagRow {
  id: number;
  name: string;
}
export interface MonitorTagRow {
  monitor_id: number;
  tag_id: number;
}
export interface PingRow {
  id: number;
  monitor_id: number;
  kind: string;
  exit_status: number | null;
  data: string | null;
  data_truncated: boolean;
  duration_ms: number | null;
  received_at: number;
  source_ip: string | null;
  user_agent: string | null;
}
export interface FlipRow {
  id: number;
  monitor_id: number;
  from_status: string;
  to_status: string;
  reason: string;
  flipped_at: number;
  expected_at: number | null;
  ping_id: number | null;
}
export interface DeliveryRow {
  id: number;
  flip_id: number;
  monitor_id: number;
  channel: string;
  channel_id: number | null;
  round: number;
  event: string;
  state: string;
  attempts: number;
  next_attempt_at: number;
  lease_until: number | null;
  claimed_by: string | null;
  last_attempt_at: number | null;
  last_error: string | null;
  sent_at: number | null;
  created_at: number;
}
export interface ChannelRow {
  id: number;
  name: string;
  type: string;
  config: string;
  secrets: string;
  events: string;
  is_default: boolean | number;
  enabled: boolean | number;
  managed: string | null;
  created_at: number;
  updated_at: number;
  locale: string | null;
}
export interface MonitorChannelRow {
  monitor_id: number;
  channel_id: number;
}
export interface ApiKeyRow {
  id: number;
  name: string;
  scope: KeyScope;
  prefix: string;
  key_hash: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
export interface BadgeKeyRow {
  id: number;
  badge_key: string;
  monitor_id: number | null;
  tag_id: number | null;
  created_at: number;
}
export interface MaintenanceWindowRow {
  id: number;
  name: string;
  kind: string;
  starts_at: number | null;
  ends_at: number | null;
  cron_expression: string | null;
  duration_seconds: number | null;
  timezone: string | null;
  monitor_ids: string;
  tags: string;
  created_at: number;
  updated_at: number;
}
export interface HostRow {
  id: number;
  name: string;
  address: string;
  port: number;
  username: string;
  private_key: string | null;
  key_path: string | null;
  passphrase: string | null;
  host_key_fingerprint: string | null;
  trust_on_first_use: boolean | number;
  interval_seconds: number;
  grace_seconds: number;
  checks: string;
  processes: string;
  monitor_id: number | null;
  enabled: boolean | number;
  next_poll_at: number;
  lease_until: number | null;
  claimed_by: string | null;
  last_poll_at: number | null;
  last_result: string | null;
  created_at: number;
  updated_at: number;
}
export interface HostSampleRow {
  id: number;
  host_id: number;
  started_at: number;
  duration_ms: number;
  ok: boolean | number;
  cpu: number | null;
  memory: number | null;
  swap: number | null;
  load1: number | null;
  disks: string | null;
  error: string | null;
  polled_by: string | null;
}

export type M<R extends object> = ModelStatic<Model<R, Partial<R>>>;

/** A model's rows as plain objects, as `SELECT` gives them (`raw`: no instances, no parsing of values). */
export async function plainRows<R extends object>(model: M<R>, options: FindOptions<R> = {}): Promise<R[]> {
  return (await model.findAll({ ...options, raw: true })) as unknown as R[];
}

/** The first such row, or undefined. */
export async function plainRow<R extends object>(model: M<R>, options: FindOptions<R>): Promise<R | undefined> {
  return ((await model.findOne({ ...options, raw: true })) ?? undefined) as unknown as R | undefined;
}

/** The values of `set` for columns of the model; a name that is none is an error, as it was in SQL. */
export function columnsOf<R extends object>(model: M<R>, set: Record<string, unknown>): Partial<R> {
  for (const c of Object.keys(set))
    if (!(c in model.getAttributes())) throw new Error(`no column ${c} in ${model.getTableName()}`);
  return set as Partial<R>;
}
export interface Models {
  User: M<UserRow>;
  Monitor: M<MonitorRow>;
  Tag: M<TagRow>;
  MonitorTag: M<MonitorTagRow>;
  Ping: M<PingRow>;
  Flip: M<FlipRow>;
  Delivery: M<DeliveryRow>;
  Channel: M<ChannelRow>;
  MonitorChannel: M<MonitorChannelRow>;
  Session: M<SessionRow>;
  ApiKey: M<ApiKeyRow>;
  BadgeKey: M<BadgeKeyRow>;
  MaintenanceWindow: M<MaintenanceWindowRow>;
  Host: M<HostRow>;
  HostSample: M<HostSampleRow>;
}

const ms = (allowNull = false) => ({ type: BIGINT, allowNull });
const pk = { type: INTEGER, primaryKey: true, autoIncrement: true };

export function defineModels(sequelize: Sequelize): Models {
  const define = <R extends object>(name: string, table: string, attrs: ModelAttributes<Model<R, Partial<R>>>): M<R> =>
    sequelize.define<Model<R, Partial<R>>>(name, attrs, { tableName: table, timestamps: false });

  return {
    User: define<UserRow>("User", "users", {
      id: pk,
      username: { type: STRING(150), allowNull: false },
      password_hash: { type: STRING(255), allowNull: false },
      role: { type: STRING(16), allowNull: false },
      created_at: ms(),
      updated_at: ms(),
      locale: { type: STRING(16) },
      email: { type: STRING(254) },
      weekly_report: { type: BOOLEAN, allowNull: false, defaultValue: false },
      weekly_report_since: ms(true),
      weekly_report_sent_at: ms(true),
    }),
    Monitor: define<MonitorRow>("Monitor", "monitors", {
      id: pk,
      code: { type: STRING(36), allowNull: false },
      name: { type: STRING(200), allowNull: false },
      description: { type: TEXT },
      schedule_kind: { type: STRING(16), allowNull: false },
      period_seconds: { type: INTEGER },
      grace_seconds: { type: INTEGER, allowNull: false },
      cron_expression: { type: STRING(2100) },
      cron_dialect: { type: STRING(16), allowNull: false, defaultValue: "cron" },
      timezone: { type: STRING(64), allowNull: false },
      deadline: { type: STRING(16), allowNull: false },
      status: { type: STRING(16), allowNull: false },
      armed_at: ms(),
      last_ping_at: ms(true),
      last_ping_kind: { type: STRING(16) },
      last_start_at: ms(true),
      late_at: ms(true),
      down_at: ms(true),
      status_changed_at: ms(),
      ping_count: { type: INTEGER, allowNull: false },
      repeat_every_seconds: { type: INTEGER },
      next_reminder_at: ms(true),
      reminders_sent: { type: INTEGER, allowNull: false },
      max_run_seconds: { type: INTEGER },
      run_deadline_at: ms(true),
      slow_factor: { type: DOUBLE },
      slow_window: { type: INTEGER, allowNull: false, defaultValue: 20 },
      failure_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 },
      recovery_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 },
      consecutive_failures: { type: INTEGER, allowNull: false, defaultValue: 0 },
      consecutive_successes: { type: INTEGER, allowNull: false, defaultValue: 0 },
      created_at: ms(),
      updated_at: ms(),
    }),
    Tag: define<TagRow>("Tag", "tags", { id: pk, name: { type: STRING(64), allowNull: false } }),
    MonitorTag: define<MonitorTagRow>("MonitorTag", "monitor_tags", {
      monitor_id: { type: INTEGER, primaryKey: true },
      tag_id: { type: INTEGER, primaryKey: true },
    }),
    Ping: define<PingRow>("Ping", "pings", {
      id: { type: BIGINT, primaryKey: true, autoIncrement: true },
      monitor_id: { type: INTEGER, allowNull: false },
      kind: { type: STRING(16), allowNull: false },
      exit_status: { type: SMALLINT },
      data: { type: TEXT },
      data_truncated: { type: BOOLEAN, allowNull: false },
      duration_ms: ms(true),
      received_at: ms(),
      source_ip: { type: STRING(64) },
      user_agent: { type: STRING(200) },
    }),
    Flip: define<FlipRow>("Flip", "flips", {
      id: pk,
      monitor_id: { type: INTEGER, allowNull: false },
      from_status: { type: STRING(16), allowNull: false },
      to_status: { type: STRING(16), allowNull: false },
      reason: { type: STRING(32), allowNull: false },
      flipped_at: ms(),
      expected_at: ms(true),
      ping_id: { type: BIGINT },
    }),
    Delivery: define<DeliveryRow>("Delivery", "deliveries", {
      id: pk,
      flip_id: { type: INTEGER, allowNull: false },
      monitor_id: { type: INTEGER, allowNull: false },
      channel: { type: STRING(64), allowNull: false },
      channel_id: { type: INTEGER },
      round: { type: INTEGER, allowNull: false },
      event: { type: STRING(16), allowNull: false },
      state: { type: STRING(16), allowNull: false },
      attempts: { type: INTEGER, allowNull: false },
      next_attempt_at: ms(),
      lease_until: ms(true),
      claimed_by: { type: STRING(100) },
      last_attempt_at: ms(true),
      last_error: { type: TEXT },
      sent_at: ms(true),
      created_at: ms(),
    }),
    Channel: define<ChannelRow>("Channel", "channels", {
      id: pk,
      name: { type: STRING(200), allowNull: false },
      type: { type: STRING(64), allowNull: false },
      config: { type: TEXT, allowNull: false },
      secrets: { type: TEXT, allowNull: false },
      events: { type: STRING(64), allowNull: false },
      is_default: { type: BOOLEAN, allowNull: false },
      enabled: { type: BOOLEAN, allowNull: false },
      managed: { type: STRING(32) },
      created_at: ms(),
      updated_at: ms(),
      locale: { type: STRING(16) },
    }),
    MonitorChannel: define<MonitorChannelRow>("MonitorChannel", "monitor_channels", {
      monitor_id: { type: INTEGER, primaryKey: true },
      channel_id: { type: INTEGER, primaryKey: true },
    }),
    Session: define<SessionRow>("Session", "sessions", {
      id: pk,
      token_hash: { type: STRING(64), allowNull: false },
      user_id: { type: INTEGER, allowNull: false },
      csrf_token: { type: STRING(64), allowNull: false },
      created_at: ms(),
      expires_at: ms(),
    }),
    ApiKey: define<ApiKeyRow>("ApiKey", "api_keys", {
      id: pk,
      name: { type: STRING(100), allowNull: false },
      scope: { type: STRING(10), allowNull: false },
      prefix: { type: STRING(20), allowNull: false },
      key_hash: { type: STRING(64), allowNull: false },
      created_by: { type: STRING(150), allowNull: false },
      created_at: ms(),
      last_used_at: ms(true),
      revoked_at: ms(true),
    }),
    BadgeKey: define<BadgeKeyRow>("BadgeKey", "badge_keys", {
      id: pk,
      badge_key: { type: STRING(32), allowNull: false },
      monitor_id: { type: INTEGER },
      tag_id: { type: INTEGER },
      created_at: ms(),
    }),
    MaintenanceWindow: define<MaintenanceWindowRow>("MaintenanceWindow", "maintenance_windows", {
      id: pk,
      name: { type: STRING(100), allowNull: false },
      kind: { type: STRING(10), allowNull: false },
      starts_at: ms(true),
      ends_at: ms(true),
      cron_expression: { type: STRING(200) },
      duration_seconds: { type: INTEGER },
      timezone: { type: STRING(100) },
      monitor_ids: { type: TEXT, allowNull: false },
      tags: { type: TEXT, allowNull: false },
      created_at: ms(),
      updated_at: ms(),
    }),
    Host: define<HostRow>("Host", "hosts", {
      id: pk,
      name: { type: STRING(200), allowNull: false },
      address: { type: STRING(253), allowNull: false },
      port: { type: INTEGER, allowNull: false, defaultValue: 22 },
      username: { type: STRING(100), allowNull: false },
      private_key: { type: TEXT },
      key_path: { type: STRING(1000) },
      passphrase: { type: TEXT },
      host_key_fingerprint: { type: STRING(100) },
      trust_on_first_use: { type: BOOLEAN, allowNull: false, defaultValue: false },
      interval_seconds: { type: INTEGER, allowNull: false },
      grace_seconds: { type: INTEGER, allowNull: false },
      checks: { type: TEXT, allowNull: false },
      processes: { type: TEXT, allowNull: false },
      monitor_id: { type: INTEGER },
      enabled: { type: BOOLEAN, allowNull: false, defaultValue: true },
      next_poll_at: ms(),
      lease_until: ms(true),
      claimed_by: { type: STRING(100) },
      last_poll_at: ms(true),
      last_result: { type: TEXT },
      created_at: ms(),
      updated_at: ms(),
    }),
    HostSample: define<HostSampleRow>("HostSample", "host_samples", {
      id: { type: BIGINT, primaryKey: true, autoIncrement: true },
      host_id: { type: INTEGER, allowNull: false },
      started_at: ms(),
      duration_ms: { type: INTEGER, allowNull: false },
      ok: { type: BOOLEAN, allowNull: false },
      cpu: { type: FLOAT },
      memory: { type: FLOAT },
      swap: { type: FLOAT },
      load1: { type: FLOAT },
      disks: { type: TEXT },
      error: { type: STRING(500) },
      polled_by: { type: STRING(100) },
    }),
  };
}
