// The installation's settings that admins change in the dashboard (migration 021), as name →
// JSON value. Today there is one: whether admins must sign in with a second factor.

import type { Database } from "./connect.ts";

export interface Settings {
  /** admins must have a second factor; one without gets only the enrolment pages until they add one */
  requireAdminSecondFactor: boolean;
}

export const DEFAULT_SETTINGS: Settings = { requireAdminSecondFactor: false };

export async function readSettings(db: Database): Promise<Settings> {
  const rows = await db.select<{ name: string; value: string }>("SELECT name, value FROM settings");
  const out: Settings = { ...DEFAULT_SETTINGS };
  for (const r of rows) {
    if (r.name === "requireAdminSecondFactor") out.requireAdminSecondFactor = JSON.parse(r.value) === true;
  }
  return out;
}

export async function writeSettings(db: Database, change: Partial<Settings>, now: number): Promise<Settings> {
  await db.write(async (t) => {
    for (const [name, value] of Object.entries(change)) {
      if (value === undefined) continue;
      const n = await db.change(
        "UPDATE settings SET value = ?, updated_at = ? WHERE name = ?",
        [JSON.stringify(value), now, name],
        t,
      );
      if (n === 0)
        await db.insert(
          "INSERT INTO settings (name, value, updated_at) VALUES (?, ?, ?)",
          [name, JSON.stringify(value), now],
          t,
        );
    }
  });
  return readSettings(db);
}
