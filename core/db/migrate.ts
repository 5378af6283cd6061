// Versioned migrations (umzug), applied at every start. On MySQL/MariaDB a named lock keeps
// two processes that start together from running the same migration twice.

import { Umzug, SequelizeStorage } from "umzug";
import type { Database } from "./connect.ts";
import * as m001 from "./migrations/001-initial.ts";
import * as m002 from "./migrations/002-channels.ts";
import * as m003 from "./migrations/003-sessions.ts";
import * as m004 from "./migrations/004-hosts.ts";
import * as m005 from "./migrations/005-overdue-index.ts";
import * as m006 from "./migrations/006-api-keys.ts";
import * as m007 from "./migrations/007-code-length.ts";
import * as m008 from "./migrations/008-badge-keys.ts";
import * as m009 from "./migrations/009-locale.ts";
import * as m010 from "./migrations/010-maintenance-windows.ts";
import * as m011 from "./migrations/011-weekly-reports.ts";
import * as m012 from "./migrations/012-run-limits.ts";
import * as m013 from "./migrations/013-due-index.ts";
import * as m014 from "./migrations/014-schedule-dialects.ts";
import * as m015 from "./migrations/015-delivery-channel-index.ts";
import * as m016 from "./migrations/016-user-theme.ts";
import * as m017 from "./migrations/017-run-rules.ts";
import * as m018 from "./migrations/018-dependencies-snooze.ts";
import * as m019 from "./migrations/019-signin-attempts.ts";
import * as m020 from "./migrations/020-session-activity.ts";
import * as m021 from "./migrations/021-second-factors.ts";
import * as m022 from "./migrations/022-audit-log.ts";

const MIGRATIONS = [
  { name: "001-initial", ...m001 },
  { name: "002-channels", ...m002 },
  { name: "003-sessions", ...m003 },
  { name: "004-hosts", ...m004 },
  { name: "005-overdue-index", ...m005 },
  { name: "006-api-keys", ...m006 },
  { name: "007-code-length", ...m007 },
  { name: "008-badge-keys", ...m008 },
  { name: "009-locale", ...m009 },
  { name: "010-maintenance-windows", ...m010 },
  { name: "011-weekly-reports", ...m011 },
  { name: "012-run-limits", ...m012 },
  { name: "013-due-index", ...m013 },
  { name: "014-schedule-dialects", ...m014 },
  { name: "015-delivery-channel-index", ...m015 },
  { name: "016-user-theme", ...m016 },
  { name: "017-run-rules", ...m017 },
  { name: "018-dependencies-snooze", ...m018 },
  { name: "019-signin-attempts", ...m019 },
  { name: "020-session-activity", ...m020 },
  { name: "021-second-factors", ...m021 },
  { name: "022-audit-log", ...m022 },
];

/** Every migration's name, in the order they apply. */
export const MIGRATION_NAMES: readonly string[] = MIGRATIONS.map((m) => m.name);

/** Applies pending migrations; `to` stops after the named one (tests of upgrades use it). */
export async function migrate(db: Database, to?: string): Promise<string[]> {
  const umzug = new Umzug({
    migrations: MIGRATIONS.map((m) => ({ name: m.name, up: m.up, down: m.down })),
    context: db.sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize: db.sequelize, tableName: "schema_migrations" }),
    logger: undefined,
  });
  const up = () => umzug.up(to ? { to } : {});
  if (db.dialect !== "mysql") return (await up()).map((m) => m.name);
  // GET_LOCK belongs to a session: the transaction pins one pooled connection to hold it.
  return db.sequelize.transaction(async (t) => {
    const [row] = await db.select<{ got: number }>("SELECT GET_LOCK('heartbeats_migrate', 120) AS got", [], t);
    if (Number(row?.got) !== 1) throw new Error("could not take the migration lock within 120 s");
    try {
      return (await up()).map((m) => m.name);
    } finally {
      await db.select("SELECT RELEASE_LOCK('heartbeats_migrate') AS released", [], t);
    }
  });
}
