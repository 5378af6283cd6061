// Services in this test's own process: a Moleculer broker without a transporter, assembled the way
// bin/start.ts assembles it (the project's broker options with their ParamsValidator, a fresh SQLite
// file opened and migrated, the channel catalog, the secret box, the same service factories), so an
// action answers here as it does behind the gateway, minus HTTP and a process to spawn. For what
// needs a process (crashes, NATS, ports), test/support/server.ts. The suite's after() calls stop().

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ServiceBroker, type ServiceSchema } from "moleculer";
import { loadConfig, type Config, type ServiceName } from "../../core/config.ts";
import { openDatabase, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { systemClock, type Clock } from "../../core/checker/clock.ts";
import { brokerOptions } from "../../moleculer.config.ts";
import registryService from "../../services/registry/registry.service.ts";
import ingestService from "../../services/ingest/ingest.service.ts";
import checkerService from "../../services/checker/checker.service.ts";
import notifierService from "../../services/notifier/notifier.service.ts";
import gatewayService from "../../gateway/api.service.ts";
import agentCollectorService from "../../services/agent-collector/agent-collector.service.ts";
import type { ServiceDeps } from "../../services/deps.ts";
import { loadCatalog } from "../../plugins/catalog.ts";
import { secretBoxFor } from "../../bin/secret-key.ts";
import type { PingKind } from "../../core/monitor/ping.ts";
import type { PingAccepted } from "../../services/ingest/ping-params.ts";

export interface BrokerOptions {
  /** The services to create; the gateway only when named. */
  services: ServiceName[];
  /** Environment variables for loadConfig, over a fresh SQLite file (DATABASE_URL) in a temporary folder. */
  env?: Record<string, string>;
  /** The services' clock; the system's by default. */
  clock?: Clock;
}

export interface TestBroker {
  broker: ServiceBroker;
  db: Database;
  config: Config;
  /** The temporary folder with the database, removed by stop(). */
  dir: string;
  /** Calls an action; a refusal rejects with the service's error (a 422 is a ValidationError naming the field). */
  call<T = any>(action: string, params?: object, meta?: object): Promise<T>;
  /** A ping as the gateway hands one on: no body, no client. */
  ping(code: string, kind?: PingKind): Promise<PingAccepted>;
  /** The error a call is refused with (it fails the test when the call succeeds): its code, and the fields it names. */
  refusal(action: string, params?: object): Promise<{ code: unknown; fields: string[] }>;
  /** Stops the broker, closes the database and removes the folder; safe to call twice or after a failed start. */
  stop(): Promise<void>;
}

const factories: Record<ServiceName, (deps: ServiceDeps) => ServiceSchema> = {
  gateway: gatewayService,
  registry: registryService,
  ingest: ingestService,
  checker: checkerService,
  notifier: notifierService,
  "agent-collector": agentCollectorService,
};

export async function startBroker(opts: BrokerOptions): Promise<TestBroker> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-broker-"));
  let broker: ServiceBroker | undefined;
  let db: Database | undefined;
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await broker?.stop();
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const config = loadConfig({
      DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
      ...opts.env,
      SERVICES: opts.services.join(","),
      TRANSPORTER: "",
    });
    const channels = await loadCatalog(config.notifierPlugins);
    const verbose = Boolean(process.env.HB_TEST_VERBOSE);
    broker = new ServiceBroker({
      ...brokerOptions(config),
      transporter: undefined,
      nodeID: `test-${process.pid}`,
      logger: verbose ? brokerOptions(config).logger : false,
    });
    db = await openDatabase(config.databaseUrl);
    await migrate(db);
    const secrets = secretBoxFor(config, broker.logger);
    const deps = { config, db, clock: opts.clock ?? systemClock, channels, secrets } satisfies ServiceDeps;
    for (const name of config.services) broker.createService(factories[name](deps));
    await broker.start();
    const b = broker;
    const call = <T>(action: string, params = {}, meta = {}) => b.call<T, object>(action, params, { meta });
    return {
      broker: b,
      db,
      config,
      dir,
      call,
      ping: (code, kind = "success") =>
        call("ingest.ping", {
          code,
          kind,
          exitStatus: null,
          data: null,
          dataTruncated: false,
          sourceIp: null,
          userAgent: null,
        }),
      async refusal(action, params) {
        let answer: unknown;
        try {
          answer = await call(action, params);
        } catch (err) {
          const { code, data } = err as { code?: unknown; data?: unknown };
          const named = Array.isArray(data) ? data : [data];
          return {
            code,
            fields: named.map((d) => (d as { field?: unknown })?.field).filter((f) => typeof f === "string"),
          };
        }
        throw new Error(`${action} ${JSON.stringify(params)} was not refused: ${JSON.stringify(answer)}`);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
