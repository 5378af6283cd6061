// Weekly reports: a user's e-mail address and opt-in (with the time of the opt-in, so that a
// report covers only weeks ending after it, and the time the last one was sent), and the
// reports' own outbox: one row per user and report time (unique, so replicas and restarts
// queue it once), claimed with a lease like the deliveries.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("users", "email", { type: STRING(254), allowNull: true });
  await qi.addColumn("users", "weekly_report", { type: BOOLEAN, allowNull: false, defaultValue: false });
  await qi.addColumn("users", "weekly_report_since", { type: BIGINT, allowNull: true });
  await qi.addColumn("users", "weekly_report_sent_at", { type: BIGINT, allowNull: true });
  await qi.createTable("weekly_reports", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    user_id: { type: INTEGER, allowNull: false, references: { model: "users", key: "id" }, onDelete: "CASCADE" },
    period_at: { type: BIGINT, allowNull: false },
    state: { type: STRING(16), allowNull: false },
    attempts: { type: INTEGER, allowNull: false, defaultValue: 0 },
    next_attempt_at: { type: BIGINT, allowNull: false },
    claimed_by: { type: STRING(200), allowNull: true },
    lease_until: { type: BIGINT, allowNull: true },
    last_attempt_at: { type: BIGINT, allowNull: true },
    last_error: { type: TEXT, allowNull: true },
    sent_at: { type: BIGINT, allowNull: true },
    created_at: { type: BIGINT, allowNull: false },
  });
  await qi.addIndex("weekly_reports", ["user_id", "period_at"], { name: "weekly_reports_user_period", unique: true });
  await qi.addIndex("weekly_reports", ["state", "next_attempt_at"], { name: "weekly_reports_due" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("weekly_reports");
  for (const c of ["weekly_report_sent_at", "weekly_report_since", "weekly_report", "email"])
    await qi.removeColumn("users", c);
}
