// Applies pending migrations to DATABASE_URL and exits: the Kubernetes migration Job runs
// this before the services start (they would also migrate, under the same lock, but a Job
// makes a failed migration visible on its own instead of as crash-looping services).

import { loadConfig, ConfigError, type Config } from "../core/config.ts";
import { openDatabase, redactedUrl } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`configuration error: ${err.message}`);
  process.exit(2);
}

try {
  const db = await openDatabase(config.databaseUrl);
  try {
    const applied = await migrate(db);
    console.log(applied.length ? `migrations applied: ${applied.join(", ")}` : "schema up to date");
  } finally {
    await db.close();
  }
} catch (err) {
  console.error(`migration failed on ${redactedUrl(config.databaseUrl)}: ${(err as Error).message}`);
  process.exit(1);
}
