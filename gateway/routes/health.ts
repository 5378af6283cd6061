// /healthz and /readyz: whether the process lives, and whether what it needs answers.

import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http.ts";
import { OPEN_ROUTE, type GatewayRoute, type Req } from "./route.ts";

export function healthRoute(): GatewayRoute {
  return {
    name: "health",
    path: "/",
    ...OPEN_ROUTE,
    docs: {
      "GET healthz": { summary: "the process is alive" },
      "GET readyz": { summary: "the database (and transporter) answer: 200 ready, 503 not ready" },
    },
    aliases: {
      "GET healthz"(_req: IncomingMessage, res: ServerResponse) {
        sendJson(res, 200, { status: "ok" });
      },
      async "GET readyz"(req: Req, res: ServerResponse) {
        const { broker } = req.$service;
        const checks: Record<string, string> = {};
        let ok = true;
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
