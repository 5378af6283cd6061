// Badge keys: the random key that names a monitor's or a tag's public status badge, so that a
// badge URL carries neither the ping code nor anything else. One key per monitor and per tag;
// regenerating replaces it (the old URL stops working).

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("badge_keys", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    badge_key: { type: STRING(32), allowNull: false, unique: true },
    // exactly one of the two is set
    monitor_id: { type: INTEGER, allowNull: true, unique: true },
    tag_id: { type: INTEGER, allowNull: true, unique: true },
    created_at: { type: BIGINT, allowNull: false },
  });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("badge_keys");
}
