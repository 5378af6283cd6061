// gateway: HTTP only. Routes, authentication, body limits and the one error shape; every
// decision about monitors and pings is made by the services it calls.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context, type ServiceMethods, type ServiceSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Config } from "../core/config.ts";
import type { Clock } from "../core/checker/clock.ts";
import { authorizeAlias, GatewayAuth, type AuthUser, type RouteNeed } from "./auth.ts";
import { DASHBOARD_DIR, isAppPath, securityHeaders, sendIndex, staticOptions } from "./dashboard.ts";
import { answerError, sendJson } from "./http.ts";
import { LiveHub, type MonitorLike } from "./live.ts";
import { gatewayFastPath } from "./ping-fast-path-wiring.ts";
import { accountRoute } from "./routes/account.ts";
import { apiRoute } from "./routes/api.ts";
import { badgesRoute } from "./routes/badges.ts";
import { docsRoute } from "./routes/docs.ts";
import { healthRoute } from "./routes/health.ts";
import { calledServices } from "../services/calls.ts";
import { originalPingsRoute, pingRequests, pingsRoute } from "./routes/pings.ts";
import type { Gateway, Req } from "./routes/route.ts";
import { sessionRoute } from "./routes/session.ts";

export default function gatewayService({
  config,
  clock,
}: {
  config: Config;
  clock: Clock;
}): ServiceSchema<Gateway["settings"], ServiceMethods, Gateway["state"]> {
  const auth = new GatewayAuth(config, clock);
  const pings = pingRequests(config);
  return {
    name: "gateway",
    mixins: [ApiGateway as Partial<ServiceSchema>],

    settings: {
      port: config.port,
      ip: config.host,
      // Request parameters may carry passwords (user routes) and ping data: never log them.
      logRequest: "debug",
      logResponse: "debug",
      logRequestParams: null,
      logResponseData: null,
      log4XXResponses: false,
      // An answer may take as long as the longest action behind a route ("check now" on a slow
      // host); a socket idle longer than that is closed.
      httpServerTimeout: Math.max(30_000, config.collector.checkNowTimeoutMs + 5000),
      // The built dashboard, for whatever no route claims; see send404 for the app's deep links.
      assets: { folder: DASHBOARD_DIR, options: staticOptions },
      routes: [
        healthRoute(calledServices(config)),
        originalPingsRoute(config, pings),
        pingsRoute(config, pings),
        sessionRoute(config, auth),
        accountRoute(config, auth),
        apiRoute(config, auth),
        badgesRoute(),
        docsRoute(),
      ],
      onError(req: Req, res: ServerResponse, err: Error & Record<string, unknown>) {
        answerError(this.logger, req, res, err);
      },
    },

    events: {
      "process.stopping"() {
        this.live?.close();
      },
      // Live updates: what changed is re-read from the registry and pushed to listening browsers.
      "monitor.changed"(ctx: Context<{ id: number; deleted?: boolean }>) {
        if (ctx.params.deleted) this.live?.deletedMonitor(ctx.params.id);
        else this.live?.changedMonitors([ctx.params.id]);
      },
      "monitor.pinged"(ctx: Context<{ monitors: { id: number }[] }>) {
        this.live?.changedMonitors(ctx.params.monitors.map((m) => m.id));
      },
      "flip.recorded"(ctx: Context<{ monitorId: number }>) {
        this.live?.changedMonitors([ctx.params.monitorId]);
      },
    },

    created() {
      if (this.server) {
        // Node's 5 s keep-alive lets an idle connection close just as a client reuses it: the
        // ping is lost with a reset, and a proxy in front (60 s idle is usual) answers 502. So
        // idle connections are kept longer than such proxies keep theirs (60 s); clients read the hint.
        this.server.keepAliveTimeout = KEEP_ALIVE_MS;
        this.server.headersTimeout = KEEP_ALIVE_MS + 1000;
      }
      auth.logger = this.logger;
      const { broker, logger } = this;
      this.live = new LiveHub(
        (ids) => broker.call("registry.views", { ids }) as Promise<MonitorLike[]>,
        (err) => logger.warn("live update failed:", err.message),
        (tokens) => broker.call("registry.sessions.alive", { tokens }) as Promise<string[]>,
      );
      this.fastPath = gatewayFastPath(this, { config, auth, pings });
    },

    stopped() {
      this.live?.close();
      this.live = null;
    },

    methods: {
      authenticate(ctx: Context, _route: unknown, req: Req): Promise<AuthUser> {
        return auth.user((action, params) => ctx.call(action, params), req);
      },

      /**
       * Every answer carries the security headers, whatever route (or none) produced it. The ping
       * URLs are answered by the fast path; everything else by moleculer-web.
       */
      httpHandler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void) {
        securityHeaders(res);
        // A body announced past the limit is refused before any route runs, whatever the method
        // and whether or not the route reads bodies: a request is either whole or refused.
        if (Number(req.headers["content-length"] ?? 0) > config.requestBodyLimit) {
          res.setHeader("Connection", "close");
          sendJson(res, 413, {
            error: {
              code: "PAYLOAD_TOO_LARGE",
              message: `the request body is larger than ${config.requestBodyLimit} bytes`,
              field: "body",
            },
          });
          return;
        }
        if (!next && this.fastPath?.(req as Req, res)) return;
        return ApiGateway.methods!.httpHandler!.call(this, req, res, next);
      },

      /** The dashboard's deep links get its index.html; anything else unknown is a JSON 404. */
      send404(req: Req, res: ServerResponse) {
        if (isAppPath(req) && sendIndex(res)) return;
        this.sendError(req, res, new Errors.MoleculerClientError("not found", 404, "NOT_FOUND"));
      },

      authorize(ctx: Context<unknown, { user?: AuthUser }>, route: { opts: { need: RouteNeed } }, req: Req): void {
        authorizeAlias(ctx.meta.user, route.opts, req.method ?? "GET", req.$alias?.path ?? "");
      },
    },
  };
}

/** How long an idle client connection stays open: longer than the usual proxy's 60 s. */
const KEEP_ALIVE_MS = 65_000;
