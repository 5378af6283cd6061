// A broker with only the registry, on the configured DATABASE_URL, in this process: the import
// and export commands go through the registry's actions (and so its validation) without a
// running server. Migrates first, as the server would.

import { ServiceBroker } from "moleculer";
import type { Config } from "../core/config.ts";
import { configOrExit } from "./cli-config.ts";
import { openDatabase, redactedUrl } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { systemClock } from "../core/checker/clock.ts";
import { loadCatalog } from "../plugins/catalog.ts";
import registryService from "../services/registry/registry.service.ts";
import { secretBoxFor } from "./secret-key.ts";

export async function withRegistry<T>(work: (broker: ServiceBroker, config: Config) => Promise<T>): Promise<T> {
  const config = configOrExit();
  const broker = new ServiceBroker({
    nodeID: `cli-${process.pid}`,
    transporter: null,
    validator: true,
    logger: { type: "Console", options: { level: "warn", formatter: "short" } },
    metrics: false,
  });
  let db;
  try {
    db = await openDatabase(config.databaseUrl);
    await migrate(db);
  } catch (err) {
    console.error(`cannot open the database ${redactedUrl(config.databaseUrl)}: ${(err as Error).message}`);
    process.exit(1);
  }
  const secrets = secretBoxFor(config, { info: (m) => console.error(m), warn: (m) => console.error(m) });
  broker.createService(
    registryService({ config, db, clock: systemClock, channels: await loadCatalog(config.notifierPlugins), secrets }),
  );
  await broker.start();
  try {
    return await work(broker, config);
  } finally {
    await broker.stop();
    await db.close();
  }
}
