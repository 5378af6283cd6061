// Sequelize models over the tables that the migrations create. Migrations own the schema
// (models never sync); models serve plain CRUD, hot paths use raw SQL through Database.

import { DataTypes, Model, type Sequelize, type ModelStatic, type ModelAttributes } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN, SMALLINT, DOUBLE } = DataTypes;

export interface UserRow { id: number; username: string; password_hash: string; role: string; locale: string | null; created_at: number; updated_at: number }
export interface MonitorRow {
  id: number; code: string; name: string; description: string | null;
  schedule_kind: string; period_seconds: number | null; grace_seconds: number; cron_expression: string | null; cron_dialect: string;
  timezone: string; deadline: string; status: string; armed_at: number;
  last_ping_at: number | null; last_ping_kind: string | null; last_start_at: number | null;
  late_at: number | null; down_at: number | null; status_changed_at: number; ping_count: number;
  repeat_every_seconds: number | null; next_reminder_at: number | null; reminders_sent: number;
  max_run_seconds: number | null; run_deadline_at: number | null; slow_factor: number | null; slow_window: number;
  failure_threshold: number; recovery_threshold: number; consecutive_failures: number; consecutive_successes: number;
  created_at: number; updated_at: number;
}
export interface TagRow { id: number; name: string }
export interface MonitorTagRow { monitor_id: number; tag_id: number }
export interface PingRow {
  id: number; monitor_id: number; kind: string; exit_status: number | null; data: string | null; data_truncated: boolean;
  duration_ms: number | null; received_at: number; source_ip: string | null; user_agent: string | null;
}
export interface FlipRow { id: number; monitor_id: number; from_status: string; to_status: string; reason: string; flipped_at: number; expected_at: number | null; ping_id: number | null }
export interface DeliveryRow {
  id: number; flip_id: number; monitor_id: number; channel: string; channel_id: number | null; round: number; event: string;
  state: string; attempts: number; next_attempt_at: number; lease_until: number | null; claimed_by: string | null;
  last_attempt_at: number | null; last_error: string | null; sent_at: number | null; created_at: number;
}
export interface ChannelRow {
  id: number; name: string; type: string; config: string; secrets: string; events: string;
  is_default: boolean | number; enabled: boolean | number; managed: string | null; locale: string | null; created_at: number; updated_at: number;
}
export interface MonitorChannelRow { monitor_id: number; channel_id: number }

type M<R extends object> = ModelStatic<Model<R, Partial<R>>>;
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
}

const ms = (allowNull = false) => ({ type: BIGINT, allowNull });
const pk = { type: INTEGER, primaryKey: true, autoIncrement: true };

export function defineModels(sequelize: Sequelize): Models {
  const define = <R extends object>(name: string, table: string, attrs: ModelAttributes<Model<R, Partial<R>>>): M<R> =>
    sequelize.define<Model<R, Partial<R>>>(name, attrs, { tableName: table, timestamps: false });

  return {
    User: define<UserRow>("User", "users", {
      id: pk, username: { type: STRING(150), allowNull: false }, password_hash: { type: STRING(255), allowNull: false },
      role: { type: STRING(16), allowNull: false }, locale: { type: STRING(16) }, created_at: ms(), updated_at: ms(),
    }),
    Monitor: define<MonitorRow>("Monitor", "monitors", {
      id: pk, code: { type: STRING(36), allowNull: false }, name: { type: STRING(200), allowNull: false },
      description: { type: TEXT }, schedule_kind: { type: STRING(16), allowNull: false }, period_seconds: { type: INTEGER },
      grace_seconds: { type: INTEGER, allowNull: false }, cron_expression: { type: STRING(2100) },
      cron_dialect: { type: STRING(16), allowNull: false, defaultValue: "cron" },
      timezone: { type: STRING(64), allowNull: false }, deadline: { type: STRING(16), allowNull: false },
      status: { type: STRING(16), allowNull: false }, armed_at: ms(), last_ping_at: ms(true),
      last_ping_kind: { type: STRING(16) }, last_start_at: ms(true), late_at: ms(true), down_at: ms(true),
      status_changed_at: ms(), ping_count: { type: INTEGER, allowNull: false },
      repeat_every_seconds: { type: INTEGER }, next_reminder_at: ms(true), reminders_sent: { type: INTEGER, allowNull: false },
      max_run_seconds: { type: INTEGER }, run_deadline_at: ms(true), slow_factor: { type: DOUBLE }, slow_window: { type: INTEGER, allowNull: false, defaultValue: 20 },
      failure_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 }, recovery_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 },
      consecutive_failures: { type: INTEGER, allowNull: false, defaultValue: 0 }, consecutive_successes: { type: INTEGER, allowNull: false, defaultValue: 0 },
      created_at: ms(), updated_at: ms(),
    }),
    Tag: define<TagRow>("Tag", "tags", { id: pk, name: { type: STRING(64), allowNull: false } }),
    MonitorTag: define<MonitorTagRow>("MonitorTag", "monitor_tags", {
      monitor_id: { type: INTEGER, primaryKey: true }, tag_id: { type: INTEGER, primaryKey: true },
    }),
    Ping: define<PingRow>("Ping", "pings", {
      id: { type: BIGINT, primaryKey: true, autoIncrement: true }, monitor_id: { type: INTEGER, allowNull: false },
      kind: { type: STRING(16), allowNull: false }, exit_status: { type: SMALLINT }, data: { type: TEXT },
      data_truncated: { type: BOOLEAN, allowNull: false }, duration_ms: ms(true), received_at: ms(),
      source_ip: { type: STRING(64) }, user_agent: { type: STRING(200) },
    }),
    Flip: define<FlipRow>("Flip", "flips", {
      id: pk, monitor_id: { type: INTEGER, allowNull: false }, from_status: { type: STRING(16), allowNull: false },
      to_status: { type: STRING(16), allowNull: false }, reason: { type: STRING(32), allowNull: false },
      flipped_at: ms(), expected_at: ms(true), ping_id: { type: BIGINT },
    }),
    Delivery: define<DeliveryRow>("Delivery", "deliveries", {
      id: pk, flip_id: { type: INTEGER, allowNull: false }, monitor_id: { type: INTEGER, allowNull: false },
      channel: { type: STRING(64), allowNull: false }, channel_id: { type: INTEGER }, round: { type: INTEGER, allowNull: false },
      event: { type: STRING(16), allowNull: false }, state: { type: STRING(16), allowNull: false },
      attempts: { type: INTEGER, allowNull: false }, next_attempt_at: ms(), lease_until: ms(true), claimed_by: { type: STRING(100) },
      last_attempt_at: ms(true), last_error: { type: TEXT }, sent_at: ms(true), created_at: ms(),
    }),
    Channel: define<ChannelRow>("Channel", "channels", {
      id: pk, name: { type: STRING(200), allowNull: false }, type: { type: STRING(64), allowNull: false },
      config: { type: TEXT, allowNull: false }, secrets: { type: TEXT, allowNull: false }, events: { type: STRING(64), allowNull: false },
      is_default: { type: BOOLEAN, allowNull: false }, enabled: { type: BOOLEAN, allowNull: false }, managed: { type: STRING(32) },
      locale: { type: STRING(16) },
      created_at: ms(), updated_at: ms(),
    }),
    MonitorChannel: define<MonitorChannelRow>("MonitorChannel", "monitor_channels", {
      monitor_id: { type: INTEGER, primaryKey: true }, channel_id: { type: INTEGER, primaryKey: true },
    }),
  };
}
