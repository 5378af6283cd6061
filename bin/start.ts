// Starts the services named by SERVICES (all by default) in this process: opens and migrates
// the database, then runs the broker until SIGTERM/SIGINT.

import { ServiceBroker } from "moleculer";
import { loadConfig, ConfigError, type ServiceName } from "../core/config.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { systemClock } from "../core/clock.ts";
import { brokerOptions } from "../moleculer.config.ts";
import registryService from "../services/registry.service.ts";
import ingestService from "../services/ingest.service.ts";
import checkerService from "../services/checker.service.ts";
import notifierService from "../services/notifier.service.ts";
import gatewayService from "../gateway/api.service.ts";
import agentCollectorService from "../services/agent-collector.service.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { loadCatalog } from "../plugins/catalog.ts";
import { buildDashboardIfMissing } from "./dashboard-build.ts";

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`configuration error: ${err.message}`);
    process.exit(2);
  }
  throw err;
}

let channels;
try {
  channels = await loadCatalog(config.notifierPlugins);
} catch (err) {
  console.error(`configuration error: ${(err as Error).message}`);
  process.exit(2);
}

const broker = new ServiceBroker(brokerOptions(config));
if (config.services.includes("gateway") && config.dashboardBuild === "auto") buildDashboardIfMissing(broker.logger);
const needsDb = config.services.some((s) => s !== "gateway");
let db: Awaited<ReturnType<typeof openDatabase>> | null = null;
if (needsDb) {
  try {
    db = await openDatabase(config.databaseUrl, { log: (m) => broker.logger.info(m) });
    const applied = await migrate(db);
    if (applied.length) broker.logger.info(`migrations applied: ${applied.join(", ")}`);
  } catch (err) {
    // Say which database, never with its password, and leave: a supervisor restarts us.
    const where = config.databaseUrl.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
    broker.logger.fatal(`cannot open the database ${where}: ${(err as Error).message}`);
    process.exit(1);
  }
}

const deps = { config, db: db!, clock: systemClock, channels } satisfies ServiceDeps;
const factories: Record<ServiceName, () => ReturnType<typeof registryService>> = {
  gateway: () => gatewayService(deps),
  registry: () => registryService(deps),
  ingest: () => ingestService(deps),
  checker: () => checkerService(deps),
  notifier: () => notifierService(deps),
  "agent-collector": () => agentCollectorService(deps),
};
for (const name of config.services) broker.createService(factories[name]());

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  broker.logger.info(`${signal}: stopping`);
  // A bounded shutdown: whatever is still running after this is cut off.
  const force = setTimeout(() => process.exit(1), 20_000);
  force.unref();
  // Long-lived requests (the dashboard's live stream) end first: the broker waits for every
  // request in flight before it stops, and a stream would hold it until the time-out.
  await broker.broadcastLocal("process.stopping");
  await broker.stop();
  await db?.close();
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

await broker.start();
broker.logger.info(`heartbeats started: ${config.services.join(", ")}${config.transporter ? "" : " (embedded, no transporter)"}`);
