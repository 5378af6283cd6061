// The OpenAPI document without a server: the gateway's routes and the actions' params read from
// the service schemas in-process (inert dependencies: no database, no broker), built by the same
// gateway/openapi.ts as GET /api/openapi.json. `npm run api-types` writes it next to the
// dashboard and turns it into TypeScript types with openapi-typescript.
//
//   node bin/openapi-document.ts              the document on stdout
//   node bin/openapi-document.ts --out FILE   written to FILE

import fs from "node:fs";
import path from "node:path";
import type { ServiceSchema } from "moleculer";
import { loadConfig } from "../core/config.ts";
import { systemClock } from "../core/checker/clock.ts";
import { PLAIN_BOX } from "../core/security/secret-box.ts";
import { loadCatalog } from "../plugins/catalog.ts";
import gatewayService from "../gateway/api.service.ts";
import { accessOf } from "../gateway/auth.ts";
import { buildOpenApi, type ActionLike, type RouteLike } from "../gateway/openapi.ts";
import registryService from "../services/registry/registry.service.ts";
import ingestService from "../services/ingest/ingest.service.ts";
import notifierService from "../services/notifier/notifier.service.ts";
import agentCollectorService from "../services/agent-collector/agent-collector.service.ts";
import type { ServiceDeps } from "../services/deps.ts";

/** Every action of a service schema, its mixins' included, named as the broker names them. */
function actionsOf(name: string, schema: Partial<ServiceSchema>): ActionLike[] {
  const own = Object.entries(schema.actions ?? {}).map(([key, action]) => {
    const a = action as { params?: ActionLike["params"]; description?: string };
    return { name: `${name}.${key}`, params: a.params, description: a.description };
  });
  return [...((schema.mixins ?? []) as Partial<ServiceSchema>[]).flatMap((m) => actionsOf(name, m)), ...own];
}

/** The document the gateway would serve with this environment (the defaults when empty). */
export async function offlineOpenApi(env: Record<string, string | undefined> = {}): Promise<Record<string, unknown>> {
  const config = loadConfig(env);
  const channels = await loadCatalog(config.notifierPlugins);
  const deps: ServiceDeps = { config, db: {} as ServiceDeps["db"], clock: systemClock, channels, secrets: PLAIN_BOX };
  const services = [registryService(deps), ingestService(deps), notifierService(deps), agentCollectorService(deps)];
  const routes = gatewayService(deps).settings!.routes as RouteLike[];
  const version = (
    JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return buildOpenApi({ version, routes, actions: services.flatMap((s) => actionsOf(s.name, s)), access: accessOf });
}

if (import.meta.main) {
  const at = process.argv.indexOf("--out");
  const json = `${JSON.stringify(await offlineOpenApi(), null, 2)}\n`;
  if (at === -1) process.stdout.write(json);
  else {
    const out = path.resolve(process.argv[at + 1] ?? "openapi.json");
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, json);
  }
}
