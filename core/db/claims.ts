// Claiming due outbox rows among several notifiers: one conditional UPDATE stamps the due rows
// with this claim's token and a lease, then the rows carrying the token are read back. Of two
// notifiers exactly one gets each row, on SQLite and MariaDB alike (no SKIP LOCKED needed); a
// dead notifier's rows come back when their lease ends. Used by the deliveries and the weekly
// reports, whose tables share these columns: state, next_attempt_at, lease_until, claimed_by,
// attempts, last_attempt_at.

import type { Database } from "./connect.ts";
import type { HostRow } from "./hosts.ts";

const DUE = `((state = 'pending' AND next_attempt_at <= :now) OR (state = 'sending' AND lease_until < :now))`;

export async function claimDue<T>(
  db: Database,
  table: "deliveries" | "weekly_reports",
  columns: string,
  claim: { token: string; now: number; leaseMs: number; limit: number },
): Promise<T[]> {
  const { token, now, leaseMs, limit } = claim;
  const candidates = await db.select<{ id: number }>(
    `SELECT id FROM ${table} WHERE ${DUE} ORDER BY id LIMIT ${limit}`,
    { now },
  );
  if (!candidates.length) return [];
  await db.write((t) =>
    db.change(
      `UPDATE ${table} SET state = 'sending', claimed_by = :token, lease_until = :lease, attempts = attempts + 1, last_attempt_at = :now
        WHERE id IN (:ids) AND ${DUE}`,
      { now, token, lease: now + leaseMs, ids: candidates.map((c) => Number(c.id)) },
      t,
    ),
  );
  return db.select<T>(`SELECT ${columns} FROM ${table} WHERE claimed_by = :token AND state = 'sending'`, { token });
}

/** Records an outcome only while the claim is still ours: a row whose lease ran out belongs to whoever took it over. */
export async function settleClaimed(
  db: Database,
  table: "deliveries" | "weekly_reports",
  id: number,
  token: string,
  set: Record<string, unknown>,
): Promise<void> {
  const cols = Object.keys(set);
  await db.write((t) =>
    db.change(
      `UPDATE ${table} SET ${cols.map((c) => `${c} = :${c}`).join(", ")}, lease_until = NULL WHERE id = :id AND claimed_by = :token`,
      { ...set, id, token },
      t,
    ),
  );
}

// Hosts are claimed the same way among several collectors: one conditional UPDATE stamps the due
// hosts (or the one host asked for) with the claim's token and a lease, then they are read back.
const HOST_DUE = "enabled = :yes AND next_poll_at <= :now AND (lease_until IS NULL OR lease_until < :now)";
const HOST_FREE = "id = :only AND (lease_until IS NULL OR lease_until < :now)";

// Raw: run every 500 ms by every collector and once per finished poll, the collector's hot path.
export async function claimHosts(
  db: Database,
  claim: { token: string; now: number; leaseMs: number; limit: number; only?: number },
): Promise<HostRow[]> {
  const { token, now, leaseMs, limit, only } = claim;
  const where = only === undefined ? HOST_DUE : HOST_FREE;
  const ids = (
    await db.select<{ id: number }>(`SELECT id FROM hosts WHERE ${where} ORDER BY next_poll_at LIMIT ${limit}`, {
      now,
      yes: true,
      only,
    })
  ).map((r) => Number(r.id));
  if (!ids.length) return [];
  await db.write((t) =>
    db.change(
      `UPDATE hosts SET claimed_by = :token, lease_until = :lease WHERE id IN (:ids) AND ${where}`,
      { token, lease: now + leaseMs, ids, now, yes: true, only },
      t,
    ),
  );
  return db.select<HostRow>("SELECT * FROM hosts WHERE claimed_by = ? AND lease_until > ?", [token, now]);
}
