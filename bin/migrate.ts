// Applies pending migrations to DATABASE_URL and exits: the Kubernetes migration Job runs
// this before the services start (they would also migrate, under the same lock, but a Job
// makes a failed migration visible on its own instead of as crash-looping services).

import { openDatabase, redactedUrl } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { configOrExit } from "./cli-config.ts";
import { argsOrExit } from "./cli-args.ts";

argsOrExit("usage: heartbeats migrate\n\nApplies pending migrations to DATABASE_URL and exits.\n", {});

const config = configOrExit();

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
