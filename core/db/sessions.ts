// Dashboard sessions: the cookie holds a random token, the table only its SHA-256, so a leaked
// database does not log anyone in. Each session has its own CSRF token for state changes.

import { createHash, randomBytes } from "node:crypto";
import { Op } from "sequelize";
import type { Database } from "./connect.ts";
import type { User } from "./users.ts";
import type { Role } from "../security/password.ts";
import { storedLocale } from "../alerts/locale.ts";
import { storedTheme } from "../people/theme.ts";

export const SESSION_TTL_MS = 7 * 86_400_000;

const hash = (token: string) => createHash("sha256").update(token).digest("hex");

export interface Session {
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export async function createSession(db: Database, userId: number, now: number): Promise<Session> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  const expiresAt = now + SESSION_TTL_MS;
  await db.write(async (t) => {
    // Expired sessions are cleared as new ones are made: no sweeper needed.
    await db.models.Session.destroy({ where: { expires_at: { [Op.lte]: now } }, transaction: t });
    await db.models.Session.create(
      { token_hash: hash(token), user_id: userId, csrf_token: csrfToken, created_at: now, expires_at: expiresAt },
      { transaction: t },
    );
  });
  return { token, csrfToken, expiresAt };
}

// Raw SQL: one join on every dashboard request; through the models it would take associations and a nested row.
/** The session's user as the users table has it now (a role change applies at once), or null. */
export async function sessionUser(
  db: Database,
  token: string,
  now: number,
): Promise<{ user: User; csrfToken: string } | null> {
  const [r] = await db.select<{
    id: number;
    username: string;
    role: Role;
    locale: string | null;
    theme: string | null;
    csrf_token: string;
  }>(
    "SELECT u.id, u.username, u.role, u.locale, u.theme, s.csrf_token FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ? AND s.expires_at > ?",
    [hash(token), now],
  );
  return r
    ? {
        user: {
          id: Number(r.id),
          username: r.username,
          role: r.role,
          locale: storedLocale(r.locale),
          theme: storedTheme(r.theme),
        },
        csrfToken: r.csrf_token,
      }
    : null;
}

export async function deleteSession(db: Database, token: string): Promise<void> {
  await db.write((t) => db.models.Session.destroy({ where: { token_hash: hash(token) }, transaction: t }));
}

/** A password reset or a deleted user ends every session of that user. */
export async function deleteSessionsOf(db: Database, userId: number): Promise<void> {
  await db.write((t) => db.models.Session.destroy({ where: { user_id: userId }, transaction: t }));
}
