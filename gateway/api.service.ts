// gateway: HTTP only. Routes, authentication, body limits and the one error shape; every
// decision about monitors and pings is made by the services it calls.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context, type ServiceSchema } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Config } from "../core/config.ts";
import type { Clock } from "../core/clock.ts";
import { roleAllows, type Role } from "../core/password.ts";
import { boundData, NotUtf8Error, originalSignal, parseSignal, queryParam, type PingSignal } from "../core/ping.ts";
import { CODE_PATTERN } from "../core/code.ts";
import { parseBasic, CredentialCache } from "./basic-auth.ts";
import { pingBodyReader, type PingBodyRequest } from "./ping-body.ts";
import { errorBody, httpStatusOf } from "./errors.ts";
import { clearedCookie, csrfOk, CSRF_HEADER, mayChallenge, readCookie, secureRequest, SESSION_COOKIE, sessionCookie } from "./session.ts";
import { LiveHub, type MonitorLike } from "./live.ts";
import { DASHBOARD_DIR, isAppPath, securityHeaders, sendIndex, staticOptions } from "./dashboard.ts";

const { MoleculerClientError } = Errors;

interface AuthUser {
  id: number;
  username: string;
  role: Role;
}

type Req = IncomingMessage &
  PingBodyRequest & { $params: Record<string, unknown>; $route?: { opts: RouteOpts }; $alias?: { path?: string }; parsedUrl?: string };
interface RouteOpts {
  /** the least role this route needs; GET/HEAD on /api/v1 need viewer, writes admin */
  need: "read-write" | "pinger";
}

/** API paths (as written in the aliases) that only admins may even read. */
const ADMIN_ONLY = /^\/?(channel|users|hosts(\/:id)?$)/;
const SESSION_MAX_AGE_S = 7 * 86_400;
const REALM = 'Basic realm="heartbeats", charset="UTF-8"';

function unauthorized(message: string): never {
  throw new MoleculerClientError(message, 401, "UNAUTHORIZED");
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = req.headers["x-forwarded-for"];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket.remoteAddress ?? null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** body-parser would decode bad bytes to U+FFFD and store mangled text: refuse them instead. */
function refuseNonUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  try {
    utf8.decode(buf);
  } catch {
    // A MoleculerError passes through moleculer-web's middleware chain with its data intact.
    throw new MoleculerClientError("request body is not valid UTF-8", 422, "VALIDATION_ERROR", { field: "body" });
  }
}

/**
 * moleculer-web runs a function alias as middleware (req, res, next) and does not catch what an
 * async one throws: that would crash the process. Errors go to next(), which answers with them.
 */
function guarded<T>(fn: (this: T, req: Req, res: ServerResponse) => Promise<void> | void) {
  return function (this: T, req: Req, res: ServerResponse, next: (err?: unknown) => void) {
    Promise.resolve()
      .then(() => fn.call(this, req, res))
      .catch((err) => next(err));
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

// moleculer-web's settings are wider than ServiceSettingSchema: the schema is typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export default function gatewayService({ config, clock }: { config: Config; clock: Clock }): ServiceSchema<any> {
  const verified = new CredentialCache<AuthUser>(60_000);
  // Sessions are re-read every few seconds, so a logout or a role change elsewhere applies soon.
  const sessions = new Map<string, { user: AuthUser; csrfToken: string; expires: number }>();
  let live: LiveHub | null = null;
  const readPingBody = pingBodyReader(config.pingBodyLimit, config.requestBodyLimit);

  /** Turns the raw request of a ping route into ingest.ping's parameters. */
  function pingParams(req: Req, signal: PingSignal | null, rawData: Buffer | null, more: boolean): Record<string, unknown> {
    if (!signal) throw new MoleculerClientError("unknown ping signal: use start, fail, log or an exit status 0-255", 404, "NOT_FOUND", { field: "signal" });
    let bounded;
    try {
      bounded = boundData(rawData, config.pingBodyLimit, more);
    } catch (err) {
      if (err instanceof NotUtf8Error) throw new MoleculerClientError("data must be UTF-8 text", 422, "VALIDATION_ERROR", { field: "data" });
      throw err;
    }
    const ua = req.headers["user-agent"];
    return {
      kind: signal.kind,
      exitStatus: signal.exitStatus,
      data: bounded.data,
      dataTruncated: bounded.truncated,
      sourceIp: clientIp(req, config.trustProxy),
      userAgent: typeof ua === "string" ? ua : null,
    };
  }

  function checkCode(code: unknown): string {
    if (typeof code !== "string" || code === "") throw new MoleculerClientError("the monitor code is missing", 422, "VALIDATION_ERROR", { field: "service" });
    if (!CODE_PATTERN.test(code)) throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
    return code;
  }

  return {
    name: "gateway",
    mixins: [ApiGateway as unknown as Partial<ServiceSchema>],

    settings: {
      port: config.port,
      ip: config.host,
      // Request parameters may carry passwords (user routes) and ping data: never log them.
      logRequest: "debug",
      logResponse: "debug",
      logRequestParams: null,
      logResponseData: null,
      log4XXResponses: false,
      httpServerTimeout: 30_000,
      // The built dashboard, for whatever no route claims; see send404 for the app's deep links.
      assets: { folder: DASHBOARD_DIR, options: staticOptions },

      routes: [
        {
          name: "health",
          path: "/",
          authentication: false,
          bodyParsers: { json: false, urlencoded: false },
          mappingPolicy: "restrict",
          aliases: {
            "GET healthz"(_req: IncomingMessage, res: ServerResponse) {
              sendJson(res, 200, { status: "ok" });
            },
            async "GET readyz"(this: { broker: { call: Function; transit?: { connected?: boolean } } }, _req: IncomingMessage, res: ServerResponse) {
              const checks: Record<string, string> = {};
              let ok = true;
              if (this.broker.transit) {
                checks.transporter = this.broker.transit.connected ? "ok" : "down";
                ok &&= this.broker.transit.connected === true;
              }
              try {
                await this.broker.call("registry.ready", {}, { timeout: 3000 });
                checks.database = "ok";
              } catch {
                checks.database = "down";
                ok = false;
              }
              sendJson(res, ok ? 200 : 503, { status: ok ? "ready" : "not ready", checks });
            },
          },
        },
        {
          // The original tool's ping URL, unchanged: /api/pings/?service=CODE&data=TEXT with basic auth.
          name: "original-pings",
          path: "/api/pings",
          need: "pinger",
          authentication: config.pingAuth === "basic",
          authorization: config.pingAuth === "basic",
          bodyParsers: { json: false, urlencoded: false },
          mappingPolicy: "restrict",
          aliases: { "GET /": "ingest.ping", "POST /": "ingest.ping", "HEAD /": "ingest.ping" },
          onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
            const query = (req.url ?? "").split("?")[1] ?? "";
            const code = queryParam(query, "service")?.toString("utf8");
            const data = queryParam(query, "data");
            let text: string | null = null;
            try {
              text = data === null ? null : (boundData(data, Number.MAX_SAFE_INTEGER).data ?? null);
            } catch {
              throw new MoleculerClientError("data must be UTF-8 text", 422, "VALIDATION_ERROR", { field: "data" });
            }
            req.$params = { code: checkCode(code), ...pingParams(req, originalSignal(text), data, false) };
          },
          onAfterCall(_ctx: Context, _route: unknown, req: Req, _res: ServerResponse, data: Record<string, unknown>) {
            // Shaped like the original tool's answer (its PingSerializer), plus our status.
            const sent = req.$params as { data: string | null; sourceIp: string | null; userAgent: string | null };
            return { id: data.id, service: data.code, data: sent.data ?? "", remote_addr: sent.sourceIp, ua: sent.userAgent ?? "", created: data.receivedAt, kind: data.kind, status: data.status };
          },
        },
        {
          // healthchecks.io-style URLs: /ping/CODE, /ping/CODE/start|fail|log|<exit status>.
          name: "pings",
          path: "/ping",
          need: "pinger",
          authentication: config.pingAuth === "basic",
          authorization: config.pingAuth === "basic",
          bodyParsers: { json: false, urlencoded: false },
          use: [readPingBody],
          mappingPolicy: "restrict",
          aliases: {
            "GET /:code": "ingest.ping",
            "HEAD /:code": "ingest.ping",
            "POST /:code": "ingest.ping",
            "GET /:code/:signal": "ingest.ping",
            "HEAD /:code/:signal": "ingest.ping",
            "POST /:code/:signal": "ingest.ping",
          },
          onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
            const { code, signal } = req.$params as { code?: string; signal?: string };
            req.$params = { code: checkCode(code), ...pingParams(req, parseSignal(signal), req.pingBody ?? null, req.pingBodyMore ?? false) };
          },
          onAfterCall(ctx: Context) {
            (ctx.meta as Record<string, unknown>).$responseType = "text/plain; charset=utf-8";
            return "OK";
          },
        },
        {
          // Login for the dashboard: a session cookie instead of basic auth on every request.
          name: "session",
          path: "/api/v1/session",
          authentication: false,
          bodyParsers: { json: { limit: 16_384, strict: true, verify: refuseNonUtf8 }, urlencoded: false },
          mappingPolicy: "restrict",
          aliases: {
            "POST /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const { username, password } = req.$params as { username?: unknown; password?: unknown };
              for (const [field, v] of [["username", username], ["password", password]] as const) {
                if (typeof v !== "string" || v === "" || v.length > 1024) {
                  throw new MoleculerClientError(`${field} is required`, 422, "VALIDATION_ERROR", [{ field, message: `${field} is required` }]);
                }
              }
              const user = (await this.broker.call("registry.authenticate", { username, password })) as AuthUser | null;
              if (!user) unauthorized("wrong username or password");
              const s = (await this.broker.call("registry.sessions.create", { userId: user.id })) as { token: string; csrfToken: string };
              res.setHeader("Set-Cookie", sessionCookie(s.token, SESSION_MAX_AGE_S, secureRequest(req, config.trustProxy, config.publicUrl)));
              res.setHeader("Cache-Control", "no-store");
              sendJson(res, 200, { user: { username: user.username, role: user.role }, csrfToken: s.csrfToken });
            }),
            "GET /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const token = readCookie(req.headers.cookie, SESSION_COOKIE);
              const s = token ? ((await this.broker.call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null) : null;
              if (!s) unauthorized("not logged in");
              res.setHeader("Cache-Control", "no-store");
              sendJson(res, 200, { user: { username: s.user.username, role: s.user.role }, csrfToken: s.csrfToken });
            }),
            "DELETE /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const token = readCookie(req.headers.cookie, SESSION_COOKIE);
              if (token) {
                sessions.delete(token);
                await this.broker.call("registry.sessions.remove", { token });
              }
              res.setHeader("Set-Cookie", clearedCookie(secureRequest(req, config.trustProxy, config.publicUrl)));
              res.statusCode = 204;
              res.end();
            }),
          },
        },
        {
          name: "api",
          path: "/api/v1",
          need: "read-write",
          authentication: true,
          authorization: true,
          bodyParsers: { json: { limit: config.requestBodyLimit, strict: true, verify: refuseNonUtf8 }, urlencoded: false },
          mappingPolicy: "restrict",
          onAfterCall(_ctx: Context, _route: unknown, req: Req, _res: ServerResponse, data: unknown) {
            // A changed or deleted user must not keep working from this gateway's caches.
            if (req.method !== "GET" && /^\/?users/.test(req.$alias?.path ?? "")) {
              verified.clear();
              sessions.clear();
            }
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
            "GET /monitors/:id/pings": "registry.pings",
            "GET /monitors/:id/flips": "registry.flips",
            "GET /monitors/:id/notifications": "registry.notifications",
            "GET /channel-types": "registry.channels.types",
            "GET /channels": "registry.channels.list",
            "POST /channels": "registry.channels.create",
            "GET /channels/:id": "registry.channels.get",
            "PATCH /channels/:id": "registry.channels.update",
            "DELETE /channels/:id": "registry.channels.remove",
            "POST /channels/:id/test": "notifier.test",
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
            "GET /events": guarded((_req: Req, res: ServerResponse) => {
              if (!live) throw new MoleculerClientError("live updates are not running", 503, "SERVICE_UNAVAILABLE");
              live.add(res);
            }),
            "GET /schedule/preview": "registry.preview",
            "POST /schedule/preview": "registry.preview",
          },
        },
      ],

      onError(this: { logger: { error: Function } }, req: Req, res: ServerResponse, err: Error & Record<string, unknown>) {
        const status = httpStatusOf(err);
        if (status >= 500 && status !== 503) this.logger.error(`${req.method} ${req.parsedUrl ?? ""} failed:`, err.message);
        if (status === 401 && mayChallenge(req)) res.setHeader("WWW-Authenticate", REALM);
        if (status === 503) res.setHeader("Retry-After", "5");
        sendJson(res, status, errorBody(err, status));
      },
    },

    events: {
      "process.stopping"() {
        live?.close();
      },
      // Live updates: what changed is re-read from the registry and pushed to listening browsers.
      "monitor.changed"(ctx: Context<{ id: number; deleted?: boolean }>) {
        if (ctx.params.deleted) live?.deletedMonitor(ctx.params.id);
        else live?.changedMonitors([ctx.params.id]);
      },
      "monitor.pinged"(ctx: Context<{ monitors: { id: number }[] }>) {
        live?.changedMonitors(ctx.params.monitors.map((m) => m.id));
      },
      "flip.recorded"(ctx: Context<{ monitorId: number }>) {
        live?.changedMonitors([ctx.params.monitorId]);
      },
    },

    created(this: { broker: { call: Function }; logger: { warn: Function } }) {
      const broker = this.broker;
      const logger = this.logger;
      live = new LiveHub(
        (ids) => broker.call("registry.views", { ids }) as Promise<MonitorLike[]>,
        (err) => logger.warn("live update failed:", err.message),
      );
    },

    stopped() {
      live?.close();
      live = null;
    },

    methods: {
      async authenticate(ctx: Context, _route: unknown, req: Req): Promise<AuthUser> {
        const token = req.headers.authorization ? null : readCookie(req.headers.cookie, SESSION_COOKIE);
        if (token) return this.sessionUser(ctx, token, req);
        const creds = parseBasic(req.headers.authorization);
        if (!creds) unauthorized("credentials required (HTTP basic auth)");
        // No user has such a name or password; refusing here keeps registry's validator out of it.
        if (creds.username.length > 150 || creds.password.length > 1024) unauthorized("wrong username or password");
        const now = clock.now();
        const cached = verified.get(creds, now);
        if (cached) return cached;
        const user = (await ctx.call("registry.authenticate", creds)) as AuthUser | null;
        if (!user) unauthorized("wrong username or password");
        verified.set(creds, user, now);
        return user;
      },

      /** A session cookie's user; changes made with a cookie must carry its CSRF token. */
      async sessionUser(ctx: Context, token: string, req: Req): Promise<AuthUser> {
        const now = clock.now();
        let s = sessions.get(token);
        if (!s || s.expires <= now) {
          const found = (await ctx.call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null;
          if (!found) {
            sessions.delete(token);
            unauthorized("your session has ended: log in again");
          }
          if (sessions.size > 10_000) sessions.clear();
          s = { ...found, expires: now + 5_000 };
          sessions.set(token, s);
        }
        if (!csrfOk(req.method, req.headers[CSRF_HEADER], s.csrfToken)) {
          throw new MoleculerClientError("missing or wrong X-CSRF-Token header", 403, "CSRF");
        }
        return s.user;
      },

      /** Every answer carries the security headers, whatever route (or none) produced it. */
      httpHandler(this: { [k: string]: unknown }, req: IncomingMessage, res: ServerResponse, next?: Function) {
        securityHeaders(res);
        return (ApiGateway as unknown as { methods: { httpHandler: Function } }).methods.httpHandler.call(this, req, res, next);
      },

      /** The dashboard's deep links get its index.html; anything else unknown is a JSON 404. */
      send404(this: { sendError: Function }, req: Req, res: ServerResponse) {
        if (isAppPath(req) && sendIndex(res)) return;
        this.sendError(req, res, new MoleculerClientError("not found", 404, "NOT_FOUND"));
      },

      authorize(ctx: Context<unknown, { user?: AuthUser }>, route: { opts: RouteOpts }, req: Req): void {
        const user = ctx.meta.user;
        if (!user) unauthorized("credentials required (HTTP basic auth)");
        // Channels hold delivery targets and tokens: reading them is for admins too.
        const adminOnly = ADMIN_ONLY.test(req.$alias?.path ?? "");
        const need: Role = route.opts.need === "pinger" ? "pinger" : !adminOnly && (req.method === "GET" || req.method === "HEAD") ? "viewer" : "admin";
        if (!roleAllows(user.role, need)) {
          throw new MoleculerClientError(`this needs the ${need} role; ${user.username} is ${user.role}`, 403, "FORBIDDEN");
        }
      },
    },
  };
}
