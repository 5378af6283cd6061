// The registry's users and dashboard sessions: users CRUD for admins (the dashboard's users
// page) and the session rows behind the gateway's login cookie. Mixed into the registry, so
// the actions are registry.users.* and registry.sessions.*.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { countAdmins, createUser, deleteUser, findUser, listUsers, reportSettingsOf, setLocale, setPassword, setReportSettings, setRole, UserInputError, type ReportSettings } from "../core/db/users.ts";
import { LOCALES, type Locale } from "../core/alerts/locale.ts";
import { createSession, deleteSession, deleteSessionsOf, sessionUser } from "../core/db/sessions.ts";
import { ROLES } from "../core/security/password.ts";

const { MoleculerClientError, ValidationError } = Errors;

const username = { type: "string", min: 1, max: 150 };
const password = { type: "string", min: 1, max: 1024 };
const role = { type: "enum", values: [...ROLES] };
const token = { type: "string", min: 20, max: 200 };
const email = { type: "email", optional: true, nullable: true, max: 254 };
const weeklyReport = { type: "boolean", optional: true };

/** A user's weekly report settings as the API shows them. */
function reportView(s: ReportSettings | undefined) {
  return { email: s?.email ?? null, weeklyReport: s?.weeklyReport ?? false, weeklyReportSentAt: s?.weeklyReportSentAt ? new Date(s.weeklyReportSentAt).toISOString() : null };
}

/** The core's user rules speak UserInputError: the API says 422 naming the field (404 for a missing user). */
async function asApiError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    if (/^no user/.test(err.message)) throw new MoleculerClientError(err.message, 404, "NOT_FOUND", { field: err.field });
    throw new ValidationError(err.message, "VALIDATION_ERROR", [{ type: "invalid", field: err.field, message: err.message }]);
  }
}

function lastAdmin(): never {
  throw new MoleculerClientError("this is the last admin: make another user admin first", 409, "CONFLICT", { field: "username" });
}

export function registryUsers({ db, clock }: ServiceDeps): Partial<ServiceSchema> {
  return {
    actions: {
      /** Lists users (admins only: the gateway's route says so). */
      "users.list": {
        async handler() {
          const users = await listUsers(db);
          const reports = await reportSettingsOf(db);
          return { total: users.length, items: users.map((u) => ({ username: u.username, role: u.role, ...reportView(reports.get(u.id)), createdAt: new Date(u.createdAt).toISOString() })) };
        },
      },

      /** Creates a user with a role. */
      "users.create": {
        params: { username, password, role },
        async handler(ctx: Context<{ username: string; password: string; role: string }>) {
          const u = await asApiError(() => createUser(db, ctx.params.username, ctx.params.password, ctx.params.role, clock.now()));
          Object.assign(ctx.meta, { $statusCode: 201 });
          return { username: u.username, role: u.role };
        },
      },

      /** Changes a user's role, password, e-mail address or weekly report opt-in; a new password ends the user's sessions. */
      "users.update": {
        params: { username, password: { ...password, optional: true }, role: { ...role, optional: true }, email, weeklyReport },
        async handler(ctx: Context<{ username: string; password?: string; role?: string; email?: string | null; weeklyReport?: boolean }>) {
          const p = ctx.params;
          const u = await findUser(db, p.username);
          if (!u) throw new MoleculerClientError(`no user "${p.username}"`, 404, "NOT_FOUND", { field: "username" });
          if (p.role && p.role !== "admin" && u.role === "admin" && (await countAdmins(db)) <= 1) lastAdmin();
          if (p.email !== undefined || p.weeklyReport !== undefined) {
            await asApiError(() => setReportSettings(db, u.id, { email: p.email, weeklyReport: p.weeklyReport }, clock.now()));
          }
          if (p.password !== undefined) {
            await asApiError(() => setPassword(db, p.username, p.password!, clock.now()));
            await deleteSessionsOf(db, u.id);
          }
          if (p.role) await asApiError(() => setRole(db, p.username, p.role!, clock.now()));
          const after = (await findUser(db, p.username))!;
          return { username: after.username, role: after.role, ...reportView((await reportSettingsOf(db)).get(u.id)) };
        },
      },

      /** Deletes a user and ends their sessions. */
      "users.remove": {
        params: { username },
        async handler(ctx: Context<{ username: string }>) {
          const u = await findUser(db, ctx.params.username);
          if (!u) throw new MoleculerClientError(`no user "${ctx.params.username}"`, 404, "NOT_FOUND", { field: "username" });
          if (u.role === "admin" && (await countAdmins(db)) <= 1) lastAdmin();
          await deleteSessionsOf(db, u.id);
          await asApiError(() => deleteUser(db, u.username));
          return { username: u.username, deleted: true };
        },
      },

      /** Sets a signed-in user's own dashboard language (the gateway's PATCH /api/v1/session; null: follow the browser). */
      "users.setLocale": {
        visibility: "public",
        params: { userId: { type: "number", integer: true, positive: true }, locale: { type: "enum", values: [...LOCALES], nullable: true } },
        async handler(ctx: Context<{ userId: number; locale: Locale | null }>) {
          await asApiError(() => setLocale(db, ctx.params.userId, ctx.params.locale, clock.now()));
          return { locale: ctx.params.locale };
        },
      },

      /** Opens a session for a user the gateway has just authenticated. */
      "sessions.create": {
        visibility: "public",
        params: { userId: { type: "number", integer: true, positive: true } },
        handler(ctx: Context<{ userId: number }>) {
          return createSession(db, ctx.params.userId, clock.now());
        },
      },

      /** The user and CSRF token of a session cookie's token, or null. */
      "sessions.get": {
        visibility: "public",
        params: { token },
        handler(ctx: Context<{ token: string }>) {
          return sessionUser(db, ctx.params.token, clock.now());
        },
      },

      /** Ends a session (logout). */
      "sessions.remove": {
        visibility: "public",
        params: { token },
        async handler(ctx: Context<{ token: string }>) {
          await deleteSession(db, ctx.params.token);
          return { ended: true };
        },
      },
    },
  };
}
