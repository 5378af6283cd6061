// The dashboard's login: a session cookie instead of basic auth on every request, and the
// signed-in user's own settings.

import type { ServerResponse } from "node:http";
import { Errors } from "moleculer";
import type { Config } from "../../core/config.ts";
import { isLocale, LOCALES } from "../../core/alerts/locale.ts";
import { isTheme, THEMES } from "../../core/people/theme.ts";
import { unauthorized, type AuthUser, type Call, type GatewayAuth } from "../auth.ts";
import { clientIp, refuseNonUtf8, sendJson } from "../http.ts";
import {
  clearedCookie,
  csrfOk,
  CSRF_HEADER,
  readCookie,
  secureRequest,
  sessionCookieName,
  sessionCookie,
} from "../session.ts";
import { guarded, type GatewayRoute, type Req } from "./route.ts";

const { MoleculerClientError } = Errors;

type Session = { user: AuthUser; csrfToken: string };

function invalid(field: string, message: string): never {
  throw new MoleculerClientError(message, 422, "VALIDATION_ERROR", [{ field, message }]);
}

export function sessionRoute(config: Config, auth: GatewayAuth): GatewayRoute {
  /** What the dashboard learns of its session: who, the CSRF token, and the languages to choose from. */
  function sessionAnswer(res: ServerResponse, user: AuthUser, csrfToken: string): void {
    res.setHeader("Cache-Control", "no-store");
    sendJson(res, 200, {
      user: { username: user.username, role: user.role, locale: user.locale ?? null, theme: user.theme ?? "system" },
      csrfToken,
      defaultLocale: config.defaultLocale,
    });
  }

  /** The session of this request's cookie, or a 401. */
  async function session(req: Req): Promise<Session & { token: string }> {
    const token = readCookie(req.headers.cookie, sessionCookieName(config.publicUrl));
    const s = token ? ((await req.$service.broker.call("registry.sessions.get", { token })) as Session | null) : null;
    if (!s) unauthorized("not logged in");
    return { ...s, token: token! };
  }

  return {
    name: "session",
    path: "/api/v1/session",
    authentication: false,
    bodyParsers: {
      json: { limit: Math.min(16_384, config.requestBodyLimit), strict: true, verify: refuseNonUtf8 },
      urlencoded: false,
    },
    mappingPolicy: "restrict",
    docs: {
      "POST /": {
        summary: "log in: sets the session cookie, answers {user, csrfToken}",
        body: { username: { type: "string", min: 1, max: 1024 }, password: { type: "string", min: 1, max: 1024 } },
      },
      "GET /": { summary: "who is logged in with this cookie: {user, csrfToken}" },
      "DELETE /": { summary: "log out", status: 204 },
      "PATCH /": {
        summary:
          "the signed-in user's own dashboard language (null: the browser's) and/or colour scheme; needs the session's X-CSRF-Token",
        body: {
          locale: { type: "enum", values: [...LOCALES], nullable: true, optional: true },
          theme: { type: "enum", values: [...THEMES], optional: true },
        },
      },
    },
    aliases: {
      "POST /": guarded(async (req, res) => {
        const { username, password } = req.$params as { username?: unknown; password?: unknown };
        for (const [field, v] of [
          ["username", username],
          ["password", password],
        ] as const) {
          if (typeof v !== "string" || v === "" || v.length > 1024) {
            throw new MoleculerClientError(`${field} is required`, 422, "VALIDATION_ERROR", [
              { field, message: `${field} is required` },
            ]);
          }
        }
        const ip = clientIp(req, config.trustProxy);
        const who = (username as string).slice(0, 150);
        const { broker } = req.$service;
        const call: Call = (action, params) => broker.call(action, params);
        await auth.refuseLockedOut(call, who, ip);
        const user = (await broker.call("registry.authenticate", { username, password })) as AuthUser | null;
        if (!user) {
          await auth.signInFailed(call, who, ip);
          unauthorized("wrong username or password");
        }
        await auth.signInSucceeded(call, who);
        const s = (await broker.call("registry.sessions.create", { userId: user.id })) as {
          token: string;
          csrfToken: string;
        };
        res.setHeader(
          "Set-Cookie",
          sessionCookie(
            sessionCookieName(config.publicUrl),
            s.token,
            Math.floor(config.session.maxMs / 1000),
            secureRequest(req, config.trustProxy, config.publicUrl),
          ),
        );
        sessionAnswer(res, user, s.csrfToken);
      }),
      "GET /": guarded(async (req, res) => {
        const s = await session(req);
        sessionAnswer(res, s.user, s.csrfToken);
      }),
      // The signed-in user's own settings (the dashboard's language and colour scheme). Any role may
      // change its own; it needs the session's CSRF token like every change made with a cookie.
      "PATCH /": guarded(async (req, res) => {
        const s = await session(req);
        if (!csrfOk(req.method, req.headers[CSRF_HEADER], s.csrfToken))
          throw new MoleculerClientError("missing or wrong X-CSRF-Token header", 403, "CSRF");
        const { locale, theme } = req.$params as { locale?: unknown; theme?: unknown };
        if (locale === undefined && theme === undefined) invalid("locale", "locale or theme is required");
        if (locale !== undefined && locale !== null && !isLocale(locale))
          invalid("locale", `locale must be one of ${LOCALES.join(", ")}, or null to follow the browser`);
        if (theme !== undefined && !isTheme(theme)) invalid("theme", `theme must be one of ${THEMES.join(", ")}`);
        const { broker } = req.$service;
        const user = { ...s.user };
        if (locale !== undefined) {
          await broker.call("registry.users.setLocale", { userId: s.user.id, locale });
          user.locale = locale;
        }
        if (theme !== undefined) {
          await broker.call("registry.users.setTheme", { userId: s.user.id, theme });
          user.theme = theme;
        }
        auth.forgetSession(s.token);
        sessionAnswer(res, user, s.csrfToken);
      }),
      "DELETE /": guarded(async (req, res) => {
        const token = readCookie(req.headers.cookie, sessionCookieName(config.publicUrl));
        if (token) {
          auth.forgetSession(token);
          await req.$service.broker.call("registry.sessions.remove", { token });
        }
        res.setHeader(
          "Set-Cookie",
          clearedCookie(sessionCookieName(config.publicUrl), secureRequest(req, config.trustProxy, config.publicUrl)),
        );
        res.statusCode = 204;
        res.end();
      }),
    },
  };
}
