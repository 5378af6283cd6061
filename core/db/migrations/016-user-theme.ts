// A user's dashboard colour scheme ("light" or "dark"). Null means "system": follow the
// browser's prefers-color-scheme, so existing users keep what they see today.

import { DataTypes, type QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("users", "theme", { type: DataTypes.STRING(8), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("users", "theme");
}
