// The collector's reads and writes of hosts and host_samples: recording a poll (its sample and
// the host's next poll, only while the claim is ours), the host's monitor code, and the samples'
// retention. Claiming hosts is in core/db/claims.ts.

import type { Database } from "./connect.ts";

export interface HostSample {
  hostId: number;
  startedAt: number;
  durationMs: number;
  ok: boolean;
  cpu: number | null;
  memory: number | null;
  swap: number | null;
  load1: number | null;
  /** JSON: [{ mount, usedPercent }] */
  disks: string | null;
  error: string | null;
  polledBy: string;
}

export interface HostAfterPoll {
  lastResult: string;
  hostKeyFingerprint: string | null;
  nextPollAt: number;
}

/** Whether a host with this id exists. */
export async function hostExists(db: Database, id: number): Promise<boolean> {
  const [exists] = await db.select<{ id: number }>("SELECT id FROM hosts WHERE id = ?", [id]);
  return Boolean(exists);
}

/**
 * Stores a poll's sample and, while the claim token is still the host's, its result, pinned key
 * and next poll time, freeing the claim; in one transaction.
 */
export async function recordPoll(db: Database, sample: HostSample, host: HostAfterPoll, token: string): Promise<void> {
  const s = sample;
  await db.write(async (t) => {
    await db.insertRows(
      "host_samples",
      ["host_id", "started_at", "duration_ms", "ok", "cpu", "memory", "swap", "load1", "disks", "error", "polled_by"],
      [[s.hostId, s.startedAt, s.durationMs, s.ok, s.cpu, s.memory, s.swap, s.load1, s.disks, s.error, s.polledBy]],
      t,
    );
    await db.change(
      `UPDATE hosts SET last_poll_at = ?, last_result = ?, host_key_fingerprint = ?, next_poll_at = ?, lease_until = NULL, claimed_by = NULL
        WHERE id = ? AND claimed_by = ?`,
      [s.startedAt, host.lastResult, host.hostKeyFingerprint, host.nextPollAt, s.hostId, token],
      t,
    );
  });
}

/** The code of a monitor, or null when it is gone. */
export async function monitorCode(db: Database, monitorId: number): Promise<string | null> {
  const [m] = await db.select<{ code: string }>("SELECT code FROM monitors WHERE id = ?", [monitorId]);
  return m?.code ?? null;
}

/** Deletes the samples of polls started before `before`. */
export async function deleteSamplesBefore(db: Database, before: number): Promise<void> {
  await db.write((t) => db.change("DELETE FROM host_samples WHERE started_at < ?", [before], t));
}
