// The audit log (issue 19): who changed what, when and from where, and every sign-in. Rows are
// only added, and deleted when older than AUDIT_RETENTION_DAYS.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("audit_log", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    at: { type: BIGINT, allowNull: false },
    // a user name, `key:<name>` for an API key, or the name a failed sign-in tried
    actor: { type: STRING(191), allowNull: true },
    action: { type: STRING(64), allowNull: false },
    target: { type: STRING(300), allowNull: true },
    ip: { type: STRING(191), allowNull: true },
    // JSON: {field: {from, to}} or "(set)" / "(changed)" for secrets; never a secret's value
    changes: { type: TEXT, allowNull: true },
  });
  await qi.addIndex("audit_log", ["at"], { name: "audit_log_at" });
  await qi.addIndex("audit_log", ["actor", "id"], { name: "audit_log_actor" });
  await qi.addIndex("audit_log", ["action", "id"], { name: "audit_log_action" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("audit_log");
}
