// /api/v1/account: the signed-in person's own second factors. Only the session cookie opens it
// (not basic auth, not API keys: a script must not enrol a factor for a person), every change
// needs the session's CSRF token, and adding or removing a factor needs the password again
// (re-authentication, counted against the sign-in limits like any password).

import type { ServerResponse } from "node:http";
import { Errors } from "moleculer";
import type { Config } from "../../core/config.ts";
import { type AuthUser, type Call, type GatewayAuth } from "../auth.ts";
import { clientIp, refuseNonUtf8, sendJson } from "../http.ts";
import { csrfOk, CSRF_HEADER, relyingParty } from "../session.ts";
import { cookieSession } from "./session.ts";
import { credentialProblem } from "../webauthn-shape.ts";
import { guarded, type GatewayRoute, type Req } from "./route.ts";

const { MoleculerClientError } = Errors;

function invalid(field: string, message: string): never {
  throw new MoleculerClientError(message, 422, "VALIDATION_ERROR", [{ field, message }]);
}

const str = (v: unknown, field: string, max: number, optional = false): string | undefined => {
  if (v === undefined && optional) return undefined;
  if (typeof v !== "string" || v === "" || v.length > max) invalid(field, `${field} is required`);
  return v as string;
};

/** The body of every change that needs the password again. */
const PASSWORD = { password: { type: "string", min: 1, max: 1024 } };

export function accountRoute(config: Config, auth: GatewayAuth): GatewayRoute {
  /** The session's user, for a change: the CSRF token checked. */
  async function changer(req: Req): Promise<AuthUser> {
    const s = await cookieSession(req, config);
    if (!csrfOk(req.method, req.headers[CSRF_HEADER], s.csrfToken))
      throw new MoleculerClientError("missing or wrong X-CSRF-Token header", 403, "CSRF");
    return s.user;
  }

  /** The password again, before a factor is added or removed: a session left open is not enough. */
  async function reauthenticated(req: Req): Promise<AuthUser> {
    const user = await changer(req);
    const password = str((req.$params as { password?: unknown }).password, "password", 1024);
    const ip = clientIp(req, config.trustProxy);
    const { broker } = req.$service;
    const call: Call = (action, params) => broker.call(action, params);
    await auth.refuseLockedOut(call, user.username, ip);
    const ok = (await broker.call("registry.authenticate", { username: user.username, password })) as AuthUser | null;
    if (!ok) {
      await auth.signInFailed(call, user.username, ip, "reauth");
      throw new MoleculerClientError("wrong password", 422, "VALIDATION_ERROR", [
        { field: "password", message: "wrong password" },
      ]);
    }
    return user;
  }

  /** A registry call on the user's behalf: the audit log records who and from where. */
  const callAs = (req: Req, user: AuthUser, action: string, params: Record<string, unknown>) =>
    req.$service.broker.call(action, params, { meta: { user, ip: clientIp(req, config.trustProxy) } });

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.setHeader("Cache-Control", "no-store");
    sendJson(res, status, body);
  };
  const rp = (req: Req) => relyingParty(req, config.trustProxy, config.publicUrl);

  return {
    name: "account",
    path: "/api/v1/account",
    authentication: false,
    bodyParsers: {
      json: { limit: Math.min(65_536, config.requestBodyLimit), strict: true, verify: refuseNonUtf8 },
      urlencoded: false,
    },
    mappingPolicy: "restrict",
    docs: {
      "GET /factors": { summary: "the signed-in user's second factors and how many recovery codes are left" },
      "POST /factors/totp": {
        summary: "starts adding an authenticator app (password again): {secret, uri, qrSvg}",
        body: { ...PASSWORD, name: { type: "string", max: 100, optional: true } },
      },
      "POST /factors/totp/confirm": {
        summary: "confirms the app with its current code; a first factor answers {recoveryCodes} (shown once)",
        body: { code: { type: "string", min: 1, max: 64 } },
      },
      "POST /factors/passkey/options": {
        summary: "starts adding a passkey (password again): {token, options} for navigator.credentials.create",
        body: PASSWORD,
      },
      "POST /factors/passkey": {
        summary: "keeps the new passkey the browser made; a first factor answers {recoveryCodes} (shown once)",
        body: {
          token: { type: "string", min: 20, max: 200 },
          name: { type: "string", max: 100, optional: true },
          response: { type: "object" },
        },
      },
      "DELETE /factors/:id": {
        summary: "removes a factor (password again) and ends every session of the user",
        body: PASSWORD,
        status: 204,
      },
      "POST /recovery-codes": {
        summary: "ten new recovery codes replace the old ones (password again); shown once",
        body: PASSWORD,
        status: 200,
      },
    },
    aliases: {
      "GET /factors": guarded(async (req, res) => {
        const { user } = await cookieSession(req, config);
        answer(res, 200, await req.$service.broker.call("registry.factors.list", { userId: user.id }));
      }),
      "POST /factors/totp": guarded(async (req, res) => {
        const user = await reauthenticated(req);
        const name = str((req.$params as { name?: unknown }).name, "name", 100, true);
        answer(
          res,
          200,
          await req.$service.broker.call("registry.factors.totpStart", {
            userId: user.id,
            username: user.username,
            issuer: "Heartbeats",
            ...(name ? { name } : {}),
          }),
        );
      }),
      "POST /factors/totp/confirm": guarded(async (req, res) => {
        const user = await changer(req);
        const code = str((req.$params as { code?: unknown }).code, "code", 64);
        const made = await callAs(req, user, "registry.factors.totpConfirm", { userId: user.id, code });
        // The user's password alone no longer opens the API: not even from this gateway's cache.
        auth.forgetUsers();
        answer(res, 200, made);
      }),
      "POST /factors/passkey/options": guarded(async (req, res) => {
        const user = await reauthenticated(req);
        answer(
          res,
          200,
          await req.$service.broker.call("registry.factors.passkeyOptions", {
            userId: user.id,
            username: user.username,
            rp: rp(req),
          }),
        );
      }),
      "POST /factors/passkey": guarded(async (req, res) => {
        const user = await changer(req);
        const { token, name, response } = req.$params as Record<string, unknown>;
        str(token, "token", 200);
        str(name, "name", 100, true);
        const bad = credentialProblem(response, "response", "create");
        if (bad) invalid(bad, `${bad} is not part of a new passkey as the browser gives it (id and rawId the same id)`);
        const made = await callAs(req, user, "registry.factors.passkeyAdd", {
          userId: user.id,
          token,
          response,
          rp: rp(req),
          ...(name ? { name } : {}),
        });
        auth.forgetUsers();
        answer(res, 200, made);
      }),
      "DELETE /factors/:id": guarded(async (req, res) => {
        const user = await reauthenticated(req);
        const id = Number((req.$params as { id?: unknown }).id);
        if (!Number.isSafeInteger(id) || id <= 0) invalid("id", "id must be a factor's id");
        await callAs(req, user, "registry.factors.remove", { userId: user.id, id });
        auth.forgetUsers();
        res.statusCode = 204;
        res.end();
      }),
      "POST /recovery-codes": guarded(async (req, res) => {
        const user = await reauthenticated(req);
        answer(res, 200, await callAs(req, user, "registry.factors.recoveryCodes", { userId: user.id }));
      }),
    },
  };
}
