// Channels become data: a row per configured notifier, chosen per monitor. Deliveries point
// at a channel row and carry a round (0 = the flip's own alert, n = the n-th reminder), so
// the outbox's unique key (flip, channel, round) makes every alert at most one row.

import { DataTypes, QueryTypes, type QueryInterface } from "sequelize";

const { INTEGER, BIGINT, STRING, TEXT, BOOLEAN } = DataTypes;

/** The channel that stands for the SMTP_* / ALERT_* environment variables. */
export const ENV_EMAIL = "env:email";

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  const ms = (allowNull: boolean) => ({ type: BIGINT, allowNull });
  const ref = (table: string) => ({
    type: INTEGER,
    allowNull: false,
    references: { model: table, key: "id" },
    onDelete: "CASCADE",
  });

  await qi.createTable("channels", {
    id: { type: INTEGER, primaryKey: true, autoIncrement: true, allowNull: false },
    name: { type: STRING(200), allowNull: false },
    type: { type: STRING(64), allowNull: false },
    // non-secret settings as JSON; secrets apart, so they can be encrypted at rest on their own
    config: { type: TEXT, allowNull: false },
    secrets: { type: TEXT, allowNull: false },
    events: { type: STRING(64), allowNull: false, defaultValue: "down,up,failure" },
    is_default: { type: BOOLEAN, allowNull: false, defaultValue: false },
    enabled: { type: BOOLEAN, allowNull: false, defaultValue: true },
    // set for channels that configuration owns (ENV_EMAIL); the API cannot edit those
    managed: { type: STRING(32), allowNull: true, unique: true },
    created_at: ms(false),
    updated_at: ms(false),
  });
  await qi.createTable("monitor_channels", {
    monitor_id: { ...ref("monitors"), primaryKey: true },
    channel_id: { ...ref("channels"), primaryKey: true },
  });
  await qi.addIndex("monitor_channels", ["channel_id", "monitor_id"], { name: "monitor_channels_channel" });

  await qi.addColumn("monitors", "repeat_every_seconds", { type: INTEGER, allowNull: true });
  await qi.addColumn("monitors", "next_reminder_at", ms(true));
  await qi.addColumn("monitors", "reminders_sent", { type: INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addIndex("monitors", ["next_reminder_at"], { name: "monitors_next_reminder_at" });

  // Deliveries keep their channel after the channel row is deleted (history), so no foreign key.
  await qi.addColumn("deliveries", "channel_id", { type: INTEGER, allowNull: true });
  await qi.addColumn("deliveries", "round", { type: INTEGER, allowNull: false, defaultValue: 0 });
  await qi.addColumn("deliveries", "event", { type: STRING(16), allowNull: false, defaultValue: "down" });
  await qi.addColumn("deliveries", "claimed_by", { type: STRING(100), allowNull: true });
  await qi.addColumn("deliveries", "last_attempt_at", ms(true));
  // New index first: on MySQL the flip_id foreign key needs an index that starts with flip_id.
  await qi.addIndex("deliveries", ["flip_id", "channel_id", "round"], {
    name: "deliveries_flip_channel_round",
    unique: true,
  });
  await qi.removeIndex("deliveries", "deliveries_flip_channel");

  // Before this, "email" meant the environment's SMTP settings for every monitor: keep it so.
  const [{ n }] = await qi.sequelize.query<{ n: number }>("SELECT COUNT(*) AS n FROM deliveries", {
    type: QueryTypes.SELECT,
  });
  if (Number(n) > 0) {
    const now = Date.now();
    await qi.bulkInsert("channels", [
      {
        name: "Email (environment)",
        type: "email",
        config: "{}",
        secrets: "{}",
        events: "down,up,failure",
        is_default: true,
        enabled: true,
        managed: ENV_EMAIL,
        created_at: now,
        updated_at: now,
      },
    ]);
    const [ch] = await qi.sequelize.query<{ id: number }>("SELECT id FROM channels WHERE managed = ?", {
      replacements: [ENV_EMAIL],
      type: QueryTypes.SELECT,
    });
    await qi.sequelize.query("UPDATE deliveries SET channel_id = ? WHERE channel = 'email'", {
      replacements: [ch!.id],
    });
    await qi.sequelize.query("INSERT INTO monitor_channels (monitor_id, channel_id) SELECT id, ? FROM monitors", {
      replacements: [ch!.id],
    });
  }
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  await qi.addIndex("deliveries", ["flip_id", "channel"], { name: "deliveries_flip_channel", unique: true });
  await qi.removeIndex("deliveries", "deliveries_flip_channel_round");
  for (const c of ["channel_id", "round", "event", "claimed_by", "last_attempt_at"])
    await qi.removeColumn("deliveries", c);
  await qi.removeIndex("monitors", "monitors_next_reminder_at");
  for (const c of ["repeat_every_seconds", "next_reminder_at", "reminders_sent"]) await qi.removeColumn("monitors", c);
  await qi.dropTable("monitor_channels");
  await qi.dropTable("channels");
}
