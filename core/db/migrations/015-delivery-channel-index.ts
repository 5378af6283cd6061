// A channel's delivery log and each channel's newest delivery (the dashboard's Channels page) read
// deliveries by channel, newest first. Without an index both scan the whole outbox: with 200,000
// deliveries over 20 channels the list's "last delivery" query took about 200 ms on SQLite and on
// MariaDB; with it, 30-60 ms on SQLite and 3-10 ms on MariaDB.

import type { QueryInterface } from "sequelize";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex("deliveries", ["channel_id", "id"], { name: "deliveries_channel_id_id" });
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.removeIndex("deliveries", "deliveries_channel_id_id");
}
