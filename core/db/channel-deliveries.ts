// A channel's deliveries, read for the dashboard's Channels page: each channel's last delivery
// (for the list) and one channel's delivery log, newest first. The notifier writes these rows
// (core/db/deliveries.ts, core/db/flips.ts); this module only reads them.

import type { Database } from "./connect.ts";

/** A delivery row as a channel's log shows it: the monitor's name joined (null once deleted). */
export interface ChannelDeliveryRow {
  id: number;
  monitor_id: number;
  monitor_name: string | null;
  channel_id: number;
  event: string;
  round: number;
  state: string;
  attempts: number;
  last_error: string | null;
  last_attempt_at: number | null;
  next_attempt_at: number;
  sent_at: number | null;
  created_at: number;
}

// Raw SQL: the newest row per channel in one query for the whole list (a GROUP BY under an IN).
/** Each given channel's newest delivery; channels that never had one are absent. */
export async function lastDeliveriesOf(db: Database, channelIds: number[]): Promise<Map<number, ChannelDeliveryRow>> {
  if (!channelIds.length) return new Map();
  const rows = await db.select<ChannelDeliveryRow>(
    `SELECT d.id, d.monitor_id, NULL AS monitor_name, d.channel_id, d.event, d.round, d.state, d.attempts,
            d.last_error, d.last_attempt_at, d.next_attempt_at, d.sent_at, d.created_at
       FROM deliveries d
      WHERE d.id IN (SELECT MAX(id) FROM deliveries WHERE channel_id IN (?) GROUP BY channel_id)`,
    [channelIds],
  );
  return new Map(rows.map((r) => [Number(r.channel_id), r]));
}

/** One page of a channel's deliveries, newest first, each with its monitor's name, with their total. */
export async function channelDeliveriesPage(
  db: Database,
  channelId: number,
  limit: number,
  offset: number,
): Promise<{ total: number; rows: ChannelDeliveryRow[] }> {
  const total = await db.models.Delivery.count({ where: { channel_id: channelId } });
  // Raw: a join (each delivery's monitor name).
  const rows = await db.select<ChannelDeliveryRow>(
    `SELECT d.id, d.monitor_id, m.name AS monitor_name, d.channel_id, d.event, d.round, d.state, d.attempts,
            d.last_error, d.last_attempt_at, d.next_attempt_at, d.sent_at, d.created_at
       FROM deliveries d LEFT JOIN monitors m ON m.id = d.monitor_id
      WHERE d.channel_id = ? ORDER BY d.id DESC LIMIT ? OFFSET ?`,
    [channelId, limit, offset],
  );
  return { total, rows };
}
