// Browser sessions for the dashboard: a random token in an HttpOnly cookie, stored only as its
// SHA-256, with the CSRF token the page must echo on every change. Rows go on logout or expiry.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("sessions", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    token_hash: { type: STRING(64), allowNull: false, unique: true },
    user_id: { type: INTEGER, allowNull: false, references: { model: "users", key: "id" }, onDelete: "CASCADE" },
    csrf_token: { type: STRING(64), allowNull: false },
    created_at: { type: BIGINT, allowNull: false },
    expires_at: { type: BIGINT, allowNull: false },
  });
  await qi.addIndex("sessions", ["user_id"], { name: "sessions_user" });
  await qi.addIndex("sessions", ["expires_at"], { name: "sessions_expires_at" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("sessions");
}
