// Failed sign-ins in the database (migration 019), so every gateway counts against the same
// limits: one row per user name or address. The rules are core/security/attempts.ts.

import type { Database } from "./connect.ts";
import {
  afterFailure,
  attemptKeys,
  refusalOf,
  type AttemptCount,
  type LimiterOptions,
  type LockoutStart,
  type Refusal,
  type Scope,
} from "../security/attempts.ts";

interface Row {
  scope: Scope;
  who: string;
  failures: number | string;
  since: number | string;
  locked_until: number | string;
}

const countOf = (r: Row): AttemptCount => ({
  failures: Number(r.failures),
  since: Number(r.since),
  lockedUntil: Number(r.locked_until),
});

function where(keys: [Scope, string][]): { sql: string; params: string[] } {
  return {
    sql: keys.map(() => "(scope = ? AND who = ?)").join(" OR "),
    params: keys.flat(),
  };
}

/** Whether an attempt by this user from this address is refused now, and for how long. */
export async function signinRefusal(
  db: Database,
  user: string | null,
  ip: string | null,
  now: number,
): Promise<Refusal | null> {
  const keys = attemptKeys(user, ip);
  if (!keys.length) return null;
  const w = where(keys);
  const rows = await db.select<Row>(
    `SELECT scope, who, failures, since, locked_until FROM signin_attempts WHERE locked_until > ? AND (${w.sql})`,
    [now, ...w.params],
  );
  return refusalOf(
    keys.map(([scope, who]) => {
      const r = rows.find((x) => x.scope === scope && x.who === who);
      return [scope, r ? countOf(r) : undefined];
    }),
    now,
  );
}

/** Counts a failed attempt under its user and its address; answers the lockouts it starts. */
export async function recordSigninFailure(
  db: Database,
  user: string | null,
  ip: string | null,
  now: number,
  opts: LimiterOptions,
): Promise<LockoutStart[]> {
  const keys = attemptKeys(user, ip);
  if (!keys.length) return [];
  const once = () =>
    db.write(async (t) => {
      const started: LockoutStart[] = [];
      for (const [scope, who] of keys) {
        // Row-locked on MariaDB (two gateways counting the same user queue here); on SQLite the
        // write transaction holds the whole file.
        const [r] = await db.select<Row>(
          `SELECT scope, who, failures, since, locked_until FROM signin_attempts WHERE scope = ? AND who = ?${db.forUpdate}`,
          [scope, who],
          t,
        );
        const { count, started: begins } = afterFailure(r ? countOf(r) : undefined, scope, now, opts);
        if (r)
          await db.change(
            "UPDATE signin_attempts SET failures = ?, since = ?, locked_until = ? WHERE scope = ? AND who = ?",
            [count.failures, count.since, count.lockedUntil, scope, who],
            t,
          );
        else
          await db.change(
            "INSERT INTO signin_attempts (scope, who, failures, since, locked_until) VALUES (?, ?, ?, ?, ?)",
            [scope, who, count.failures, count.since, count.lockedUntil],
            t,
          );
        if (begins) started.push({ scope, who, failures: count.failures });
      }
      return started;
    });
  let started: LockoutStart[];
  try {
    started = await once();
  } catch (err) {
    // Two gateways inserting the first failure of the same key at once: one insert loses to the
    // other's primary key; counted again, the row is there.
    if (!/duplicate|unique/i.test(String((err as Error).message ?? err))) throw err;
    started = await once();
  }
  await prune(db, now, opts);
  return started;
}

/** A right password clears that user's failures; the address's stay (one valid account must not launder guesses). */
export async function clearSigninFailures(db: Database, user: string): Promise<void> {
  await db.write((t) => db.change("DELETE FROM signin_attempts WHERE scope = 'user' AND who = ?", [user], t));
}

let prunedAt = 0;

/** Counts whose window and lockout are over are forgotten, at most once a minute per process. */
async function prune(db: Database, now: number, opts: LimiterOptions): Promise<void> {
  if (now - prunedAt < 60_000) return;
  prunedAt = now;
  await db.write((t) =>
    db.change("DELETE FROM signin_attempts WHERE locked_until <= ? AND since < ?", [now, now - opts.lockMs], t),
  );
}
