// One batch of due monitors, in one transaction: re-read them under the row lock, flip those
// still due (core/monitor/monitor-status.ts decides), store the flips with their deliveries, and
// say what each monitor's next wake-up now depends on. A top-of-the-hour burst of deadlines is
// flipped in milliseconds, not one round trip per monitor.

import type { HotTransaction } from "../../core/db/connect.ts";
import { flipStatus, lockForCheck, storeFlipped, type Watched } from "../../core/db/deadlines.ts";
import { recordFlips, type FlipToRecord, type StoredFlip } from "../../core/db/flips.ts";
import { deadlinePassed } from "../../core/monitor/monitor-status.ts";
import { runLimitsOf, scheduleOf, trackedOf } from "../../core/monitor/monitor-record.ts";
import { transitionLimits } from "../../core/monitor/run-limits.ts";
import type { Clock } from "../../core/checker/clock.ts";

export interface FlipBatch {
  /** every monitor found, as it is after the batch */
  rows: Watched[];
  flips: StoredFlip[];
  /** the flips with the deadline each one was due at (for the lag histogram) */
  due: (FlipToRecord & { deadline: number })[];
}

/** Checks `ids` (their deadline passed) in `tx`: what it flipped, and the monitors' new state. */
export async function flipBatch(tx: HotTransaction, ids: number[], clock: Clock): Promise<FlipBatch> {
  const rows = await lockForCheck(tx, ids);
  // The flip's time is taken under the lock, not when the batch was queued: what is due is
  // decided on the state as it is now, and the time stored is when that was decided.
  const now = clock.now();
  const changed = rows.flatMap((r) => {
    const before = trackedOf(r);
    const effect = deadlinePassed(before, scheduleOf(r), transitionLimits(runLimitsOf(r)), now);
    return effect ? [{ r, before, ...effect }] : [];
  });
  const due = changed.flatMap(({ r, flip }) => {
    if (!flip) return [];
    // A failure rate reached by a missed run was due when that run's deadline passed.
    const overran =
      flip.reason === "running-too-long" ||
      (flip.reason === "failure-rate" && r.run_deadline_at !== null && Number(r.run_deadline_at) <= now);
    const deadline = Number(flip.reason === "late" ? r.late_at : overran ? r.run_deadline_at : r.down_at);
    return [{ monitorId: Number(r.id), facts: flip, at: now, pingId: null, deadline }];
  });
  // Plain flips change only the status and the counters (one statement per new status); counted
  // misses below a threshold re-arm the deadlines, and a failure rate's outcomes change (one
  // statement each).
  const plain = (c: (typeof changed)[number]) =>
    c.flip !== null &&
    c.next.lateAt === c.before.lateAt &&
    c.next.downAt === c.before.downAt &&
    c.next.runDeadlineAt === c.before.runDeadlineAt &&
    c.next.outcomes === c.before.outcomes &&
    c.next.successes === (c.flip.to === "late" ? c.before.successes : 0) &&
    c.next.failures === c.before.failures + (c.flip.to === "late" ? 0 : 1);
  for (const to of new Set(changed.filter(plain).map((c) => c.next.status))) {
    const group = changed.filter((c) => plain(c) && c.next.status === to).map((c) => Number(c.r.id));
    const n = await flipStatus(tx, group, to, now);
    if (n !== group.length) throw new Error(`flip guard: ${n} of ${group.length} monitors updated`);
  }
  for (const c of changed.filter((x) => !plain(x))) {
    await storeFlipped(tx, c.r.id, c.next, c.next.status === c.before.status ? c.r.status_changed_at : now);
  }
  const flips = await recordFlips(tx.db, tx.t, due);
  const after = new Map(changed.map((c) => [Number(c.r.id), c.next]));
  const watched = rows.map((r): Watched => {
    const s = after.get(Number(r.id));
    return s ? { ...r, status: s.status, late_at: s.lateAt, down_at: s.downAt, run_deadline_at: s.runDeadlineAt } : r;
  });
  return { rows: watched, flips, due };
}
