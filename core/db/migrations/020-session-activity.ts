// Idle timeouts for dashboard sessions (issue 19): when each session was last used. Null for
// sessions opened before this migration: their creation time stands in.

import { DataTypes, type QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("sessions", "last_seen_at", { type: DataTypes.BIGINT, allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("sessions", "last_seen_at");
}
