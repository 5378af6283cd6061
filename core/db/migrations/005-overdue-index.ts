// Checkers share the monitors; as a safety net each one also asks the database for monitors
// whose deadline passed a while ago and nobody flipped. These indexes make that question a
// range scan over the overdue rows only, not over every down monitor.

import type { QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex("monitors", ["status", "down_at"], { name: "monitors_status_down_at" });
  await qi.addIndex("monitors", ["status", "late_at"], { name: "monitors_status_late_at" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("monitors", "monitors_status_late_at");
  await qi.removeIndex("monitors", "monitors_status_down_at");
}
