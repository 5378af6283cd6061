// Codes up to 36 characters: a healthchecks.io check imported with its ping URL keeps its UUID
// (36 characters with hyphens) as its code, so its jobs are repointed by changing the host only.
// SQLite does not enforce VARCHAR lengths; MariaDB needs the column widened (the unique index stays).
// Binary collation too: codes are case-sensitive (base62, and the original tool's short codes),
// as they are on SQLite and in ingest's code cache; the default collation matched "aBc" to "ABC".

import type { QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "mysql")
    await qi.sequelize.query(
      "ALTER TABLE monitors MODIFY code VARCHAR(36) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL",
    );
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  if (qi.sequelize.getDialect() === "mysql")
    await qi.sequelize.query("ALTER TABLE monitors MODIFY code VARCHAR(32) NOT NULL");
}
