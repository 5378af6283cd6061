// One batch of pings, in one transaction: lock the monitors they name, apply each ping in
// arrival order (core/monitor/monitor-status.ts decides), and store the pings, any flips with
// their deliveries, and the monitors' new state — a constant number of statements per batch.

import type { HotTransaction } from "../../core/db/connect.ts";
import { recordFlips, type StoredFlip } from "../../core/db/flips.ts";
import { insertPings, lockPinged, prunePings, recentDurations, updatePingedMonitors } from "../../core/db/pings.ts";
import { applyPing, type FlipFacts, type Tracked } from "../../core/monitor/monitor-status.ts";
import { outcomeOf, type PingKind } from "../../core/monitor/ping.ts";
import { runLimitsOf, scheduleOf, trackedOf } from "../../core/monitor/monitor-record.ts";
import { slowRun, transitionLimits, type RunLimitFields } from "../../core/monitor/run-limits.ts";
import type { PingAccepted, PingParams } from "./ping-params.ts";

/** A ping waiting in the queue for its batch's commit. */
export interface Pending {
  p: PingParams;
  monitorId: number;
  at: number;
  resolve: (r: PingAccepted) => void;
  reject: (e: unknown) => void;
}

export interface BatchResult {
  accepted: Map<Pending, PingAccepted>;
  /** pings whose monitor is gone (deleted since its code was cached) */
  missing: Set<Pending>;
  flips: StoredFlip[];
  /** monitors whose deadlines or status changed: what monitor.pinged tells the checkers */
  moved: { id: number; status: string; lateAt: number | null; downAt: number | null; runDeadlineAt: number | null }[];
}

/** Stores `batch` in `tx`; a monitor keeps its newest `pingRetention` pings. */
export async function writeBatch(batch: Pending[], tx: HotTransaction, pingRetention: number): Promise<BatchResult> {
  const ids = [...new Set(batch.map((b) => b.monitorId))].sort((a, b) => a - b);
  const rows = await lockPinged(tx, ids);
  const byId = new Map(rows.map((r) => [Number(r.id), r]));
  const missing = new Set(batch.filter((b) => !byId.has(b.monitorId)));
  const live = batch.filter((b) => !missing.has(b));
  if (!live.length) return { accepted: new Map(), missing, flips: [], moved: [] };

  const state = new Map<number, Tracked>(rows.map((r) => [Number(r.id), trackedOf(r)]));
  const limits = new Map<number, RunLimitFields>(rows.map((r) => [Number(r.id), runLimitsOf(r)]));
  const durations = await slowHistories(live, limits, tx);
  const lastKind = new Map<number, PingKind>();
  const counts = new Map<number, number>();
  const lastAt = new Map<number, number>();
  const slow: (FlipFacts | null)[] = [];
  const effects = live.map((b) => {
    const r = byId.get(b.monitorId)!;
    const l = limits.get(b.monitorId)!;
    const outcome = outcomeOf(b.p.kind);
    const e = applyPing(state.get(b.monitorId)!, scheduleOf(r), outcome, b.at, transitionLimits(l));
    state.set(b.monitorId, e.next);
    // A successful run much longer than usual is reported once, as a flip that changes no
    // status (from = to). Not while the monitor is still down: that is alerted already.
    const history = durations.get(b.monitorId);
    let slowFlip: FlipFacts | null = null;
    if (history && outcome === "success" && e.durationMs !== null) {
      const slow = e.next.status !== "down" && slowRun(e.durationMs, history, l.slowFactor, l.slowWindow);
      if (slow) slowFlip = { from: e.next.status, to: e.next.status, reason: "slow", expectedAt: null };
      history.unshift(e.durationMs);
    }
    slow.push(slowFlip);
    // last_ping_kind describes last_ping_at: the report of a finished run, not a start or a log.
    if (b.p.kind === "success" || b.p.kind === "fail") lastKind.set(b.monitorId, b.p.kind);
    counts.set(b.monitorId, (counts.get(b.monitorId) ?? 0) + 1);
    lastAt.set(b.monitorId, b.at);
    return e;
  });

  const pingIds = await insertPings(
    tx,
    live.map((b, i) => [
      b.monitorId,
      b.p.kind,
      b.p.exitStatus,
      b.p.data,
      b.p.dataTruncated,
      effects[i]!.durationMs,
      b.at,
      b.p.sourceIp,
      b.p.userAgent,
    ]),
  );
  const flips = await recordFlips(
    tx.db,
    tx.t,
    live.flatMap((b, i) =>
      [effects[i]!.flip, slow[i]!].flatMap((facts) =>
        facts ? [{ monitorId: b.monitorId, facts, at: b.at, pingId: pingIds[i]! }] : [],
      ),
    ),
  );

  const moved: BatchResult["moved"] = [];
  const rowsOut: Record<string, unknown>[] = [];
  for (const monitorId of ids) {
    const r = byId.get(monitorId);
    if (!r || !counts.has(monitorId)) continue;
    const s = state.get(monitorId)!;
    const before = trackedOf(r);
    const statusChanged = s.status !== before.status;
    // Pruning costs two statements, so it runs once a tenth of the allowance has piled up.
    let pingCount = Number(r.ping_count) + counts.get(monitorId)!;
    const prunable = pingCount > pingRetention + Math.floor(pingRetention / 10);
    if (prunable) pingCount = pingRetention;
    rowsOut.push({
      id: monitorId,
      status: s.status,
      late_at: s.lateAt,
      down_at: s.downAt,
      last_ping_at: s.lastPingAt,
      last_ping_kind: lastKind.get(monitorId) ?? r.last_ping_kind,
      last_start_at: s.lastStartAt,
      run_deadline_at: s.runDeadlineAt,
      consecutive_failures: s.failures,
      consecutive_successes: s.successes,
      recent_outcomes: s.outcomes,
      ping_count: pingCount,
      status_changed_at: statusChanged ? lastAt.get(monitorId) : Number(r.status_changed_at),
      statusChanged,
      outcomesChanged: s.outcomes !== before.outcomes,
    });
    if (prunable) await prunePings(tx, monitorId, pingRetention);
    if (
      s.lateAt !== before.lateAt ||
      s.downAt !== before.downAt ||
      s.runDeadlineAt !== before.runDeadlineAt ||
      statusChanged
    ) {
      moved.push({
        id: monitorId,
        status: s.status,
        lateAt: s.lateAt,
        downAt: s.downAt,
        runDeadlineAt: s.runDeadlineAt,
      });
    }
  }
  await updatePingedMonitors(tx, rowsOut);

  const accepted = new Map<Pending, PingAccepted>();
  live.forEach((b, i) => {
    accepted.set(b, {
      id: pingIds[i]!,
      monitorId: b.monitorId,
      code: b.p.code,
      kind: b.p.kind,
      status: state.get(b.monitorId)!.status,
      receivedAt: new Date(b.at).toISOString(),
    });
  });
  return { accepted, missing, flips, moved };
}

/**
 * For the monitors of the batch that judge slow runs (slowFactor set) and got a success: the
 * durations of their last slowWindow successful runs, newest first. Others cost nothing.
 */
async function slowHistories(
  live: Pending[],
  limits: Map<number, RunLimitFields>,
  tx: HotTransaction,
): Promise<Map<number, number[]>> {
  const out = new Map<number, number[]>();
  for (const b of live) {
    const l = limits.get(b.monitorId);
    if (!l || l.slowFactor === null || b.p.kind !== "success" || out.has(b.monitorId)) continue;
    out.set(b.monitorId, await recentDurations(tx, b.monitorId, l.slowWindow));
  }
  return out;
}
