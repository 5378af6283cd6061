// Reading and attaching channels: which channels a monitor alerts, for the registry's views,
// the flip recorder's delivery rows and the notifier's reminders alike.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import { ENV_EMAIL } from "./migrations/002-channels.ts";
import type { ChannelRow } from "./models.ts";

export { ENV_EMAIL };

export interface AlertTarget {
  channelId: number;
  type: string;
  events: string[];
}

/** Each monitor's channel ids, ascending; monitors without channels map to []. */
export async function channelIdsOf(db: Database, monitorIds: number[], t?: Transaction): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>(monitorIds.map((i) => [i, []]));
  if (!monitorIds.length) return out;
  const rows = await db.select<{ monitor_id: number; channel_id: number }>(
    "SELECT monitor_id, channel_id FROM monitor_channels WHERE monitor_id IN (?) ORDER BY channel_id",
    [monitorIds],
    t,
  );
  for (const r of rows) out.get(Number(r.monitor_id))?.push(Number(r.channel_id));
  return out;
}

/** The enabled channels of each monitor with the events each one wants. */
export async function alertTargets(db: Database, monitorIds: number[], t?: Transaction): Promise<Map<number, AlertTarget[]>> {
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
export async function setChannels(db: Database, monitorId: number, channelIds: number[], t: Transaction, fresh = false): Promise<void> {
  if (!fresh) await db.change("DELETE FROM monitor_channels WHERE monitor_id = ?", [monitorId], t);
  const unique = [...new Set(channelIds)];
  if (unique.length) await db.insertRows("monitor_channels", ["monitor_id", "channel_id"], unique.map((c) => [monitorId, c]), t);
}

/** Of the given ids, those that name no channel. */
export async function unknownChannels(db: Database, channelIds: number[], t?: Transaction): Promise<number[]> {
  if (!channelIds.length) return [];
  const rows = await db.select<{ id: number }>("SELECT id FROM channels WHERE id IN (?)", [[...new Set(channelIds)]], t);
  const known = new Set(rows.map((r) => Number(r.id)));
  return channelIds.filter((c) => !known.has(c));
}

export async function defaultChannelIds(db: Database, t?: Transaction): Promise<number[]> {
  const rows = await db.select<{ id: number }>("SELECT id FROM channels WHERE is_default = ? ORDER BY id", [true], t);
  return rows.map((r) => Number(r.id));
}

/**
 * The channel that stands for SMTP_URL/ALERT_TO. It is created the first time the environment
 * configures email, as a default channel attached to every existing monitor (before channels
 * were data, that email went to every monitor); after that it is a channel like any other,
 * except that the environment owns its settings. Without SMTP settings it stays, disabled.
 */
export async function syncEnvEmailChannel(db: Database, configured: boolean, now: number): Promise<"created" | "enabled" | "disabled" | "unchanged"> {
  return db.write(async (t) => {
    const [row] = await db.select<{ id: number; enabled: unknown }>(`SELECT id, enabled FROM channels WHERE managed = ?${db.forUpdate}`, [ENV_EMAIL], t);
    if (!row) {
      if (!configured) return "unchanged";
      const [id] = await db.insertRows(
        "channels",
        ["name", "type", "config", "secrets", "events", "is_default", "enabled", "managed", "created_at", "updated_at"],
        [["Email (environment)", "email", "{}", "{}", "down,up,failure", true, true, ENV_EMAIL, now, now]],
        t,
      );
      await db.change("INSERT INTO monitor_channels (monitor_id, channel_id) SELECT id, ? FROM monitors", [id], t);
      return "created";
    }
    if (Boolean(Number(row.enabled)) === configured) return "unchanged";
    await db.change("UPDATE channels SET enabled = ?, updated_at = ? WHERE id = ?", [configured, now, row.id], t);
    return configured ? "enabled" : "disabled";
  });
}

// The registry's channel CRUD (services/registry/channels.ts) and the backup's reads of channels.

export async function channelRow(db: Database, channelId: number): Promise<ChannelRow | undefined> {
  const [r] = await db.select<ChannelRow>("SELECT * FROM channels WHERE id = ?", [channelId]);
  return r;
}

/** Every channel, by name. */
export async function listChannels(db: Database): Promise<ChannelRow[]> {
  return db.select<ChannelRow>("SELECT * FROM channels ORDER BY name, id");
}

/** Every channel, in no order. */
export async function allChannels(db: Database, t?: Transaction): Promise<ChannelRow[]> {
  return db.select<ChannelRow>("SELECT * FROM channels", [], t);
}

/** The channels a backup holds: all but the environment's email channel, by id. */
export async function unmanagedChannels(db: Database): Promise<ChannelRow[]> {
  return db.select<ChannelRow>("SELECT * FROM channels WHERE managed IS NULL ORDER BY id");
}

/** How many monitors each channel alerts: one query for a whole list. */
export async function monitorCountsOf(db: Database, channelIds: number[]): Promise<Map<number, number>> {
  if (!channelIds.length) return new Map();
  const rows = await db.select<{ channel_id: number; n: number }>("SELECT channel_id, COUNT(*) AS n FROM monitor_channels WHERE channel_id IN (?) GROUP BY channel_id", [channelIds]);
  return new Map(rows.map((c) => [Number(c.channel_id), Number(c.n)]));
}

export type NewChannel = Omit<ChannelRow, "id" | "managed" | "is_default" | "enabled"> & { is_default: boolean; enabled: boolean };

/** Stores a channel made by hand or by an import (never the environment's); answers its id. */
export async function insertChannel(db: Database, c: NewChannel, t: Transaction): Promise<number> {
  const [id] = await db.insertRows(
    "channels",
    ["name", "type", "config", "secrets", "events", "is_default", "enabled", "managed", "locale", "created_at", "updated_at"],
    [[c.name, c.type, c.config, c.secrets, c.events, c.is_default, c.enabled, null, c.locale, c.created_at, c.updated_at]],
    t,
  );
  return id!;
}

/** Sets these columns of one channel. */
export async function updateChannel(db: Database, channelId: number, set: Record<string, unknown>): Promise<void> {
  const cols = Object.keys(set);
  await db.write((t) => db.change(`UPDATE channels SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`, [...cols.map((c) => set[c]), channelId], t));
}

/** Deletes a channel: detached from its monitors; its deliveries stay as history, those not yet sent will never be. */
export async function deleteChannel(db: Database, channelId: number, now: number): Promise<void> {
  await db.write(async (t) => {
    await db.change("DELETE FROM monitor_channels WHERE channel_id = ?", [channelId], t);
    await db.change(
      "UPDATE deliveries SET state = 'failed', lease_until = NULL, last_error = 'the channel was deleted', last_attempt_at = ? WHERE channel_id = ? AND state IN ('pending', 'sending')",
      [now, channelId],
      t,
    );
    await db.change("DELETE FROM channels WHERE id = ?", [channelId], t);
  });
}
