// The API's own description: the OpenAPI document, generated from the gateway's routes and the
// params of the actions they call, and Swagger UI reading it.

import fs from "node:fs";
import type { ServerResponse } from "node:http";
import type { ServiceBroker } from "moleculer";
import { accessOf } from "../auth.ts";
import { sendDocsAsset, sendDocsPage } from "../api-docs.ts";
import { sendJson } from "../http.ts";
import { buildOpenApi, type ActionLike, type RouteLike } from "../openapi.ts";
import { OPEN_ROUTE, type GatewayRoute, type Req } from "./route.ts";

const PACKAGE_VERSION = (
  JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** The OpenAPI document as of now: the routes' aliases and the params of every action registered. */
function openApiOf(broker: ServiceBroker, routes: RouteLike[]) {
  const list = broker.registry.getActionList({ skipInternal: true }) as unknown as {
    name: string;
    action?: { params?: ActionLike["params"]; description?: string };
  }[];
  const actions: ActionLike[] = list.map((a) => ({
    name: a.name,
    params: a.action?.params,
    description: a.action?.description,
  }));
  return buildOpenApi({ version: PACKAGE_VERSION, routes, actions, access: accessOf });
}

export function docsRoute(): GatewayRoute {
  return {
    name: "reference",
    path: "/api",
    ...OPEN_ROUTE,
    docs: {
      "GET openapi.json": { summary: "this document (OpenAPI 3.1)" },
      "GET docs": { summary: "the API reference page (Swagger UI)", produces: "text/html" },
      "GET docs/:file": { summary: "the reference page's files: Swagger UI's and its initializer", produces: "*/*" },
    },
    aliases: {
      "GET openapi.json"(req: Req, res: ServerResponse) {
        res.setHeader("Cache-Control", "no-cache");
        sendJson(res, 200, openApiOf(req.$service.broker, req.$service.settings.routes));
      },
      "GET docs": sendDocsPage,
      "GET docs/:file": sendDocsAsset,
    },
  };
}
