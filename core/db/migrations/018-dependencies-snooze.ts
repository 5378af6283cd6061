// Alert holds beyond maintenance windows (issue 18): a monitor's parents (monitor_dependencies:
// while a parent is down, a child's alerts wait), a snooze set by the job or the API
// (monitors.snoozed_until), and why a delivery was held (deliveries.hold_kind "maintenance",
// "snooze" or "parent", hold_detail the window ids or the parent's name), kept after release so
// that the alert, when it goes out, says what held it.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("monitors", "snoozed_until", { type: BIGINT, allowNull: true });
  await qi.createTable("monitor_dependencies", {
    monitor_id: { type: INTEGER, primaryKey: true, allowNull: false },
    parent_id: { type: INTEGER, primaryKey: true, allowNull: false },
  });
  // A parent's children (its page, and removing the links when it is deleted).
  await qi.addIndex("monitor_dependencies", ["parent_id"], { name: "monitor_dependencies_parent_id" });
  await qi.addColumn("deliveries", "hold_kind", { type: STRING(16), allowNull: true });
  await qi.addColumn("deliveries", "hold_detail", { type: STRING(200), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("deliveries", "hold_detail");
  await qi.removeColumn("deliveries", "hold_kind");
  await qi.dropTable("monitor_dependencies");
  await qi.removeColumn("monitors", "snoozed_until");
}
