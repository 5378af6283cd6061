// /api/v1: the API the dashboard and scripts use. Each alias calls one action; who may call it
// is accessOf()'s answer (gateway/auth.ts): viewers read, admins change, and some paths are
// for admins alone.

import type { ServerResponse } from "node:http";
import { Errors, type Context } from "moleculer";
import type { Config } from "../../core/config.ts";
import type { GatewayAuth } from "../auth.ts";
import { clientIp, refuseNonUtf8 } from "../http.ts";
import { readCookie, sessionCookieName } from "../session.ts";
import { guarded, type GatewayRoute, type Req } from "./route.ts";

const { MoleculerClientError } = Errors;

export function apiRoute(config: Config, auth: GatewayAuth): GatewayRoute {
  return {
    name: "api",
    path: "/api/v1",
    need: "read-write",
    authentication: true,
    authorization: true,
    bodyParsers: { json: { limit: config.requestBodyLimit, strict: true, verify: refuseNonUtf8 }, urlencoded: false },
    mappingPolicy: "restrict",
    docs: {
      "GET /events": {
        summary: "Server-Sent Events: `monitor` (a monitor's new state) and `monitor-deleted`",
        produces: "text/event-stream",
      },
    },
    // The audit log records where a change came from (services/registry/audit.ts).
    onBeforeCall(ctx: Context<unknown, { ip?: string | null }>, _route: unknown, req: Req) {
      ctx.meta.ip = clientIp(req, config.trustProxy);
    },
    onAfterCall(_ctx: Context, _route: unknown, req: Req, _res: ServerResponse, data: unknown) {
      // A changed or deleted user, or a changed rule on second factors, must not keep working from
      // this gateway's caches.
      if (req.method !== "GET" && /^\/?(users|settings)/.test(req.$alias?.path ?? "")) auth.forgetUsers();
      return data;
    },
    aliases: {
      "POST /monitors": "registry.create",
      "GET /monitors": "registry.list",
      "GET /monitors/:id": "registry.get",
      "PATCH /monitors/:id": "registry.update",
      "DELETE /monitors/:id": "registry.remove",
      "POST /monitors/:id/pause": "registry.pause",
      "POST /monitors/:id/resume": "registry.resume",
      "POST /monitors/:id/snooze": "registry.snooze",
      "DELETE /monitors/:id/snooze": "registry.unsnooze",
      "GET /monitors/:id/pings": "registry.pings",
      "GET /monitors/:id/flips": "registry.flips",
      "GET /monitors/:id/notifications": "registry.notifications",
      "GET /monitors/:id/badge": "registry.badges.monitor",
      "POST /monitors/:id/badge": "registry.badges.monitorRegenerate",
      "GET /tags/:tag/badge": "registry.badges.tag",
      "POST /tags/:tag/badge": "registry.badges.tagRegenerate",
      "GET /channel-types": "registry.channels.types",
      "GET /channels": "registry.channels.list",
      "POST /channels": "registry.channels.create",
      "GET /channels/:id": "registry.channels.get",
      "PATCH /channels/:id": "registry.channels.update",
      "DELETE /channels/:id": "registry.channels.remove",
      "POST /channels/:id/test": "notifier.test",
      "GET /channels/:id/deliveries": "registry.channels.deliveries",
      "GET /hosts": "registry.hosts.list",
      "POST /hosts": "registry.hosts.create",
      "GET /hosts/:id": "registry.hosts.get",
      "PATCH /hosts/:id": "registry.hosts.update",
      "DELETE /hosts/:id": "registry.hosts.remove",
      "POST /hosts/:id/check": "agent-collector.check",
      "GET /hosts/:id/metrics": "registry.hosts.metrics",
      "GET /users": "registry.users.list",
      "POST /users": "registry.users.create",
      "PATCH /users/:username": "registry.users.update",
      "DELETE /users/:username": "registry.users.remove",
      "GET /keys": "registry.keys.list",
      "POST /keys": "registry.keys.create",
      "DELETE /keys/:id": "registry.keys.revoke",
      "GET /maintenance": "registry.maintenance.list",
      "POST /maintenance": "registry.maintenance.create",
      "GET /maintenance/:id": "registry.maintenance.get",
      "PATCH /maintenance/:id": "registry.maintenance.update",
      "DELETE /maintenance/:id": "registry.maintenance.remove",
      "GET /events": guarded((req, res) => {
        const { live } = req.$service;
        if (!live) throw new MoleculerClientError("live updates are not running", 503, "SERVICE_UNAVAILABLE");
        // A stream opened with the cookie (no key, no basic auth: those come first) ends with its
        // session (gateway/live.ts).
        const viaCookie = !req.headers.authorization && req.headers["x-api-key"] === undefined;
        live.add(res, viaCookie ? readCookie(req.headers.cookie, sessionCookieName(config.publicUrl)) : null);
      }),
      "GET /audit": "registry.audit.list",
      "GET /settings": "registry.settings.get",
      "PATCH /settings": "registry.settings.update",
      "GET /schedule/preview": "registry.preview",
      "POST /schedule/preview": "registry.preview",
    },
  };
}
