// Schedule dialects (issue 15): whose rules turn a cron expression into run times. Every stored
// cron monitor becomes "cron" (Debian cron / cronie), the default; its deadlines follow those
// rules from its next ping or arm. OnCalendar monitors keep their calendar events, one per line,
// in cron_expression: up to 10 of 200 characters each, so MariaDB needs the column widened
// (SQLite does not enforce VARCHAR lengths; a changeColumn there would rebuild the table).

import { DataTypes, type QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("monitors", "cron_dialect", {
    type: DataTypes.STRING(16),
    allowNull: false,
    defaultValue: "cron",
  });
  if (qi.sequelize.getDialect() === "mysql")
    await qi.sequelize.query("ALTER TABLE monitors MODIFY cron_expression VARCHAR(2100) NULL");
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "mysql")
    await qi.sequelize.query("ALTER TABLE monitors MODIFY cron_expression VARCHAR(200) NULL");
  // raw DROP COLUMN: sequelize's SQLite removeColumn rebuilds the table and loses due_at (see 013)
  await qi.sequelize.query("ALTER TABLE monitors DROP COLUMN cron_dialect");
}
