// Starts the services named by SERVICES (all by default) in this process: opens and migrates
// the database, then runs the broker until SIGTERM/SIGINT.

import fs from "node:fs";
import { ServiceBroker } from "moleculer";
import { loadConfig, ConfigError, type Config, type ServiceName } from "../core/config.ts";
import { openDatabase, redactedUrl } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { systemClock } from "../core/checker/clock.ts";
import { brokerOptions } from "../moleculer.config.ts";
import registryService from "../services/registry/registry.service.ts";
import ingestService from "../services/ingest/ingest.service.ts";
import checkerService from "../services/checker/checker.service.ts";
import notifierService from "../services/notifier/notifier.service.ts";
import gatewayService from "../gateway/api.service.ts";
import agentCollectorService from "../services/agent-collector/agent-collector.service.ts";
import type { ServiceDeps } from "../services/deps.ts";
import { loadCatalog } from "../plugins/catalog.ts";
import { buildDashboardIfMissing } from "./dashboard-build.ts";
import { ScrapedPrometheusReporter, startOpsServer, type OpsServer } from "./ops-server.ts";
import { secretBoxFor } from "./secret-key.ts";
import { calledServices } from "../services/calls.ts";
import { PLAIN_BOX } from "../core/security/secret-box.ts";
import { argsOrExit } from "./cli-args.ts";

argsOrExit(
  `usage: heartbeats start

Runs the services named by SERVICES (all by default) until SIGTERM or SIGINT. Its settings
come from the environment: DATABASE_URL, PORT, SECRET_KEY, NATS_URL, … (see the README).
`,
  {},
);

let config: Config;
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

const reporter = config.opsPort === null ? undefined : new ScrapedPrometheusReporter();
const broker = new ServiceBroker(brokerOptions(config, reporter));
// info, not warn: a Kubernetes ConfigMap shared by every process is the normal case of this.
if (config.unreadVariables.length)
  broker.logger.info(
    `not read by the services of this process (${config.services.join(", ")}), so ignored: ${config.unreadVariables.join(", ")}`,
  );
if (config.services.includes("gateway") && config.dashboardBuild === "auto") buildDashboardIfMissing(broker.logger);
let db: Awaited<ReturnType<typeof openDatabase>> | null = null;
// Up before the database is opened: a liveness probe must see a process that is migrating.
let ops: OpsServer | null = null;
if (reporter) {
  ops = await startOpsServer({
    port: config.opsPort!,
    host: config.host,
    broker,
    db: () => db,
    reporter,
    calls: calledServices(config),
  });
  broker.logger.info(`ops server on port ${ops.port}: /healthz, /readyz, /metrics`);
}
const needsDb = config.services.some((s) => s !== "gateway");
if (needsDb) {
  try {
    db = await openDatabase(config.databaseUrl, { log: (m) => broker.logger.info(m) });
    const applied = await migrate(db);
    if (applied.length) broker.logger.info(`migrations applied: ${applied.join(", ")}`);
  } catch (err) {
    // Say which database, never with its password, and leave: a supervisor restarts us.
    broker.logger.fatal(`cannot open the database ${redactedUrl(config.databaseUrl)}: ${(err as Error).message}`);
    process.exit(1);
  }
}

// The gateway alone never touches a stored secret.
const secrets = needsDb ? secretBoxFor(config, broker.logger) : PLAIN_BOX;
const deps = { config, db: db!, clock: systemClock, channels, secrets } satisfies ServiceDeps;
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
/**
 * Graceful stop, in this order: /readyz turns 503 so that no new work is routed here; live
 * streams end; the broker waits for requests in flight, then stops the services, each of which
 * finishes its own work (ingest commits its queued pings, the notifier its deliveries in
 * flight, the collector its polls); then the broker says goodbye on the transporter, so the
 * other nodes rebalance at once instead of after the heartbeat time-out.
 */
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  const started = Date.now();
  broker.logger.info(`${signal}: stopping (at most ${config.shutdownTimeoutMs / 1000} s)`);
  // Whatever is still running after this is cut off; leases and the outbox make that safe.
  const force = setTimeout(() => {
    broker.logger.error(`stop took longer than ${config.shutdownTimeoutMs / 1000} s: exiting anyway`);
    process.exit(1);
  }, config.shutdownTimeoutMs);
  force.unref();
  ops?.draining();
  // The dashboard's live streams would hold the broker's wait for requests in flight.
  await broker.broadcastLocal("process.stopping");
  await broker.stop();
  await db?.close();
  await ops?.close();
  // The broker's logger ended with the broker; a synchronous write is not lost by exit().
  const last = `stopped in ${Date.now() - started} ms`;
  fs.writeSync(
    1,
    config.logFormat === "json"
      ? JSON.stringify({ ts: Date.now(), level: "info", msg: last, nodeID: broker.nodeID, mod: "start" }) + "\n"
      : `[${new Date().toISOString()}] INFO  ${last}\n`,
  );
  process.exit(0);
}
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));

await broker.start();
broker.logger.info(
  `heartbeats started: ${config.services.join(", ")}${config.transporter ? "" : " (embedded, no transporter)"}`,
);
