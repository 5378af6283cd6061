// Languages: a user's dashboard language and a channel's alert language. Null means the
// default (the browser's, else DEFAULT_LOCALE; for channels DEFAULT_LOCALE), so existing rows
// keep behaving as before.

import { DataTypes, type QueryInterface } from "sequelize";

const { STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addColumn("users", "locale", { type: STRING(16), allowNull: true });
  await qi.addColumn("channels", "locale", { type: STRING(16), allowNull: true });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeColumn("channels", "locale");
  await qi.removeColumn("users", "locale");
}
