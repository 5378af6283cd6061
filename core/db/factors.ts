// Second factors (migration 021): each person's authenticator apps (TOTP) and passkeys, their
// recovery codes, and the challenges of sign-ins waiting for a second factor. Every "use once"
// here is a conditional UPDATE or DELETE whose affected-row count decides, so two gateways
// presented the same code at the same moment accept it once.

import { createHash, randomBytes } from "node:crypto";
import type { Database } from "./connect.ts";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export type FactorKind = "totp" | "passkey";

/** A factor as its owner sees it: never its secret or key. */
export interface FactorView {
  id: number;
  kind: FactorKind;
  name: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface TotpFactor {
  id: number;
  /** as stored: sealed when SECRET_KEY is set */
  secret: string;
  lastStep: number | null;
}

export interface PasskeyFactor {
  id: number;
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
}

export async function factorsOf(db: Database, userId: number): Promise<FactorView[]> {
  const rows = await db.select<{
    id: number;
    kind: FactorKind;
    name: string;
    created_at: number | string;
    last_used_at: number | string | null;
  }>(
    "SELECT id, kind, name, created_at, last_used_at FROM user_factors WHERE user_id = ? AND confirmed = 1 ORDER BY id",
    [userId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    kind: r.kind,
    name: r.name,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  }));
}

/** The user ids among these that have at least one confirmed factor. */
export async function usersWithFactors(db: Database, userIds: number[]): Promise<Set<number>> {
  if (!userIds.length) return new Set();
  const rows = await db.select<{ user_id: number }>(
    `SELECT DISTINCT user_id FROM user_factors WHERE confirmed = 1 AND user_id IN (${userIds.map(() => "?").join(", ")})`,
    userIds,
  );
  return new Set(rows.map((r) => Number(r.user_id)));
}

/** A TOTP enrolment waiting for its first code; an earlier unconfirmed one of the user is dropped. */
export async function startTotp(
  db: Database,
  userId: number,
  name: string,
  secret: string,
  now: number,
): Promise<number> {
  return db.write(async (t) => {
    await db.change("DELETE FROM user_factors WHERE user_id = ? AND kind = 'totp' AND confirmed = 0", [userId], t);
    return db.insert(
      "INSERT INTO user_factors (user_id, kind, name, secret, confirmed, created_at) VALUES (?, 'totp', ?, ?, 0, ?)",
      [userId, name, secret, now],
      t,
    );
  });
}

/** The user's TOTP factors: the confirmed ones, or (confirming) the one being enrolled. */
export async function totpFactors(db: Database, userId: number, pending = false): Promise<TotpFactor[]> {
  const rows = await db.select<{ id: number; secret: string; last_step: number | string | null }>(
    "SELECT id, secret, last_step FROM user_factors WHERE user_id = ? AND kind = 'totp' AND confirmed = ?",
    [userId, pending ? 0 : 1],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    secret: r.secret,
    lastStep: r.last_step === null ? null : Number(r.last_step),
  }));
}

/**
 * Takes a TOTP step for this factor (and confirms it): false when this step, or a later one,
 * was taken already, so a code works once however many gateways see it.
 */
export async function takeTotpStep(db: Database, factorId: number, step: number, now: number): Promise<boolean> {
  const n = await db.write((t) =>
    db.change(
      "UPDATE user_factors SET last_step = ?, last_used_at = ?, confirmed = 1 WHERE id = ? AND (last_step IS NULL OR last_step < ?)",
      [step, now, factorId, step],
      t,
    ),
  );
  return n === 1;
}

export async function addPasskey(
  db: Database,
  userId: number,
  name: string,
  p: Omit<PasskeyFactor, "id">,
  now: number,
): Promise<number> {
  return db.write((t) =>
    db.insert(
      "INSERT INTO user_factors (user_id, kind, name, credential_id, public_key, sign_count, transports, confirmed, created_at) VALUES (?, 'passkey', ?, ?, ?, ?, ?, 1, ?)",
      [userId, name, p.credentialId, p.publicKey, p.signCount, p.transports.join(","), now],
      t,
    ),
  );
}

export async function passkeysOf(db: Database, userId: number): Promise<PasskeyFactor[]> {
  const rows = await db.select<{
    id: number;
    credential_id: string;
    public_key: string;
    sign_count: number | string | null;
    transports: string | null;
  }>(
    "SELECT id, credential_id, public_key, sign_count, transports FROM user_factors WHERE user_id = ? AND kind = 'passkey' AND confirmed = 1",
    [userId],
  );
  return rows.map((r) => ({
    id: Number(r.id),
    credentialId: r.credential_id,
    publicKey: r.public_key,
    signCount: Number(r.sign_count ?? 0),
    transports: r.transports ? r.transports.split(",").filter(Boolean) : [],
  }));
}

/** A passkey's use: its signature counter moves on only forwards (a cloned key shows as a counter gone back). */
export async function usePasskey(
  db: Database,
  factorId: number,
  signCount: number,
  seen: number,
  now: number,
): Promise<boolean> {
  const n = await db.write((t) =>
    db.change(
      "UPDATE user_factors SET sign_count = ?, last_used_at = ? WHERE id = ? AND COALESCE(sign_count, 0) = ?",
      [signCount, now, factorId, seen],
      t,
    ),
  );
  return n === 1;
}

/** Removes one of the user's factors; with the last one go the recovery codes. False when it is not theirs. */
export async function removeFactor(db: Database, userId: number, factorId: number): Promise<boolean> {
  return db.write(async (t) => {
    const n = await db.change("DELETE FROM user_factors WHERE id = ? AND user_id = ?", [factorId, userId], t);
    const [left] = await db.select<{ n: number }>(
      "SELECT COUNT(*) AS n FROM user_factors WHERE user_id = ? AND confirmed = 1",
      [userId],
      t,
    );
    if (Number(left?.n ?? 0) === 0) await db.change("DELETE FROM recovery_codes WHERE user_id = ?", [userId], t);
    return n === 1;
  });
}

/** A new set of recovery codes (as their hashes) replaces the old set, used or not. */
export async function replaceRecoveryCodes(db: Database, userId: number, hashes: string[]): Promise<void> {
  await db.write(async (t) => {
    await db.change("DELETE FROM recovery_codes WHERE user_id = ?", [userId], t);
    await db.insertRows(
      "recovery_codes",
      ["user_id", "code_hash"],
      hashes.map((h) => [userId, h]),
      t,
    );
  });
}

/** Spends a recovery code: true once, for an unused code of this user. */
export async function useRecoveryCode(db: Database, userId: number, hash: string, now: number): Promise<boolean> {
  const n = await db.write((t) =>
    db.change(
      "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
      [now, userId, hash],
      t,
    ),
  );
  return n >= 1;
}

export async function recoveryCodesLeft(db: Database, userId: number): Promise<number> {
  const [r] = await db.select<{ n: number }>(
    "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
    [userId],
  );
  return Number(r?.n ?? 0);
}

export type ChallengePurpose = "signin" | "enrol";

export interface Challenge {
  userId: number;
  webauthnChallenge: string | null;
  failures: number;
}

/** A challenge's token (given to the browser; only its hash is kept), valid for `ttlMs`. */
export async function createChallenge(
  db: Database,
  userId: number,
  purpose: ChallengePurpose,
  webauthnChallenge: string | null,
  now: number,
  ttlMs: number,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.write(async (t) => {
    await db.change("DELETE FROM factor_challenges WHERE expires_at <= ?", [now], t);
    await db.insert(
      "INSERT INTO factor_challenges (token_hash, user_id, purpose, webauthn_challenge, failures, expires_at) VALUES (?, ?, ?, ?, 0, ?)",
      [sha256(token), userId, purpose, webauthnChallenge, now + ttlMs],
      t,
    );
  });
  return token;
}

export async function challengeOf(
  db: Database,
  token: string,
  purpose: ChallengePurpose,
  now: number,
): Promise<Challenge | null> {
  const [r] = await db.select<{ user_id: number; webauthn_challenge: string | null; failures: number | string }>(
    "SELECT user_id, webauthn_challenge, failures FROM factor_challenges WHERE token_hash = ? AND purpose = ? AND expires_at > ?",
    [sha256(token), purpose, now],
  );
  return r
    ? { userId: Number(r.user_id), webauthnChallenge: r.webauthn_challenge, failures: Number(r.failures) }
    : null;
}

/** Counts a wrong answer to a challenge; at `max` wrong answers the challenge is gone (back to the password). */
export async function failChallenge(db: Database, token: string, max: number): Promise<number> {
  return db.write(async (t) => {
    await db.change("UPDATE factor_challenges SET failures = failures + 1 WHERE token_hash = ?", [sha256(token)], t);
    await db.change("DELETE FROM factor_challenges WHERE token_hash = ? AND failures >= ?", [sha256(token), max], t);
    const [r] = await db.select<{ failures: number }>(
      "SELECT failures FROM factor_challenges WHERE token_hash = ?",
      [sha256(token)],
      t,
    );
    return r ? max - Number(r.failures) : 0;
  });
}

/** Ends a challenge: true for the one caller that ended it (a challenge opens one session). */
export async function endChallenge(db: Database, token: string): Promise<boolean> {
  const n = await db.write((t) => db.change("DELETE FROM factor_challenges WHERE token_hash = ?", [sha256(token)], t));
  return n === 1;
}
