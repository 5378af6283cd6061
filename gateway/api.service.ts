// gateway: HTTP only. Routes, authentication, body limits and the one error shape; every
// decision about monitors and pings is made by the services it calls.

import fs from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Errors, type Context, type ServiceSchema, type ServiceBroker, type Logger, type ActionEndpoint } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Config } from "../core/config.ts";
import type { Clock } from "../core/checker/clock.ts";
import { roleAllows, type Role } from "../core/security/password.ts";
import { isLocale, LOCALES, type Locale } from "../core/alerts/locale.ts";
import { boundData, NotUtf8Error, originalSignal, parseSignal, queryParam, type PingSignal } from "../core/monitor/ping.ts";
import { CODE_PATTERN } from "../core/monitor/code.ts";
import { parseBasic, CredentialCache } from "./basic-auth.ts";
import { AttemptLimiter } from "./attempt-limiter.ts";
import { looksLikeApiKey } from "../core/security/api-key.ts";
import { pingBodyReader, type PingBodyRequest } from "./ping-body.ts";
import { callBatcher, pingFastPath } from "./ping-fast-path.ts";
import { errorBody, httpStatusOf } from "./errors.ts";
import { clearedCookie, csrfOk, CSRF_HEADER, mayChallenge, readCookie, secureRequest, SESSION_COOKIE, sessionCookie } from "./session.ts";
import { LiveHub, type MonitorLike } from "./live.ts";
import { DASHBOARD_DIR, isAppPath, securityHeaders, sendIndex, staticOptions } from "./dashboard.ts";
import { BADGE_LABEL_MAX, badgeJson, parseBadgeFile, renderBadgeSvg, type BadgeStatus } from "../core/monitor/badge.ts";
import { buildOpenApi, type ActionLike, type RouteLike } from "./openapi.ts";
import { sendDocsAsset, sendDocsPage } from "./api-docs.ts";

const { MoleculerClientError } = Errors;
// moleculer-web's error when a route's action is not registered at all (ServiceUnavailableError).
const { ServiceUnavailableError } = (ApiGateway as unknown as { Errors: { ServiceUnavailableError: new () => Error } }).Errors;

interface AuthUser {
  id: number;
  username: string;
  role: Role;
  /** the dashboard's language the user chose; null or absent: the browser's */
  locale?: Locale | null;
  /** set when the caller is an API key */
  scope?: string;
}

type Req = IncomingMessage &
  PingBodyRequest & { $params: Record<string, unknown>; $route?: { opts: RouteOpts }; $alias?: { path?: string }; parsedUrl?: string };
interface RouteOpts {
  /** the least role this route needs; GET/HEAD on /api/v1 need viewer, writes admin */
  need: "read-write" | "pinger";
}

/** API paths (as written in the aliases) that only admins may even read. */
const ADMIN_ONLY = /^\/?(channel|users|keys|hosts(\/:id)?$)/;
/** What no API key may touch, whatever its scope: people's accounts and the keys themselves. */
const PEOPLE_ONLY = /^\/?(users|keys)/;
const SESSION_MAX_AGE_S = 7 * 86_400;
/** How long an idle client connection stays open: longer than the usual proxy's 60 s. */
const KEEP_ALIVE_MS = 65_000;
const REALM = 'Basic realm="heartbeats", charset="UTF-8"';

/**
 * Who may call an alias: the least role (null: anyone, no login) and whether API keys may. The
 * gateway's authorize() enforces exactly this; the OpenAPI document states it.
 */
export function accessOf(route: { authentication?: boolean; need?: string }, method: string, aliasPath: string): { role: Role | null; apiKeys: boolean } {
  if (route.authentication === false) return { role: null, apiKeys: true };
  if (route.need === "pinger") return { role: "pinger", apiKeys: true };
  // Channels hold delivery targets and tokens: reading them is for admins too.
  const adminOnly = ADMIN_ONLY.test(aliasPath);
  return { role: !adminOnly && (method === "GET" || method === "HEAD") ? "viewer" : "admin", apiKeys: !PEOPLE_ONLY.test(aliasPath) };
}

/** Routes anyone may call, that read no body. */
const OPEN_ROUTE = { authentication: false, bodyParsers: { json: false, urlencoded: false }, mappingPolicy: "restrict" } as const;

/** How long a badge may be cached (browsers, CDNs, GitHub's camo): short, so it stays current. */
const BADGE_MAX_AGE_S = 30;
const PACKAGE_VERSION = (JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

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

/** The OpenAPI document as of now: the routes' aliases and the params of every action registered. */
function openApiOf(broker: ServiceBroker, routes: RouteLike[]) {
  const list = broker.registry.getActionList({ skipInternal: true }) as unknown as { name: string; action?: { params?: ActionLike["params"]; description?: string } }[];
  const actions: ActionLike[] = list.map((a) => ({ name: a.name, params: a.action?.params, description: a.action?.description }));
  return buildOpenApi({ version: PACKAGE_VERSION, routes, actions, access: accessOf });
}

// moleculer-web's settings are wider than ServiceSettingSchema: the schema is typed loosely here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export default function gatewayService({ config, clock }: { config: Config; clock: Clock }): ServiceSchema<any> {
  const verified = new CredentialCache<AuthUser>(60_000);
  const keys = new Map<string, { user: AuthUser; expires: number }>();
  // Sessions are re-read every few seconds, so a logout or a role change elsewhere applies soon.
  const sessions = new Map<string, { user: AuthUser; csrfToken: string; expires: number }>();
  let live: LiveHub | null = null;
  const readPingBody = pingBodyReader(config.pingBodyLimit, config.requestBodyLimit);
  const attempts = new AttemptLimiter(config.signIn);
  let log: Logger | null = null;

  /** A locked-out user or address is refused before any password is tried. */
  function refuseLockedOut(username: string | null, ip: string | null): void {
    const r = attempts.refused(username, ip, clock.now());
    if (!r) return;
    const retryAfter = Math.ceil(r.retryAfterMs / 1000);
    throw new MoleculerClientError(
      `too many failed sign-ins ${r.scope === "user" ? "for this user" : "from this address"}: try again in ${retryAfter} s`,
      429,
      "TOO_MANY_ATTEMPTS",
      { retryAfter },
    );
  }

  function signInFailed(username: string | null, ip: string | null): void {
    for (const l of attempts.failed(username, ip, clock.now())) {
      // JSON-quoted: a user name is the caller's text and must not forge log lines.
      const who = l.scope === "user" ? `user ${JSON.stringify(l.who)}${ip ? ` (last attempt from ${JSON.stringify(ip)})` : ""}` : `address ${JSON.stringify(l.who)}`;
      log?.warn(`sign-in lockout: ${who} refused for ${config.signIn.lockMs / 1000} s after ${l.failures} failed attempts`);
    }
  }

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

  /** The original tool's /api/pings/?service=CODE&data=TEXT: ingest.ping's parameters. */
  function originalParams(req: Req): Record<string, unknown> {
    const query = (req.url ?? "").split("?")[1] ?? "";
    const code = queryParam(query, "service")?.toString("utf8");
    const data = queryParam(query, "data");
    let text: string | null = null;
    try {
      text = data === null ? null : (boundData(data, Number.MAX_SAFE_INTEGER).data ?? null);
    } catch {
      throw new MoleculerClientError("data must be UTF-8 text", 422, "VALIDATION_ERROR", { field: "data" });
    }
    return { code: checkCode(code), ...pingParams(req, originalSignal(text), data, false) };
  }

  /** /ping/CODE[/SIGNAL], its body already read: ingest.ping's parameters. */
  function pingRouteParams(req: Req, code: string | undefined, signal: string | undefined): Record<string, unknown> {
    const params = { code: checkCode(code), ...pingParams(req, parseSignal(signal), req.pingBody ?? null, req.pingBodyMore ?? false) };
    return wantsCreate(req) ? { ...params, create: true } : params;
  }

  /**
   * ?create=1 counts only with AUTO_PROVISION and PING_AUTH=basic, where every ping on this route
   * is authenticated (pinger role or a ping-scoped key) before ingest sees it.
   */
  function wantsCreate(req: Req): boolean {
    if (!config.autoProvision || config.pingAuth !== "basic") return false;
    const q = (req.url ?? "").indexOf("?");
    return q >= 0 && queryParam(req.url!.slice(q + 1), "create")?.toString("utf8") === "1";
  }

  /** Shaped like the original tool's answer (its PingSerializer), plus our status. */
  function originalAnswer(params: Record<string, unknown>, data: Record<string, unknown>) {
    const sent = params as { data: string | null; sourceIp: string | null; userAgent: string | null };
    return { id: data.id, service: data.code, data: sent.data ?? "", remote_addr: sent.sourceIp, ua: sent.userAgent ?? "", created: data.receivedAt, kind: data.kind, status: data.status };
  }

  /** What the dashboard learns of its session: who, the CSRF token, and the languages to choose from. */
  function sessionAnswer(user: AuthUser, csrfToken: string) {
    return { user: { username: user.username, role: user.role, locale: user.locale ?? null }, csrfToken, defaultLocale: config.defaultLocale };
  }

  type Call = (action: string, params: Record<string, unknown>) => Promise<unknown>;

  /** Basic auth (verified credentials cached for 60 s) or the dashboard's session cookie. */
  /** An API key's caller: `Authorization: Bearer <key>`, `X-Api-Key`, or as the password of basic auth. */
  async function keyUser(call: Call, key: string, ip: string | null): Promise<AuthUser> {
    const now = clock.now();
    const cached = keys.get(key);
    if (cached && cached.expires > now) return cached.user;
    refuseLockedOut(null, ip);
    const user = (await call("registry.keys.authenticate", { key })) as AuthUser | null;
    if (!user) {
      keys.delete(key);
      signInFailed(null, ip);
      unauthorized("unknown or revoked API key");
    }
    if (keys.size > 10_000) keys.clear();
    // Briefly: a revoked key stops working within seconds on every gateway.
    keys.set(key, { user, expires: now + 5_000 });
    return user;
  }

  async function authUser(call: Call, req: Req): Promise<AuthUser> {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : null;
    const apiKey = bearer ?? (typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : null);
    const ip = clientIp(req, config.trustProxy);
    if (apiKey !== null) return keyUser(call, apiKey, ip);
    const token = auth ? null : readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) return sessionUser(call, token, req);
    const creds = parseBasic(auth);
    if (!creds) unauthorized("credentials required (HTTP basic auth)");
    // The common case first: a job's password verified within the last minute (keys never enter this cache).
    const now = clock.now();
    const cached = verified.get(creds, now);
    if (cached) return cached;
    // A key as the password lets the original curl -u line carry a key instead of a person's password.
    if (looksLikeApiKey(creds.password)) return keyUser(call, creds.password, ip);
    const username = creds.username.slice(0, 150);
    refuseLockedOut(username, ip);
    // No user has such a name or password; refusing here keeps registry's validator out of it.
    if (creds.username.length > 150 || creds.password.length > 1024) {
      signInFailed(username, ip);
      unauthorized("wrong username or password");
    }
    const user = (await call("registry.authenticate", { ...creds })) as AuthUser | null;
    if (!user) {
      signInFailed(username, ip);
      unauthorized("wrong username or password");
    }
    attempts.succeeded(username);
    verified.set(creds, user, now);
    return user;
  }

  /** A session cookie's user; changes made with a cookie must carry its CSRF token. */
  async function sessionUser(call: Call, token: string, req: Req): Promise<AuthUser> {
    const now = clock.now();
    let s = sessions.get(token);
    if (!s || s.expires <= now) {
      const found = (await call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null;
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
  }

  function authorizeUser(user: AuthUser | null | undefined, need: Role): void {
    if (!user) unauthorized("credentials required (HTTP basic auth)");
    if (!roleAllows(user.role, need)) {
      throw new MoleculerClientError(`this needs the ${need} role; ${user.username} is ${user.role}`, 403, "FORBIDDEN");
    }
  }

  function onError(this: { logger: { error: Function } }, req: Req, res: ServerResponse, err: Error & Record<string, unknown>) {
    const status = httpStatusOf(err);
    if (status >= 500 && status !== 503) this.logger.error(`${req.method} ${req.parsedUrl ?? ""} failed:`, err.message);
    if (status === 401 && mayChallenge(req)) res.setHeader("WWW-Authenticate", REALM);
    if (status === 503) res.setHeader("Retry-After", "5");
    const retryAfter = (err.data as { retryAfter?: unknown } | undefined)?.retryAfter;
    if (status === 429 && typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
    sendJson(res, status, errorBody(err, status));
  }

  /** Set up in created(): the ping URLs' own handler, in front of moleculer-web's. */
  let fastPath: ((req: Req, res: ServerResponse) => boolean) | null = null;

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
      // An answer may take as long as the longest action behind a route ("check now" on a slow
      // host); a socket idle longer than that is closed.
      httpServerTimeout: Math.max(30_000, config.collector.checkNowTimeoutMs + 5000),
      // The built dashboard, for whatever no route claims; see send404 for the app's deep links.
      assets: { folder: DASHBOARD_DIR, options: staticOptions },

      routes: [
        {
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
          // The hooks below build ingest.ping's params from the URL: the request is this.
          docs: Object.fromEntries(
            ["GET /", "POST /", "HEAD /"].map((k) => [
              k,
              {
                summary: "the original tool's ping: success, or a failure report when data is not empty",
                query: { service: { type: "string", max: 32, description: "the monitor's code" }, data: { type: "string", optional: true, description: "failure text; empty or absent for success" } },
              },
            ]),
          ),
          // Normally served by the fast path (gateway/ping-fast-path.ts); these hooks do the same.
          onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
            req.$params = originalParams(req);
          },
          onAfterCall(_ctx: Context, _route: unknown, req: Req, _res: ServerResponse, data: Record<string, unknown>) {
            return originalAnswer(req.$params, data);
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
          // The hooks below build ingest.ping's params from the URL and body: the request is this.
          docs: Object.fromEntries(
            ["GET", "HEAD", "POST"].flatMap((m) => [
              [`${m} /:code`, { summary: "success ping; a body is stored as the ping's data", produces: "text/plain" }],
              [`${m} /:code/:signal`, { summary: "signal: start, fail, log or an exit status 0-255 (0 is success)", produces: "text/plain" }],
            ]),
          ),
          // Normally served by the fast path (gateway/ping-fast-path.ts); these hooks do the same.
          onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
            const { code, signal } = req.$params as { code?: string; signal?: string };
            req.$params = pingRouteParams(req, code, signal);
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
          bodyParsers: { json: { limit: Math.min(16_384, config.requestBodyLimit), strict: true, verify: refuseNonUtf8 }, urlencoded: false },
          mappingPolicy: "restrict",
          docs: {
            "POST /": { summary: "log in: sets the session cookie, answers {user, csrfToken}", body: { username: { type: "string", min: 1, max: 1024 }, password: { type: "string", min: 1, max: 1024 } } },
            "GET /": { summary: "who is logged in with this cookie: {user, csrfToken}" },
            "DELETE /": { summary: "log out", status: 204 },
            "PATCH /": { summary: "the signed-in user's own dashboard language (null: the browser's); needs the session's X-CSRF-Token", body: { locale: { type: "enum", values: ["en", "zh-Hans"], nullable: true } } },
          },
          aliases: {
            "POST /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const { username, password } = req.$params as { username?: unknown; password?: unknown };
              for (const [field, v] of [["username", username], ["password", password]] as const) {
                if (typeof v !== "string" || v === "" || v.length > 1024) {
                  throw new MoleculerClientError(`${field} is required`, 422, "VALIDATION_ERROR", [{ field, message: `${field} is required` }]);
                }
              }
              const ip = clientIp(req, config.trustProxy);
              const who = (username as string).slice(0, 150);
              refuseLockedOut(who, ip);
              const user = (await this.broker.call("registry.authenticate", { username, password })) as AuthUser | null;
              if (!user) {
                signInFailed(who, ip);
                unauthorized("wrong username or password");
              }
              attempts.succeeded(who);
              const s = (await this.broker.call("registry.sessions.create", { userId: user.id })) as { token: string; csrfToken: string };
              res.setHeader("Set-Cookie", sessionCookie(s.token, SESSION_MAX_AGE_S, secureRequest(req, config.trustProxy, config.publicUrl)));
              res.setHeader("Cache-Control", "no-store");
              sendJson(res, 200, sessionAnswer(user, s.csrfToken));
            }),
            "GET /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const token = readCookie(req.headers.cookie, SESSION_COOKIE);
              const s = token ? ((await this.broker.call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null) : null;
              if (!s) unauthorized("not logged in");
              res.setHeader("Cache-Control", "no-store");
              sendJson(res, 200, sessionAnswer(s.user, s.csrfToken));
            }),
            // The signed-in user's own settings (today: the dashboard's language). Any role may
            // change its own; it needs the session's CSRF token like every change made with a cookie.
            "PATCH /": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const token = readCookie(req.headers.cookie, SESSION_COOKIE);
              const s = token ? ((await this.broker.call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null) : null;
              if (!s) unauthorized("not logged in");
              if (!csrfOk(req.method, req.headers[CSRF_HEADER], s.csrfToken)) throw new MoleculerClientError("missing or wrong X-CSRF-Token header", 403, "CSRF");
              const { locale } = req.$params as { locale?: unknown };
              if (locale !== null && !isLocale(locale)) {
                const message = `locale must be one of ${LOCALES.join(", ")}, or null to follow the browser`;
                throw new MoleculerClientError(message, 422, "VALIDATION_ERROR", [{ field: "locale", message }]);
              }
              await this.broker.call("registry.users.setLocale", { userId: s.user.id, locale });
              sessions.delete(token!);
              res.setHeader("Cache-Control", "no-store");
              sendJson(res, 200, sessionAnswer({ ...s.user, locale }, s.csrfToken));
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
          docs: { "GET /events": { summary: "Server-Sent Events: `monitor` (a monitor's new state) and `monitor-deleted`", produces: "text/event-stream" } },
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
            "GET /events": guarded((_req: Req, res: ServerResponse) => {
              if (!live) throw new MoleculerClientError("live updates are not running", 503, "SERVICE_UNAVAILABLE");
              live.add(res);
            }),
            "GET /schedule/preview": "registry.preview",
            "POST /schedule/preview": "registry.preview",
          },
        },
        {
          // Public status badges: /badge/<badge key>.svg or .json, no login. The key names one
          // monitor or tag and nothing else; the registry says what the badge shows.
          name: "badges",
          path: "/badge",
          ...OPEN_ROUTE,
          docs: {
            "GET /:file": {
              summary: "a status badge: <badge key>.svg (shields-style) or <badge key>.json (shields.io endpoint format)",
              query: { label: { type: "string", optional: true, max: BADGE_LABEL_MAX, description: "the text left of the status (default: the monitor's or tag's name)" } },
              produces: "image/svg+xml",
            },
          },
          aliases: {
            "GET /:file": guarded(async function (this: { broker: { call: Function } }, req: Req, res: ServerResponse) {
              const { file, label } = req.$params as { file?: unknown; label?: unknown };
              if (label !== undefined && (typeof label !== "string" || label.length > BADGE_LABEL_MAX)) {
                throw new MoleculerClientError(`label must be text of at most ${BADGE_LABEL_MAX} characters`, 422, "VALIDATION_ERROR", { field: "label" });
              }
              const wanted = typeof file === "string" ? parseBadgeFile(file) : null;
              const shown = wanted ? ((await this.broker.call("registry.badges.show", { key: wanted.key })) as { label: string; status: BadgeStatus } | null) : null;
              // One answer for a malformed, unknown or regenerated key: it says nothing about which.
              if (!wanted || !shown) throw new MoleculerClientError("no such badge", 404, "NOT_FOUND");
              const text = typeof label === "string" && label !== "" ? label : shown.label;
              res.setHeader("Cache-Control", `public, max-age=${BADGE_MAX_AGE_S}`);
              if (wanted.format === "json") return sendJson(res, 200, badgeJson(text, shown.status));
              res.statusCode = 200;
              res.setHeader("Content-Type", "image/svg+xml; charset=utf-8");
              res.end(renderBadgeSvg(text, shown.status));
            }),
          },
        },
        {
          // The API's own description: the OpenAPI document, generated from these routes and the
          // params of the actions they call, and a page that reads it.
          name: "reference",
          path: "/api",
          ...OPEN_ROUTE,
          docs: {
            "GET openapi.json": { summary: "this document (OpenAPI 3.1)" },
            "GET docs": { summary: "the API reference page (Swagger UI)", produces: "text/html" },
            "GET docs/:file": { summary: "the reference page's files: Swagger UI's and its initializer", produces: "*/*" },
          },
          aliases: {
            "GET openapi.json"(this: { broker: ServiceBroker; settings: { routes: RouteLike[] } }, _req: IncomingMessage, res: ServerResponse) {
              res.setHeader("Cache-Control", "no-cache");
              sendJson(res, 200, openApiOf(this.broker, this.settings.routes));
            },
            "GET docs": sendDocsPage,
            "GET docs/:file": sendDocsAsset,
          },
        },
      ],

      onError,
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

    created(this: { broker: ServiceBroker; logger: Logger; server?: Server; _trackedContexts?: unknown[] }) {
      if (this.server) {
        // Node's 5 s keep-alive lets an idle connection close just as a client reuses it: the
        // ping is lost with a reset, and a proxy in front (60 s idle is usual) answers 502. So
        // idle connections are kept longer than such proxies keep theirs; clients read the hint.
        this.server.keepAliveTimeout = KEEP_ALIVE_MS;
        this.server.headersTimeout = KEEP_ALIVE_MS + 1000;
      }
      const broker = this.broker;
      const logger = this.logger;
      log = logger;
      const service = this;
      live = new LiveHub(
        (ids) => broker.call("registry.views", { ids }) as Promise<MonitorLike[]>,
        (err) => logger.warn("live update failed:", err.message),
      );
      const call: Call = (action, params) => broker.call(action, params);
      type Outcome = { ok: Record<string, unknown>; error?: undefined } | { ok?: undefined; error: Record<string, unknown> };
      const batched = callBatcher<Record<string, unknown>, Outcome>((pings) => broker.call("ingest.pings", { pings }) as Promise<Outcome[]>);
      /** An error ingest.pings sent back for one ping, rebuilt as Moleculer rebuilds a call's error. */
      const restoreError = (plain: Record<string, unknown>): Error => {
        const regenerator = broker.errorRegenerator as unknown as { restore(e: unknown, payload: unknown): Error } | undefined;
        if (regenerator) return regenerator.restore(plain, { sender: plain.nodeID });
        return Object.assign(new Error(String(plain.message)), plain);
      };
      fastPath = pingFastPath<AuthUser, ActionEndpoint>({
        readBody: readPingBody,
        endpoint() {
          const ep = broker.findNextActionEndpoint("ingest.ping") as ActionEndpoint | Error;
          // moleculer-web's answer when no ingest service is registered at all.
          return ep instanceof Errors.ServiceNotFoundError ? new ServiceUnavailableError() : ep;
        },
        originalParams: (req) => originalParams(req as Req),
        pingParams: (req, code, signal) => pingRouteParams(req as Req, code, signal),
        authenticate: config.pingAuth === "basic" ? (req) => authUser(call, req as Req) : null,
        authorize: (user) => authorizeUser(user, "pinger"),
        call(endpoint, params) {
          // The pings of one turn go to ingest as one call; an ingest without ingest.pings (an
          // older one, in a rolling update) gets them one by one.
          const batchable = broker.registry.getActionEndpoints("ingest.pings") as { hasAvailable(): boolean } | undefined;
          if (!batchable?.hasAvailable()) return broker.call(endpoint as unknown as string, params) as Promise<Record<string, unknown>>;
          return batched(params).then((outcome) => {
            if (outcome.error) throw restoreError(outcome.error);
            return outcome.ok;
          });
        },
        originalAnswer: (_req, params, data) => originalAnswer(params, data),
        fail(req, res, err) {
          const e = err as Error & Record<string, unknown>;
          // As moleculer-web's errorHandler: anything but a client error is logged.
          if (!(typeof e?.code === "number" && e.code >= 400 && e.code < 500)) logger.error("   Request error!", e?.name, ":", e?.message, "\n", e?.stack, "\nData:", e?.data);
          onError.call(service, req as Req, res, e);
        },
        // moleculer-web's request context was tracked: a graceful stop waited for it. So for these.
        track() {
          const list = service._trackedContexts;
          if (!Array.isArray(list)) return () => {};
          const token = {};
          list.push(token);
          return () => {
            const i = list.indexOf(token);
            if (i !== -1) list.splice(i, 1);
          };
        },
      });
    },

    stopped() {
      live?.close();
      live = null;
    },

    methods: {
      authenticate(ctx: Context, _route: unknown, req: Req): Promise<AuthUser> {
        return authUser((action, params) => ctx.call(action, params), req);
      },

      /**
       * Every answer carries the security headers, whatever route (or none) produced it. The ping
       * URLs are answered by the fast path; everything else by moleculer-web.
       */
      httpHandler(this: { [k: string]: unknown }, req: IncomingMessage, res: ServerResponse, next?: Function) {
        securityHeaders(res);
        // A body announced past the limit is refused before any route runs, whatever the method
        // and whether or not the route reads bodies: a request is either whole or refused.
        if (Number(req.headers["content-length"] ?? 0) > config.requestBodyLimit) {
          res.setHeader("Connection", "close");
          sendJson(res, 413, { error: { code: "PAYLOAD_TOO_LARGE", message: `the request body is larger than ${config.requestBodyLimit} bytes`, field: "body" } });
          return;
        }
        if (!next && fastPath?.(req as Req, res)) return;
        return (ApiGateway as unknown as { methods: { httpHandler: Function } }).methods.httpHandler.call(this, req, res, next);
      },

      /** The dashboard's deep links get its index.html; anything else unknown is a JSON 404. */
      send404(this: { sendError: Function }, req: Req, res: ServerResponse) {
        if (isAppPath(req) && sendIndex(res)) return;
        this.sendError(req, res, new MoleculerClientError("not found", 404, "NOT_FOUND"));
      },

      authorize(ctx: Context<unknown, { user?: AuthUser }>, route: { opts: RouteOpts }, req: Req): void {
        const access = accessOf(route.opts, req.method ?? "GET", req.$alias?.path ?? "");
        authorizeUser(ctx.meta.user, access.role ?? "pinger");
        if (ctx.meta.user?.scope && !access.apiKeys) {
          throw new MoleculerClientError("API keys cannot manage users or API keys: log in as an admin", 403, "FORBIDDEN");
        }
      },
    },
  };
}
