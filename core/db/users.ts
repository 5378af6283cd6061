// Users in the database: shared by the registry service and the `npm run user` command.

import type { Database } from "./connect.ts";
import { plainRows } from "./models.ts";
import { hashPassword, needsRehash, verifyPassword, ROLES, USERNAME_PATTERN, type Role } from "../security/password.ts";
import { storedLocale, type Locale } from "../alerts/locale.ts";
import { storedTheme, themeColumn, type Theme } from "../people/theme.ts";

export interface User {
  id: number;
  username: string;
  role: Role;
  /** the dashboard's language; null: the browser's */
  locale: Locale | null;
  /** the dashboard's colour scheme; "system": the browser's */
  theme: Theme;
}

export class UserInputError extends Error {
  override name = "UserInputError";
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export const MIN_PASSWORD_LENGTH = 8;

function checkUsername(username: string): void {
  if (!USERNAME_PATTERN.test(username)) {
    throw new UserInputError("username", "username must be 1-150 letters, digits or . _ @ + -");
  }
}
function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > 1024) {
    throw new UserInputError("password", `password must be ${MIN_PASSWORD_LENGTH} to 1024 characters`);
  }
}
function checkRole(role: string): asserts role is Role {
  if (!ROLES.includes(role as Role)) throw new UserInputError("role", `role must be one of ${ROLES.join(", ")}`);
}

const toUser = (r: { id: unknown; username: unknown; role: unknown; locale?: unknown; theme?: unknown }): User => ({
  id: Number(r.id),
  username: String(r.username),
  role: r.role as Role,
  locale: storedLocale(r.locale),
  theme: storedTheme(r.theme),
});

export async function createUser(
  db: Database,
  username: string,
  password: string,
  role: string,
  now = Date.now(),
): Promise<User> {
  checkUsername(username);
  checkPassword(password);
  checkRole(role);
  if (await findUser(db, username)) throw new UserInputError("username", `user "${username}" already exists`);
  const password_hash = await hashPassword(password);
  const row = await db.write((t) =>
    db.models.User.create({ username, password_hash, role, created_at: now, updated_at: now }, { transaction: t }),
  );
  return toUser(row.get());
}

export async function findUser(db: Database, username: string): Promise<User | null> {
  const row = await db.models.User.findOne({ where: { username } });
  return row ? toUser(row.get()) : null;
}

export async function listUsers(db: Database): Promise<(User & { createdAt: number })[]> {
  return (await db.models.User.findAll({ order: [["username", "ASC"]] })).map((r) => ({
    ...toUser(r.get()),
    createdAt: Number(r.get().created_at),
  }));
}

/** How many admins there are: the last one may not be removed or demoted, or nobody could manage the server. */
export async function countAdmins(db: Database): Promise<number> {
  return db.models.User.count({ where: { role: "admin" } });
}

export async function setPassword(db: Database, username: string, password: string, now = Date.now()): Promise<void> {
  checkPassword(password);
  const password_hash = await hashPassword(password);
  const [n] = await db.write((t) =>
    db.models.User.update({ password_hash, updated_at: now }, { where: { username }, transaction: t }),
  );
  if (n === 0) throw new UserInputError("username", `no user "${username}"`);
}

export async function setRole(db: Database, username: string, role: string, now = Date.now()): Promise<void> {
  checkRole(role);
  const [n] = await db.write((t) =>
    db.models.User.update({ role, updated_at: now }, { where: { username }, transaction: t }),
  );
  if (n === 0) throw new UserInputError("username", `no user "${username}"`);
}

/** A user's own language choice (null: follow the browser). The caller has validated it. */
export async function setLocale(db: Database, userId: number, locale: Locale | null, now = Date.now()): Promise<void> {
  await setOwn(db, userId, { locale }, now);
}

/** A user's own colour scheme choice. The caller has validated it. */
export async function setTheme(db: Database, userId: number, theme: Theme, now = Date.now()): Promise<void> {
  await setOwn(db, userId, { theme: themeColumn(theme) }, now);
}

/** One of the signed-in user's own settings. */
async function setOwn(
  db: Database,
  userId: number,
  set: { locale: Locale | null } | { theme: "light" | "dark" | null },
  now: number,
): Promise<void> {
  const [n] = await db.write((t) =>
    db.models.User.update({ ...set, updated_at: now }, { where: { id: userId }, transaction: t }),
  );
  if (n === 0) throw new UserInputError("username", "no such user");
}

export async function deleteUser(db: Database, username: string): Promise<void> {
  const n = await db.write((t) => db.models.User.destroy({ where: { username }, transaction: t }));
  if (n === 0) throw new UserInputError("username", `no user "${username}"`);
}

export async function countUsers(db: Database): Promise<number> {
  return db.models.User.count();
}

/**
 * The user whose password matches, or null. Unknown users cost a hash too, so timing does not
 * tell them apart. A hash made at a lower cost than today's is replaced, now that the password
 * is known, unless it changed meanwhile.
 */
export async function checkCredentials(db: Database, username: string, password: string): Promise<User | null> {
  const row = await db.models.User.findOne({ where: { username } });
  if (!row) {
    await verifyPassword(password, DUMMY_HASH);
    return null;
  }
  const r = row.get();
  if (!(await verifyPassword(password, r.password_hash))) return null;
  if (needsRehash(r.password_hash)) {
    const password_hash = await hashPassword(password);
    await db.write((t) =>
      db.models.User.update(
        { password_hash },
        { where: { id: r.id, password_hash: r.password_hash }, transaction: t, silent: true },
      ),
    );
  }
  return toUser(r);
}

/** Costs what a real hash costs (today's parameters), and matches nothing. */
const DUMMY_HASH = "scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/** A user's weekly report settings (migration 011). */
export interface ReportSettings {
  email: string | null;
  weeklyReport: boolean;
  weeklyReportSentAt: number | null;
}

export async function reportSettingsOf(db: Database): Promise<Map<number, ReportSettings>> {
  const rows = await plainRows(db.models.User, {
    attributes: ["id", "email", "weekly_report", "weekly_report_sent_at"],
  });
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        email: r.email ?? null,
        weeklyReport: Boolean(Number(r.weekly_report)),
        weeklyReportSentAt: r.weekly_report_sent_at === null ? null : Number(r.weekly_report_sent_at),
      },
    ]),
  );
}

/**
 * Changes a user's e-mail address and/or weekly report opt-in. A report needs an address; turning
 * it on starts from now (the first report covers a week that ends after the opt-in).
 */
export async function setReportSettings(
  db: Database,
  userId: number,
  change: { email?: string | null; weeklyReport?: boolean },
  now = Date.now(),
): Promise<void> {
  const current = (await reportSettingsOf(db)).get(userId);
  if (!current) throw new UserInputError("username", "no such user");
  const email = change.email === undefined ? current.email : change.email;
  const weeklyReport = change.weeklyReport ?? current.weeklyReport;
  if (weeklyReport && !email)
    throw new UserInputError(change.weeklyReport ? "weeklyReport" : "email", "a weekly report needs an e-mail address");
  const since = weeklyReport && !current.weeklyReport ? now : undefined;
  await db.write((t) =>
    db.models.User.update(
      {
        email,
        weekly_report: weeklyReport,
        ...(since === undefined ? {} : { weekly_report_since: since }),
        updated_at: now,
      },
      { where: { id: userId }, transaction: t },
    ),
  );
}
