// API keys: a name, a scope, the readable prefix and the SHA-256 of the key (never the key),
// who made it, when it was last used, and when it was revoked (kept, so the list says so).

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("api_keys", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: { type: STRING(100), allowNull: false },
    scope: { type: STRING(10), allowNull: false },
    prefix: { type: STRING(20), allowNull: false },
    key_hash: { type: STRING(64), allowNull: false, unique: true },
    created_by: { type: STRING(150), allowNull: false },
    created_at: { type: BIGINT, allowNull: false },
    last_used_at: { type: BIGINT, allowNull: true },
    revoked_at: { type: BIGINT, allowNull: true },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("api_keys");
}
