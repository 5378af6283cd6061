// Codes up to 36 characters: a healthchecks.io check imported with its ping URL keeps its UUID
// (36 characters with hyphens) as its code, so its jobs are repointed by changing the host only.
// SQLite does not enforce VARCHAR lengths; MariaDB needs the column widened (the unique index stays).

import type { QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "mysql") await qi.sequelize.query("ALTER TABLE monitors MODIFY code VARCHAR(36) NOT NULL");
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "mysql") await qi.sequelize.query("ALTER TABLE monitors MODIFY code VARCHAR(32) NOT NULL");
}
