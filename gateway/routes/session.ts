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
  relyingParty,
  secureRequest,
  sessionCookieName,
  sessionCookie,
} from "../session.ts";
import { guarded, type GatewayRoute, type Req } from "./route.ts";
import { credentialProblem } from "../webauthn-shape.ts";

const { MoleculerClientError } = Errors;

export type Session = { user: AuthUser; csrfToken: string };

function invalid(field: string, message: string): never {
  throw new MoleculerClientError(message, 422, "VALIDATION_ERROR", [{ field, message }]);
}

/** The session of this request's cookie, or a 401 (the session and account routes). */
export async function cookieSession(req: Req, config: Config): Promise<Session & { token: string }> {
  const token = readCookie(req.headers.cookie, sessionCookieName(config.publicUrl));
  const s = token ? ((await req.$service.broker.call("registry.sessions.get", { token })) as Session | null) : null;
  if (!s) unauthorized("not logged in");
  return { ...s, token: token! };
}

export function sessionRoute(config: Config, auth: GatewayAuth): GatewayRoute {
  /** What the dashboard learns of its session: who, the CSRF token, and the languages to choose from. */
  function sessionAnswer(res: ServerResponse, user: AuthUser, csrfToken: string): void {
    res.setHeader("Cache-Control", "no-store");
    sendJson(res, 200, {
      user: {
        username: user.username,
        role: user.role,
        locale: user.locale ?? null,
        theme: user.theme ?? "system",
        ...(user.enrolRequired ? { enrolRequired: true } : {}),
      },
      csrfToken,
      defaultLocale: config.defaultLocale,
    });
  }

  const session = (req: Req) => cookieSession(req, config);

  /**
   * Opens the session: the cookie, and the answer the dashboard starts from. `user` is
   * registry.authenticate's (enrolRequired included) or, after a second factor, a user who has one.
   */
  async function openSession(req: Req, res: ServerResponse, user: AuthUser): Promise<void> {
    const { broker } = req.$service;
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
        summary:
          "log in: sets the session cookie, answers {user, csrfToken}; for a user with a second factor answers {secondFactor: {token, methods, passkey}} instead",
        body: { username: { type: "string", min: 1, max: 1024 }, password: { type: "string", min: 1, max: 1024 } },
      },
      "POST /second-factor": {
        summary:
          "a sign-in's second step: the token POST / answered with, and a TOTP code, a recovery code or a passkey's credential; sets the session cookie",
        body: {
          username: { type: "string", min: 1, max: 150 },
          token: { type: "string", min: 20, max: 200 },
          code: { type: "string", max: 64, optional: true },
          recoveryCode: { type: "string", max: 64, optional: true },
          passkey: { type: "object", optional: true },
        },
        status: 200,
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
          await auth.signInFailed(call, who, ip, "session");
          unauthorized("wrong username or password");
        }
        if (user.secondFactor) {
          // The password was right; the sign-in waits for its second factor. Failed sign-ins are
          // not cleared yet: wrong codes count against the same limits as wrong passwords.
          const challenge = await broker.call("registry.factors.signinStart", {
            userId: user.id,
            rp: relyingParty(req, config.trustProxy, config.publicUrl),
          });
          res.setHeader("Cache-Control", "no-store");
          sendJson(res, 200, { secondFactor: challenge });
          return;
        }
        await auth.signInSucceeded(call, who, { ip, method: "password" });
        await openSession(req, res, user);
      }),
      // The second step: a code from the authenticator app, a recovery code or a passkey's
      // signature, for the challenge the first step answered.
      "POST /second-factor": guarded(async (req, res) => {
        const { username, token, code, recoveryCode, passkey } = req.$params as Record<string, unknown>;
        if (typeof username !== "string" || username === "" || username.length > 150)
          invalid("username", "username is required");
        if (typeof token !== "string" || !/^[A-Za-z0-9_-]{20,200}$/.test(token))
          invalid("token", "token is required: sign in with the password first");
        const answers = [code, recoveryCode, passkey].filter((v) => v !== undefined);
        if (answers.length !== 1) invalid("code", "one of code, recoveryCode or passkey is required");
        for (const [field, v] of [
          ["code", code],
          ["recoveryCode", recoveryCode],
        ] as const)
          if (v !== undefined && (typeof v !== "string" || v.length > 64)) invalid(field, `${field} must be a string`);
        const bad = passkey === undefined ? null : credentialProblem(passkey, "passkey", "get");
        if (bad)
          invalid(bad, `${bad} is not part of a passkey's answer as the browser gives it (id and rawId the same id)`);
        const ip = clientIp(req, config.trustProxy);
        const { broker } = req.$service;
        const call: Call = (action, params) => broker.call(action, params);
        const who = username as string;
        await auth.refuseLockedOut(call, who, ip);
        const r = (await broker.call("registry.factors.signinFinish", {
          token,
          username: who,
          ...(code !== undefined ? { code } : {}),
          ...(recoveryCode !== undefined ? { recoveryCode } : {}),
          ...(passkey !== undefined ? { passkey } : {}),
          rp: relyingParty(req, config.trustProxy, config.publicUrl),
        })) as { user: AuthUser | null; left: number; reason: "expired" | "username" | "wrong" | null };
        if (!r.user) {
          await auth.signInFailed(call, who, ip, "session");
          if (r.reason === "username") unauthorized("username is not the one this sign-in was started for");
          if (r.left > 0) {
            const [field, what] =
              passkey !== undefined
                ? ["passkey", "passkey"]
                : recoveryCode !== undefined
                  ? ["recoveryCode", "or used recovery code"]
                  : ["code", "or already used code"];
            // 401, naming the field that was wrong (the dashboard says it under that field).
            throw new MoleculerClientError(
              `wrong ${what} (${r.left} ${r.left === 1 ? "try" : "tries"} left)`,
              401,
              "UNAUTHORIZED",
              { field },
            );
          }
          unauthorized("this sign-in has expired or had too many wrong answers: enter the password again");
        }
        await auth.signInSucceeded(call, who, {
          ip,
          method: passkey !== undefined ? "passkey" : recoveryCode !== undefined ? "recovery" : "totp",
        });
        await openSession(req, res, r.user!);
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
