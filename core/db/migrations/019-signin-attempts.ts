// Failed sign-ins counted in the database, not in each gateway's memory (issue 19): N gateways
// together allow what one allows, and a restart forgets nothing. One row per user name or
// client address being counted; rows whose window and lockout are over are pruned.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING } = DataTypes;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.createTable("signin_attempts", {
    scope: { type: STRING(4), primaryKey: true, allowNull: false },
    // a user name (at most 150 characters) or an address; 191 keeps the key within InnoDB's 767 bytes
    who: { type: STRING(191), primaryKey: true, allowNull: false },
    failures: { type: INTEGER, allowNull: false },
    since: { type: BIGINT, allowNull: false },
    locked_until: { type: BIGINT, allowNull: false },
  });
  await qi.addIndex("signin_attempts", ["locked_until"], { name: "signin_attempts_locked_until" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.dropTable("signin_attempts");
}
