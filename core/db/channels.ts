// Reading and attaching channels: which channels a monitor alerts, for the registry's views,
// the flip recorder's delivery rows and the notifier's reminders alike.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { ENV_EMAIL } from "./migrations/002-channels.ts";
import { columnsOf, plainRow, plainRows, type ChannelRow } from "./models.ts";

export { ENV_EMAIL };

export interface AlertTarget {
  channelId: number;
  type: string;
  events: string[];
}

/** Each monitor's channel ids, ascending; monitors without channels map to []. */
export async function channelIdsOf(
  db: Database,
  monitorIds: number[],
  t?: Transaction,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(monitorIds.map((i) => [i, []]));
  if (!monitorIds.length) return out;
  const rows = await plainRows(db.models.MonitorChannel, {
    attributes: ["monitor_id", "channel_id"],
    where: { monitor_id: monitorIds },
    order: [["channel_id", "ASC"]],
    transaction: t,
  });
  for (const r of rows) out.get(Number(r.monitor_id))?.push(Number(r.channel_id));
  return out;
}

// Raw SQL: a join, and it runs inside the flip recorder's hot write (on the SQLite file, on the
// inline connection, which the models do not use).
/** The enabled channels of each monitor with the events each one wants. */
export async function alertTargets(
  db: Database,
  monitorIds: number[],
  t?: Transaction,
): Promise<Map<number, AlertTarget[]>> {
  const out = new Map<number, AlertTarget[]>();
  if (!monitorIds.length) return out;
  const rows = await db.select<{ monitor_id: number; id: number; type: string; events: string }>(
    `SELECT mc.monitor_id, c.id, c.type, c.events FROM monitor_channels mc JOIN channels c ON c.id = mc.channel_id
      WHERE mc.monitor_id IN (?) AND c.enabled = ? ORDER BY c.id`,
    [[...new Set(monitorIds)], true],
    t,
  );
  for (const r of rows) {
    const list = out.get(Number(r.monitor_id)) ?? [];
    list.push({ channelId: Number(r.id), type: r.type, events: r.events.split(",").filter(Boolean) });
    out.set(Number(r.monitor_id), list);
  }
  return out;
}

/** fresh: the monitor was created in this transaction, so there is nothing to replace. */
export async function setChannels(
  db: Database,
  monitorId: number,
  channelIds: number[],
  t: Transaction,
  fresh = false,
): Promise<void> {
  if (!fresh) await db.models.MonitorChannel.destroy({ where: { monitor_id: monitorId }, transaction: t });
  const unique = [...new Set(channelIds)];
  if (unique.length)
    await db.models.MonitorChannel.bulkCreate(
      unique.map((c) => ({ monitor_id: monitorId, channel_id: c })),
      { transaction: t },
    );
}

/** Of the given ids, those that name no channel. */
export async function unknownChannels(db: Database, channelIds: number[], t?: Transaction): Promise<number[]> {
  if (!channelIds.length) return [];
  const rows = await plainRows(db.models.Channel, {
    attributes: ["id"],
    where: { id: [...new Set(channelIds)] },
    transaction: t,
  });
  const known = new Set(rows.map((r) => Number(r.id)));
  return channelIds.filter((c) => !known.has(c));
}

export async function defaultChannelIds(db: Database, t?: Transaction): Promise<number[]> {
  const rows = await plainRows(db.models.Channel, {
    attributes: ["id"],
    where: { is_default: true },
    order: [["id", "ASC"]],
    transaction: t,
  });
  return rows.map((r) => Number(r.id));
}

/**
 * The channel that stands for SMTP_URL/ALERT_TO. It is created the first time the environment
 * configures email, as a default channel attached to every existing monitor (before channels
 * were data, that email went to every monitor); after that it is a channel like any other,
 * except that the environment owns its settings. Without SMTP settings it stays, disabled.
 */
export async function syncEnvEmailChannel(
  db: Database,
  configured: boolean,
  now: number,
): Promise<"created" | "enabled" | "disabled" | "unchanged"> {
  return db.write(async (t) => {
    const row = await plainRow(db.models.Channel, {
      attributes: ["id", "enabled"],
      where: { managed: ENV_EMAIL },
      lock: t.LOCK.UPDATE,
      transaction: t,
    });
    if (!row) {
      if (!configured) return "unchanged";
      const created = await db.models.Channel.create(
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
        { transaction: t },
      );
      // Raw SQL: one INSERT … SELECT attaches every monitor, without reading them all first.
      await db.change(
        "INSERT INTO monitor_channels (monitor_id, channel_id) SELECT id, ? FROM monitors",
        [Number(created.get("id"))],
        t,
      );
      return "created";
    }
    if (Boolean(Number(row.enabled)) === configured) return "unchanged";
    await db.models.Channel.update({ enabled: configured, updated_at: now }, { where: { id: row.id }, transaction: t });
    return configured ? "enabled" : "disabled";
  });
}

// The registry's channel CRUD (services/registry/channels.ts) and the backup's reads of channels.

export async function channelRow(db: Database, channelId: number): Promise<ChannelRow | undefined> {
  return plainRow(db.models.Channel, { where: { id: channelId } });
}

/** Every channel, by name. */
export async function listChannels(db: Database): Promise<ChannelRow[]> {
  return plainRows(db.models.Channel, {
    order: [
      ["name", "ASC"],
      ["id", "ASC"],
    ],
  });
}

/** Every channel, in no order. */
export async function allChannels(db: Database, t?: Transaction): Promise<ChannelRow[]> {
  return plainRows(db.models.Channel, { transaction: t });
}

/** The channels a backup holds: all but the environment's email channel, by id. */
export async function unmanagedChannels(db: Database): Promise<ChannelRow[]> {
  return plainRows(db.models.Channel, { where: { managed: null }, order: [["id", "ASC"]] });
}

// Raw SQL: a GROUP BY count, plainer in SQL than as the ORM's aggregate options.
/** How many monitors each channel alerts: one query for a whole list. */
export async function monitorCountsOf(db: Database, channelIds: number[]): Promise<Map<number, number>> {
  if (!channelIds.length) return new Map();
  const rows = await db.select<{ channel_id: number; n: number }>(
    "SELECT channel_id, COUNT(*) AS n FROM monitor_channels WHERE channel_id IN (?) GROUP BY channel_id",
    [channelIds],
  );
  return new Map(rows.map((c) => [Number(c.channel_id), Number(c.n)]));
}

export type NewChannel = Omit<ChannelRow, "id" | "managed" | "is_default" | "enabled"> & {
  is_default: boolean;
  enabled: boolean;
};

/** Stores a channel made by hand or by an import (never the environment's); answers its id. */
export async function insertChannel(db: Database, c: NewChannel, t: Transaction): Promise<number> {
  const row = await db.models.Channel.create(
    {
      name: c.name,
      type: c.type,
      config: c.config,
      secrets: c.secrets,
      events: c.events,
      is_default: c.is_default,
      enabled: c.enabled,
      managed: null,
      locale: c.locale,
      created_at: c.created_at,
      updated_at: c.updated_at,
    },
    { transaction: t },
  );
  return Number(row.get("id"));
}

/** Sets these columns of one channel. */
export async function updateChannel(db: Database, channelId: number, set: Record<string, unknown>): Promise<void> {
  const values = columnsOf(db.models.Channel, set);
  await db.write((t) => db.models.Channel.update(values, { where: { id: channelId }, transaction: t }));
}

/** Deletes a channel: detached from its monitors; its deliveries stay as history, those not yet sent will never be. */
export async function deleteChannel(db: Database, channelId: number, now: number): Promise<void> {
  await db.write(async (t) => {
    await db.models.MonitorChannel.destroy({ where: { channel_id: channelId }, transaction: t });
    await db.models.Delivery.update(
      { state: "failed", lease_until: null, last_error: "the channel was deleted", last_attempt_at: now },
      { where: { channel_id: channelId, state: ["pending", "sending"] }, transaction: t },
    );
    await db.models.Channel.destroy({ where: { id: channelId }, transaction: t });
  });
}
