// Creating a monitor row with its tags and channels: the registry's create and its import
// (which keeps a code it is given, and may create the monitor paused) share this one writer.

import type { Transaction } from "sequelize";
import type { Database } from "./connect.ts";
import type { Schedule } from "../schedule/schedule.ts";
import { deadlinesAfterArm } from "../schedule/schedule.ts";
import { scheduleColumns } from "../monitor/monitor-record.ts";
import { setChannels } from "./channels.ts";

/** fresh: a monitor created in this transaction has nothing to delete (and on MariaDB the delete's gap lock would deadlock concurrent creates). */
export async function setTags(db: Database, monitorId: number, names: string[], t: Transaction, fresh = false): Promise<void> {
  if (!fresh) await db.change("DELETE FROM monitor_tags WHERE monitor_id = ?", [monitorId], t);
  const unique = [...new Set(names)];
  if (!unique.length) return;
  await db.models.Tag.bulkCreate(unique.map((n) => ({ name: n })), { ignoreDuplicates: true, transaction: t });
  const ids = await db.select<{ id: number }>("SELECT id FROM tags WHERE name IN (?)", [unique], t);
  await db.insertRows("monitor_tags", ["monitor_id", "tag_id"], ids.map((r) => [monitorId, Number(r.id)]), t);
}

export interface NewMonitor {
  code: string;
  name: string;
  description: string | null;
  schedule: Schedule;
  tags: string[];
  channels: number[];
  repeatEverySeconds: number | null;
  /** created paused (no deadlines) instead of armed as new */
  paused?: boolean;
  /** run-limit columns (core/monitor/monitor-record.ts runLimitColumns); absent: the defaults */
  runLimits?: Record<string, unknown>;
}

/** Inserts the monitor armed at `now` (or paused), with its tags and channels; returns its id. */
export async function insertMonitor(db: Database, m: NewMonitor, defaultTimezone: string, now: number, t: Transaction): Promise<number> {
  const d = m.paused ? { lateAt: null, downAt: null } : deadlinesAfterArm(m.schedule, now);
  const created = await db.models.Monitor.create(
    {
      code: m.code,
      name: m.name,
      description: m.description,
      ...scheduleColumns(m.schedule, defaultTimezone),
      status: m.paused ? "paused" : "new",
      armed_at: now,
      late_at: d.lateAt,
      down_at: d.downAt,
      status_changed_at: now,
      ping_count: 0,
      repeat_every_seconds: m.repeatEverySeconds,
      next_reminder_at: null,
      reminders_sent: 0,
      ...m.runLimits,
      created_at: now,
      updated_at: now,
    },
    { transaction: t },
  );
  const id = Number(created.get("id"));
  await setTags(db, id, m.tags, t, true);
  await setChannels(db, id, m.channels, t, true);
  return id;
}
