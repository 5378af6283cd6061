// Run limits (issue 9, duration alerts and thresholds): how long a started run may take and
// when it must have finished (run_deadline_at, watched by the checker like late_at/down_at),
// the opt-in slow-run rule, and the counters behind failure/recovery thresholds.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, DOUBLE } = DataTypes;

const COLUMNS = {
  max_run_seconds: { type: INTEGER, allowNull: true },
  run_deadline_at: { type: BIGINT, allowNull: true },
  slow_factor: { type: DOUBLE, allowNull: true },
  slow_window: { type: INTEGER, allowNull: false, defaultValue: 20 },
  failure_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 },
  recovery_threshold: { type: INTEGER, allowNull: false, defaultValue: 1 },
  consecutive_failures: { type: INTEGER, allowNull: false, defaultValue: 0 },
  consecutive_successes: { type: INTEGER, allowNull: false, defaultValue: 0 },
} as const;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const [name, spec] of Object.entries(COLUMNS)) await qi.addColumn("monitors", name, spec);
  // The overdue sweep asks for watched monitors whose run deadline passed, as for down_at/late_at.
  await qi.addIndex("monitors", ["status", "run_deadline_at"], { name: "monitors_status_run_deadline_at" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("monitors", "monitors_status_run_deadline_at");
  for (const name of Object.keys(COLUMNS).reverse()) await qi.removeColumn("monitors", name);
}
