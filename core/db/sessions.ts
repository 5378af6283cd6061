// Dashboard sessions: the cookie holds a random token, the table only its SHA-256, so a leaked
// database does not log anyone in. Each session has its own CSRF token for state changes. A
// session ends after `idleMs` unused (last_seen_at, migration 020) or `maxMs` after sign-in
// (expires_at), whichever comes first; logout, a password or role change, removing the user
// end every session of that user (deleteSessionsOf).

import { createHash, randomBytes } from "node:crypto";
import { Op } from "sequelize";
import type { Database } from "./connect.ts";
import type { User } from "./users.ts";
import type { Role } from "../security/password.ts";
import { storedLocale } from "../alerts/locale.ts";
import { storedTheme } from "../people/theme.ts";

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface Session {
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export async function createSession(db: Database, userId: number, now: number, maxMs: number): Promise<Session> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = now + maxMs;
  await db.write(async (t) => {
    // Expired sessions are cleared as new ones are made: no sweeper needed.
    await db.models.Session.destroy({ where: { expires_at: { [Op.lte]: now } }, transaction: t });
    await db.models.Session.create(
      {
        token_hash: hash(token),
        user_id: userId,
        csrf_token: csrfToken,
        created_at: now,
        expires_at: expiresAt,
        last_seen_at: now,
      },
      { transaction: t },
    );
  });
  return { token, csrfToken, expiresAt };
}

// Raw SQL: one join on every dashboard request; through the models it would take associations and a nested row.
/** Neither past its absolute end nor unused for `idleMs`: the SQL of a live session (alias s). */
const LIVE = "s.expires_at > ? AND COALESCE(s.last_seen_at, s.created_at) > ?";

/**
 * Whether the user has a second factor, and whether admins must (migration 021): an admin
 * without one while it is required gets only the enrolment pages.
 */
const ENROLMENT =
  "(SELECT COUNT(*) FROM user_factors f WHERE f.user_id = u.id AND f.confirmed = 1) AS factors, (SELECT value FROM settings WHERE name = 'requireAdminSecondFactor') AS require_admin";

/**
 * The session's user as the users table has it now, or null; a use of the session counts as
 * activity. Its time is written at most every quarter of the idle time (and at most once a
 * minute), not at every request.
 */
export async function sessionUser(
  db: Database,
  token: string,
  now: number,
  idleMs: number,
): Promise<{ user: User & { enrolRequired?: true }; csrfToken: string } | null> {
  const [r] = await db.select<{
    id: number;
    username: string;
    role: Role;
    locale: string | null;
    theme: string | null;
    csrf_token: string;
    seen: number | string;
    factors: number | string;
    require_admin: string | null;
  }>(
    `SELECT u.id, u.username, u.role, u.locale, u.theme, s.csrf_token, COALESCE(s.last_seen_at, s.created_at) AS seen, ${ENROLMENT} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND ${LIVE}`,
    [hash(token), now, now - idleMs],
  );
  if (r && now - Number(r.seen) >= Math.min(60_000, idleMs / 4))
    await db.write((t) =>
      db.change("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", [now, hash(token)], t),
    );
  return r
    ? {
        user: {
          id: Number(r.id),
          username: r.username,
          role: r.role,
          locale: storedLocale(r.locale),
          theme: storedTheme(r.theme),
          ...(r.role === "admin" && Number(r.factors) === 0 && r.require_admin === "true"
            ? { enrolRequired: true }
            : {}),
        },
        csrfToken: r.csrf_token,
      }
    : null;
}

/** Which of these session tokens are still live (without counting as a use): open event streams ask every moment. */
export async function liveSessions(db: Database, tokens: string[], now: number, idleMs: number): Promise<string[]> {
  if (!tokens.length) return [];
  const byHash = new Map(tokens.map((t) => [hash(t), t]));
  const rows = await db.select<{ token_hash: string }>(
    `SELECT s.token_hash FROM sessions s WHERE s.token_hash IN (${tokens.map(() => "?").join(", ")}) AND ${LIVE}`,
    [...byHash.keys(), now, now - idleMs],
  );
  return rows.map((r) => byHash.get(r.token_hash)!).filter(Boolean);
}

/** Logout: ends every session of the session's user, on every device (a stolen cookie dies with it). */
export async function endSessionsOfToken(db: Database, token: string): Promise<void> {
  await db.write(async (t) => {
    const [r] = await db.select<{ user_id: number }>(
      "SELECT user_id FROM sessions WHERE token_hash = ?",
      [hash(token)],
      t,
    );
    if (r) await db.models.Session.destroy({ where: { user_id: Number(r.user_id) }, transaction: t });
  });
}

/** A password or role change, a removed factor or a deleted user ends every session of that user. */
export async function deleteSessionsOf(db: Database, userId: number): Promise<void> {
  await db.write((t) => db.models.Session.destroy({ where: { user_id: userId }, transaction: t }));
}
