// Who is calling and what they may do: basic auth (verified credentials cached for 60 s), API
// keys (Bearer, X-Api-Key or as the basic-auth password; a verified key remembered 5 s), the
// dashboard's session cookie (re-read every few seconds), failed sign-ins limited per user and
// per address, and the role each route needs (accessOf, which the OpenAPI document states).

import type { IncomingMessage } from "node:http";
import { Errors, type Logger } from "moleculer";
import type { Config } from "../core/config.ts";
import type { Clock } from "../core/checker/clock.ts";
import { roleAllows, type Role } from "../core/security/password.ts";
import type { Locale } from "../core/alerts/locale.ts";
import type { Theme } from "../core/people/theme.ts";
import { looksLikeApiKey } from "../core/security/api-key.ts";
import { parseBasic, CredentialCache, type Credentials } from "./basic-auth.ts";
import type { LockoutStart, Refusal } from "../core/security/attempts.ts";
import { csrfOk, CSRF_HEADER, readCookie, sessionCookieName } from "./session.ts";
import { clientIp } from "./http.ts";

const { MoleculerClientError } = Errors;

export interface AuthUser {
  id: number;
  username: string;
  role: Role;
  /** the dashboard's language the user chose; null or absent: the browser's */
  locale?: Locale | null;
  /** the dashboard's colour scheme the user chose; absent: "system" */
  theme?: Theme;
  /** set when the caller is an API key */
  scope?: string;
  /** set by a password check (basic auth) of a user with a second factor: the password alone opens only pings */
  secondFactor?: boolean;
  /** set for an admin without a second factor while admins must have one: enrolment only (pings still work) */
  enrolRequired?: true;
}

/** The least role a route needs: on /api/v1 GET/HEAD need viewer, writes admin; pings need pinger. */
export type RouteNeed = "read-write" | "pinger";

/** How a sign-in was tried: the dashboard's form, basic auth, an API key, or the password again before a change. */
export type SigninVia = "session" | "basic" | "key" | "reauth";

/** A registry call: the request's context's, or the broker's. */
export type Call = (action: string, params: Record<string, unknown>) => Promise<unknown>;

/** API paths (as written in the aliases) that only admins may even read. */
const ADMIN_ONLY = /^\/?(channel|users|keys|settings|audit|hosts(\/:id)?$)/;
/** What no API key may touch, whatever its scope: people's accounts, the keys themselves, who must use a second factor, and the audit log. */
const PEOPLE_ONLY = /^\/?(users|keys|settings|audit)/;

/**
 * Who may call an alias: the least role (null: anyone, no login) and whether API keys may. The
 * gateway's authorize() enforces exactly this; the OpenAPI document states it.
 */
export function accessOf(
  route: { authentication?: boolean; need?: string },
  method: string,
  aliasPath: string,
): { role: Role | null; apiKeys: boolean } {
  if (route.authentication === false) return { role: null, apiKeys: true };
  if (route.need === "pinger") return { role: "pinger", apiKeys: true };
  // Channels hold delivery targets and tokens: reading them is for admins too.
  const adminOnly = ADMIN_ONLY.test(aliasPath);
  return {
    role: !adminOnly && (method === "GET" || method === "HEAD") ? "viewer" : "admin",
    apiKeys: !PEOPLE_ONLY.test(aliasPath),
  };
}

export function unauthorized(message: string): never {
  throw new MoleculerClientError(message, 401, "UNAUTHORIZED");
}

export function authorizeUser(user: AuthUser | null | undefined, need: Role): void {
  if (!user) unauthorized("credentials required (HTTP basic auth)");
  if (!roleAllows(user.role, need)) {
    throw new MoleculerClientError(`this needs the ${need} role; ${user.username} is ${user.role}`, 403, "FORBIDDEN");
  }
}

/** authorizeUser for an alias of a route, as accessOf says; API keys kept off people and keys. */
export function authorizeAlias(
  user: AuthUser | null | undefined,
  route: { need: RouteNeed },
  method: string,
  aliasPath: string,
): void {
  const access = accessOf(route, method, aliasPath);
  authorizeUser(user, access.role ?? "pinger");
  // Pings stay open to a person's password, as the original tool's curl -u line needs.
  if (access.role === "pinger") return;
  if (user?.secondFactor)
    unauthorized(
      `${user.username} signs in with a second factor, so the password alone opens only pings: scripts use an API key`,
    );
  if (user?.enrolRequired)
    throw new MoleculerClientError(
      "admins must sign in with a second factor: add one under Account before anything else",
      403,
      "SECOND_FACTOR_REQUIRED",
    );
  if (user?.scope && !access.apiKeys) {
    throw new MoleculerClientError("API keys cannot manage users or API keys: log in as an admin", 403, "FORBIDDEN");
  }
}

/** The gateway's callers: the caches of verified credentials, keys and sessions, and the sign-in limits. */
export class GatewayAuth {
  private readonly verified = new CredentialCache<AuthUser>(60_000);
  /**
   * Password checks under way, by credentials: a burst of requests with the same uncached
   * password (a job's first pings after a restart) waits for one scrypt hash, not one each.
   */
  private readonly verifying = new Map<string, Promise<AuthUser | null>>();
  private readonly keys = new Map<string, { user: AuthUser; expires: number }>();
  // Sessions are re-read every second, so a logout or a password or role change on any gateway
  // ends them here within a second.
  private readonly sessions = new Map<string, { user: AuthUser; csrfToken: string; expires: number }>();
  private readonly config: Config;
  private readonly clock: Clock;
  /** the gateway's logger, once it is created: lockouts are said there */
  logger: Logger | null = null;

  constructor(config: Config, clock: Clock) {
    this.config = config;
    this.clock = clock;
  }

  /**
   * A locked-out user or address is refused before any password is tried. The counts are the
   * registry's, in the database: every gateway counts against the same limits.
   */
  async refuseLockedOut(call: Call, username: string | null, ip: string | null): Promise<void> {
    const r = (await call("registry.signin.refused", present({ user: username, ip }))) as Refusal | null;
    if (!r) return;
    const retryAfter = Math.ceil(r.retryAfterMs / 1000);
    throw new MoleculerClientError(
      `too many failed sign-ins ${r.scope === "user" ? "for this user" : "from this address"}: try again in ${retryAfter} s`,
      429,
      "TOO_MANY_ATTEMPTS",
      { retryAfter },
    );
  }

  /** A failed sign-in, counted and (in the audit log) recorded with how it was tried. */
  async signInFailed(call: Call, username: string | null, ip: string | null, via: SigninVia): Promise<void> {
    const started = (await call("registry.signin.failed", {
      ...present({ user: username, ip }),
      via,
    })) as LockoutStart[];
    for (const l of started) {
      // JSON-quoted: a user name is the caller's text and must not forge log lines.
      const who =
        l.scope === "user"
          ? `user ${JSON.stringify(l.who)}${ip ? ` (last attempt from ${JSON.stringify(ip)})` : ""}`
          : `address ${JSON.stringify(l.who)}`;
      this.logger?.warn(
        `sign-in lockout: ${who} refused for ${this.config.signIn.lockMs / 1000} s after ${l.failures} failed attempts`,
      );
    }
  }

  /**
   * A right password (and second factor) clears the user's failures; a dashboard sign-in (with
   * its method) is recorded in the audit log, a job's basic auth is not (it would be every minute).
   */
  async signInSucceeded(
    call: Call,
    username: string,
    opened?: { ip: string | null; method: "password" | "totp" | "recovery" | "passkey" },
  ): Promise<void> {
    await call("registry.signin.succeeded", {
      user: username,
      ...(opened ? { ...present({ user: null, ip: opened.ip }), method: opened.method } : {}),
    });
  }

  /** A changed or deleted user must not keep working from this gateway's caches. */
  forgetUsers(): void {
    this.verified.clear();
    this.sessions.clear();
  }

  forgetSession(token: string): void {
    this.sessions.delete(token);
  }

  /** An API key, a session cookie or basic auth, in that order. */
  async user(call: Call, req: IncomingMessage): Promise<AuthUser> {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : null;
    const apiKey = bearer ?? (typeof req.headers["x-api-key"] === "string" ? req.headers["x-api-key"] : null);
    const ip = clientIp(req, this.config.trustProxy);
    if (apiKey !== null) return this.keyUser(call, apiKey, ip);
    const token = auth ? null : readCookie(req.headers.cookie, sessionCookieName(this.config.publicUrl));
    if (token) return this.sessionUser(call, token, req);
    const creds = parseBasic(auth);
    if (!creds) unauthorized("credentials required (HTTP basic auth)");
    // The common case first: a job's password verified within the last minute (keys never enter this cache).
    const now = this.clock.now();
    const cached = this.verified.get(creds, now);
    if (cached) return cached;
    // A key as the password lets the original curl -u line carry a key instead of a person's password.
    if (looksLikeApiKey(creds.password)) return this.keyUser(call, creds.password, ip);
    const key = this.verified.key(creds);
    let pending = this.verifying.get(key);
    if (!pending) {
      pending = this.checkPassword(call, creds, ip, now).finally(() => this.verifying.delete(key));
      this.verifying.set(key, pending);
    }
    const user = await pending;
    if (!user) unauthorized("wrong username or password");
    return user;
  }

  /** One password check: refused while locked out, counted when wrong, remembered for a minute when right. */
  private async checkPassword(
    call: Call,
    creds: Credentials,
    ip: string | null,
    now: number,
  ): Promise<AuthUser | null> {
    const username = creds.username.slice(0, 150);
    await this.refuseLockedOut(call, username, ip);
    // No user has such a name or password; refusing here keeps registry's validator out of it.
    const user =
      creds.username.length > 150 || creds.password.length > 1024
        ? null
        : ((await call("registry.authenticate", { ...creds })) as AuthUser | null);
    if (!user) {
      await this.signInFailed(call, username, ip, "basic");
      return null;
    }
    await this.signInSucceeded(call, username);
    this.verified.set(creds, user, now);
    return user;
  }

  /** An API key's caller: `Authorization: Bearer <key>`, `X-Api-Key`, or as the password of basic auth. */
  private async keyUser(call: Call, key: string, ip: string | null): Promise<AuthUser> {
    const now = this.clock.now();
    const cached = this.keys.get(key);
    if (cached && cached.expires > now) return cached.user;
    await this.refuseLockedOut(call, null, ip);
    const user = (await call("registry.keys.authenticate", { key })) as AuthUser | null;
    if (!user) {
      this.keys.delete(key);
      await this.signInFailed(call, null, ip, "key");
      unauthorized("unknown or revoked API key");
    }
    if (this.keys.size > 10_000) this.keys.clear();
    // Briefly: a revoked key stops working within seconds on every gateway.
    this.keys.set(key, { user, expires: now + 5_000 });
    return user;
  }

  /** A session cookie's user; changes made with a cookie must carry its CSRF token. */
  private async sessionUser(call: Call, token: string, req: IncomingMessage): Promise<AuthUser> {
    const now = this.clock.now();
    let s = this.sessions.get(token);
    if (!s || s.expires <= now) {
      const found = (await call("registry.sessions.get", { token })) as { user: AuthUser; csrfToken: string } | null;
      if (!found) {
        this.sessions.delete(token);
        unauthorized("your session has ended: log in again");
      }
      if (this.sessions.size > 10_000) this.sessions.clear();
      s = { ...found, expires: now + 1_000 };
      this.sessions.set(token, s);
    }
    if (!csrfOk(req.method, req.headers[CSRF_HEADER], s.csrfToken)) {
      throw new MoleculerClientError("missing or wrong X-CSRF-Token header", 403, "CSRF");
    }
    return s.user;
  }
}

/** The registry's sign-in parameters: what is unknown (null) is left out. */
function present(p: { user: string | null; ip: string | null }): Record<string, string> {
  const out: Record<string, string> = {};
  if (p.user !== null) out.user = p.user;
  if (p.ip !== null) out.ip = p.ip.slice(0, 191);
  return out;
}
