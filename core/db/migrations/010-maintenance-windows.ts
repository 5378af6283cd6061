// Maintenance windows: one-off (starts_at, ends_at) or recurring (cron_expression in timezone,
// each run lasting duration_seconds), scoped by monitor ids and tag names (JSON lists; a deleted
// monitor's id left in a list covers nothing). Deliveries held back by a window wait in the
// outbox in the states `held` and `suppressed` (no new column: `state` is a string).

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("maintenance_windows", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: { type: STRING(100), allowNull: false },
    kind: { type: STRING(10), allowNull: false },
    starts_at: { type: BIGINT, allowNull: true },
    ends_at: { type: BIGINT, allowNull: true },
    cron_expression: { type: STRING(200), allowNull: true },
    duration_seconds: { type: INTEGER, allowNull: true },
    timezone: { type: STRING(100), allowNull: true },
    monitor_ids: { type: TEXT, allowNull: false },
    tags: { type: TEXT, allowNull: false },
    created_at: { type: BIGINT, allowNull: false },
    updated_at: { type: BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("maintenance_windows");
}
