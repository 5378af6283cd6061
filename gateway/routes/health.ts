// /healthz and /readyz: whether the process lives, and whether what it needs answers.

import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http.ts";
import { OPEN_ROUTE, type GatewayRoute, type Req } from "./route.ts";
import { servicesWithoutNode } from "../../services/calls.ts";

/** `calls`: the services this process calls (services/calls.ts); each needs a live node. */
export function healthRoute(calls: readonly string[]): GatewayRoute {
  return {
    name: "health",
    path: "/",
    ...OPEN_ROUTE,
    docs: {
      "GET healthz": { summary: "the process is alive" },
      "GET readyz": {
        summary:
          "the database (and transporter) answer and every service the gateway calls has a live node: 200 ready, 503 not ready",
      },
    },
    aliases: {
      "GET healthz"(_req: IncomingMessage, res: ServerResponse) {
        sendJson(res, 200, { status: "ok" });
      },
      async "GET readyz"(req: Req, res: ServerResponse) {
        const { broker } = req.$service;
        const checks: Record<string, string> = {};
        let ok = true;
        const missing = servicesWithoutNode(broker, calls);
        checks.services = missing.length ? `no live node: ${missing.join(", ")}` : "ok";
        ok &&= missing.length === 0;
        if (broker.transit) {
          checks.transporter = broker.transit.connected ? "ok" : "down";
          ok &&= broker.transit.connected === true;
        }
        try {
          await broker.call("registry.ready", {}, { timeout: 3000 });
          checks.database = "ok";
        } catch {
          checks.database = "down";
          ok = false;
        }
        sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "not ready", checks });
      },
    },
  };
}
