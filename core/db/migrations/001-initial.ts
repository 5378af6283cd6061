// The first schema. Times are BIGINT epoch milliseconds (UTC): exact, compared as numbers on
// both dialects, and cheap on the ping hot path.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN, SMALLINT } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const id = { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false };
  const bigId = { type: BIGINT, primaryKey: true, autoIncrement: true, allowNull: false };
  const ms = (allowNull: boolean) => ({ type: BIGINT, allowNull });
  const ref = (table: string) => ({
    type: INTEGER,
    allowNull: false,
    references: { model: table, key: "id" },
    onDelete: "CASCADE",
  });

  await qi.createTable("users", {
    id,
    username: { type: STRING(150), allowNull: false, unique: true },
    password_hash: { type: STRING(255), allowNull: false },
    role: { type: STRING(16), allowNull: false },
    created_at: ms(false),
    updated_at: ms(false),
  });

  await qi.createTable("monitors", {
    id,
    code: { type: STRING(32), allowNull: false, unique: true },
    name: { type: STRING(200), allowNull: false },
    description: { type: TEXT, allowNull: true },
    schedule_kind: { type: STRING(16), allowNull: false },
    period_seconds: { type: INTEGER, allowNull: true },
    grace_seconds: { type: INTEGER, allowNull: false, defaultValue: 0 },
    cron_expression: { type: STRING(200), allowNull: true },
    timezone: { type: STRING(64), allowNull: false },
    deadline: { type: STRING(16), allowNull: false, defaultValue: "grace" },
    status: { type: STRING(16), allowNull: false },
    armed_at: ms(false),
    last_ping_at: ms(true),
    last_ping_kind: { type: STRING(16), allowNull: true },
    last_start_at: ms(true),
    late_at: ms(true),
    down_at: ms(true),
    status_changed_at: ms(false),
    ping_count: { type: INTEGER, allowNull: false, defaultValue: 0 },
    created_at: ms(false),
    updated_at: ms(false),
  });
  await qi.addIndex("monitors", ["status"], { name: "monitors_status" });
  await qi.addIndex("monitors", ["down_at"], { name: "monitors_down_at" });
  await qi.addIndex("monitors", ["name"], { name: "monitors_name" });
  // The checker's periodic look at monitors changed lately (a safety net for missed events).
  await qi.addIndex("monitors", ["updated_at"], { name: "monitors_updated_at" });
  await qi.addIndex("monitors", ["status_changed_at"], { name: "monitors_status_changed_at" });

  await qi.createTable("tags", {
    id,
    name: { type: STRING(64), allowNull: false, unique: true },
  });
  await qi.createTable("monitor_tags", {
    monitor_id: { ...ref("monitors"), primaryKey: true },
    tag_id: { ...ref("tags"), primaryKey: true },
  });
  await qi.addIndex("monitor_tags", ["tag_id", "monitor_id"], { name: "monitor_tags_tag" });

  await qi.createTable("pings", {
    id: bigId,
    monitor_id: ref("monitors"),
    kind: { type: STRING(16), allowNull: false },
    exit_status: { type: SMALLINT, allowNull: true },
    data: { type: TEXT, allowNull: true },
    data_truncated: { type: BOOLEAN, allowNull: false, defaultValue: false },
    duration_ms: ms(true),
    received_at: ms(false),
    source_ip: { type: STRING(64), allowNull: true },
    user_agent: { type: STRING(200), allowNull: true },
  });
  await qi.addIndex("pings", ["monitor_id", "id"], { name: "pings_monitor" });

  await qi.createTable("flips", {
    id,
    monitor_id: ref("monitors"),
    from_status: { type: STRING(16), allowNull: false },
    to_status: { type: STRING(16), allowNull: false },
    reason: { type: STRING(32), allowNull: false },
    flipped_at: ms(false),
    expected_at: ms(true),
    ping_id: { type: BIGINT, allowNull: true },
  });
  await qi.addIndex("flips", ["monitor_id", "id"], { name: "flips_monitor" });

  await qi.createTable("deliveries", {
    id,
    flip_id: { ...ref("flips") },
    monitor_id: ref("monitors"),
    channel: { type: STRING(64), allowNull: false },
    state: { type: STRING(16), allowNull: false },
    attempts: { type: INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: ms(false),
    lease_until: ms(true),
    last_error: { type: TEXT, allowNull: true },
    sent_at: ms(true),
    created_at: ms(false),
  });
  await qi.addIndex("deliveries", ["flip_id", "channel"], { name: "deliveries_flip_channel", unique: true });
  await qi.addIndex("deliveries", ["state", "next_attempt_at"], { name: "deliveries_due" });
  await qi.addIndex("deliveries", ["monitor_id", "id"], { name: "deliveries_monitor" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const t of ["deliveries", "flips", "pings", "monitor_tags", "tags", "monitors", "users"]) await qi.dropTable(t);
}
