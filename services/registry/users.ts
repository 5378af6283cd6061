// The registry's users and dashboard sessions: users CRUD for admins (the dashboard's users page),
// the session rows behind the gateway's login cookie, credential checks, and the first admin from
// ADMIN_USERNAME at start. The rules and the SQL are core/db/users.ts and core/db/sessions.ts.

import { Errors, type Context, type Logger } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import {
  checkCredentials,
  countAdmins,
  countUsers,
  createUser,
  deleteUser,
  findUser,
  listUsers,
  reportSettingsOf,
  setLocale,
  setTheme,
  setPassword,
  setReportSettings,
  setRole,
  UserInputError,
  type ReportSettings,
} from "../../core/db/users.ts";
import type { Locale } from "../../core/alerts/locale.ts";
import type { Theme } from "../../core/people/theme.ts";
import {
  createSession,
  deleteSessionsOf,
  endSessionsOfToken,
  liveSessions,
  sessionUser,
} from "../../core/db/sessions.ts";
import { usersWithFactors } from "../../core/db/factors.ts";
import { readSettings } from "../../core/db/settings.ts";
import { clearSigninFailures, recordSigninFailure, signinRefusal } from "../../core/db/signin-attempts.ts";

const { MoleculerClientError, ValidationError } = Errors;

type UserChange = { username: string; password?: string; role?: string; email?: string | null; weeklyReport?: boolean };

/** A user's weekly report settings as the API shows them. */
function reportView(s: ReportSettings | undefined) {
  return {
    email: s?.email ?? null,
    weeklyReport: s?.weeklyReport ?? false,
    weeklyReportSentAt: s?.weeklyReportSentAt ? new Date(s.weeklyReportSentAt).toISOString() : null,
  };
}

/** The core's user rules speak UserInputError: the API says 422 naming the field (404 for a missing user). */
async function asApiError<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof UserInputError)) throw err;
    if (/^no user/.test(err.message))
      throw new MoleculerClientError(err.message, 404, "NOT_FOUND", { field: err.field });
    throw new ValidationError(err.message, "VALIDATION_ERROR", [
      { type: "invalid", field: err.field, message: err.message },
    ]);
  }
}

function lastAdmin(): never {
  throw new MoleculerClientError("this is the last admin: make another user admin first", 409, "CONFLICT", {
    field: "username",
  });
}

function noUser(username: string): never {
  throw new MoleculerClientError(`no user "${username}"`, 404, "NOT_FOUND", { field: "username" });
}

export function usersArea({ config, db, clock }: ServiceDeps) {
  return {
    async list() {
      const users = await listUsers(db);
      const reports = await reportSettingsOf(db);
      return {
        total: users.length,
        items: users.map((u) => ({
          username: u.username,
          role: u.role,
          ...reportView(reports.get(u.id)),
          createdAt: new Date(u.createdAt).toISOString(),
        })),
      };
    },

    async create(ctx: Context<{ username: string; password: string; role: string }>) {
      const u = await asApiError(() =>
        createUser(db, ctx.params.username, ctx.params.password, ctx.params.role, clock.now()),
      );
      Object.assign(ctx.meta, { $statusCode: 201 });
      return { username: u.username, role: u.role };
    },

    async update(ctx: Context<UserChange>) {
      const p = ctx.params;
      const u = (await findUser(db, p.username)) ?? noUser(p.username);
      if (p.role && p.role !== "admin" && u.role === "admin" && (await countAdmins(db)) <= 1) lastAdmin();
      if (p.email !== undefined || p.weeklyReport !== undefined) {
        await asApiError(() =>
          setReportSettings(db, u.id, { email: p.email, weeklyReport: p.weeklyReport }, clock.now()),
        );
      }
      if (p.password !== undefined) {
        await asApiError(() => setPassword(db, p.username, p.password!, clock.now()));
        await deleteSessionsOf(db, u.id);
      }
      if (p.role && p.role !== u.role) {
        await asApiError(() => setRole(db, p.username, p.role!, clock.now()));
        // What the sessions may do changed: they end, and open event streams with them.
        await deleteSessionsOf(db, u.id);
      }
      const after = (await findUser(db, p.username))!;
      return { username: after.username, role: after.role, ...reportView((await reportSettingsOf(db)).get(u.id)) };
    },

    async remove(ctx: Context<{ username: string }>) {
      const u = (await findUser(db, ctx.params.username)) ?? noUser(ctx.params.username);
      if (u.role === "admin" && (await countAdmins(db)) <= 1) lastAdmin();
      await deleteSessionsOf(db, u.id);
      await asApiError(() => deleteUser(db, u.username));
      return { username: u.username, deleted: true };
    },

    async setLocale(ctx: Context<{ userId: number; locale: Locale | null }>) {
      await asApiError(() => setLocale(db, ctx.params.userId, ctx.params.locale, clock.now()));
      return { locale: ctx.params.locale };
    },

    async setTheme(ctx: Context<{ userId: number; theme: Theme }>) {
      await asApiError(() => setTheme(db, ctx.params.userId, ctx.params.theme, clock.now()));
      return { theme: ctx.params.theme };
    },

    /**
     * The user, whether they have a second factor (then their password alone opens no session and
     * no API), and whether they must add one first (an admin while admins must have one).
     */
    async authenticate(ctx: Context<{ username: string; password: string }>) {
      const user = await checkCredentials(db, ctx.params.username, ctx.params.password);
      if (!user) return null;
      const secondFactor = (await usersWithFactors(db, [user.id])).has(user.id);
      const enrolRequired = user.role === "admin" && !secondFactor && (await readSettings(db)).requireAdminSecondFactor;
      return { ...user, secondFactor, ...(enrolRequired ? { enrolRequired: true } : {}) };
    },

    signinRefused(ctx: Context<{ user?: string; ip?: string }>) {
      return signinRefusal(db, ctx.params.user ?? null, ctx.params.ip ?? null, clock.now());
    },

    signinFailed(ctx: Context<{ user?: string; ip?: string }>) {
      return recordSigninFailure(db, ctx.params.user ?? null, ctx.params.ip ?? null, clock.now(), config.signIn);
    },

    async signinSucceeded(ctx: Context<{ user: string }>) {
      await clearSigninFailures(db, ctx.params.user);
      return null;
    },

    openSession(ctx: Context<{ userId: number }>) {
      return createSession(db, ctx.params.userId, clock.now(), config.session.maxMs);
    },

    session(ctx: Context<{ token: string }>) {
      return sessionUser(db, ctx.params.token, clock.now(), config.session.idleMs);
    },

    alive(ctx: Context<{ tokens: string[] }>) {
      return liveSessions(db, ctx.params.tokens, clock.now(), config.session.idleMs);
    },

    async endSession(ctx: Context<{ token: string }>) {
      await endSessionsOfToken(db, ctx.params.token);
      return { ended: true };
    },

    /** The original tool's createsuperuser, for containers: the first admin from the environment. */
    async start(logger: Logger) {
      if (!config.admin || (await countUsers(db)) !== 0) return;
      try {
        await createUser(db, config.admin.username, config.admin.password, "admin", clock.now());
        logger.info(`created admin user "${config.admin.username}" from ADMIN_USERNAME`);
      } catch (err) {
        // Another registry replica starting at the same moment created it first.
        if ((await countUsers(db)) === 0) throw err;
      }
    },
  };
}
