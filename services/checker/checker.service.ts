// checker: owns the deadlines. Checker replicas share the monitors by rendezvous hashing over
// the live checker nodes (core/checker/checker-share.ts) and re-share them when one joins or leaves.
// Each keeps its monitors' next wake-ups in a min-heap with one timer on the earliest; when it
// passes, it flips the monitor through a conditional update under a row lock — the database is
// the final guard, so two checkers that both look at a monitor during a rebalance never flip
// one change twice. A sweep for overdue monitors makes sure none is skipped while the checkers
// disagree about who is live.

import type { Context, Logger, ServiceBroker, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { deadlinePassed, nextWake, type Status, type Tracked } from "../../core/monitor/monitor-status.ts";
import { runLimitsOf, scheduleOf, trackedOf, RUN_LIMIT_COLUMNS } from "../../core/monitor/monitor-record.ts";
import { transitionLimits } from "../../core/monitor/run-limits.ts";
import { recordFlips, type StoredFlip } from "../../core/db/flips.ts";
import { DueQueue } from "../../core/checker/due-queue.ts";
import type { MonitorRow } from "../../core/db/models.ts";
import { CheckerShare } from "../../core/checker/checker-share.ts";
import { scanMonitors } from "../../core/db/scan.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";
import { ClockWatch, type ClockJump } from "../../core/checker/clock-jump.ts";
import { chunked, placeholders, selectForUpdate } from "../../core/db/connect.ts";

const WATCHED: Status[] = ["new", "up", "late"];
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Monitors checked in one transaction. */
const BATCH = 2000;
/** A safety net for missed events: monitors created or changed lately are looked at again. */
const RESYNC_MS = 30_000;
/**
 * A deadline this far in the past with no flip is taken by any checker, its owner or not: the
 * owner died and is not yet noticed (the heartbeat time-out is 6 s), or two checkers briefly
 * disagreed about who is live and each thought the other held it.
 */
const OVERDUE_MS = 5_000;
const SWEEP_MS = 2_000;
const SWEEP_LIMIT = 1000;
/**
 * Rows per page of a full load and of a resync: each page is handled in one go on the event
 * loop (about 2.5 µs a row with SQLite), so its size bounds how long deadlines wait for it.
 */
const LOAD_PAGE = 20_000;
const RESYNC_PAGE = 2_000;
/**
 * The resync is a background safety net: it takes its pages at a gentle pace (500,000 rows
 * in about 5 s) rather than in one burst that would delay every deadline due meanwhile.
 */
const RESYNC_PAUSE_MS = 10;

type Watched = Pick<MonitorRow, "id" | "status" | "late_at" | "down_at" | "last_ping_at" | "last_start_at" | "run_deadline_at">;
const COLUMNS = "id, status, late_at, down_at, last_ping_at, last_start_at, run_deadline_at";
/** What check() reads under the lock: the state, and the schedule and limits a missed run is counted by. */
const CHECK_COLUMNS = [
  COLUMNS, "status_changed_at", "consecutive_failures", "consecutive_successes",
  "schedule_kind", "period_seconds", "grace_seconds", "cron_expression", "cron_dialect", "timezone", "deadline", ...RUN_LIMIT_COLUMNS,
].join(", ");
/** What a full load reads: only what the next wake-up depends on. */
const LOAD_COLUMNS = ["id", "status", "late_at", "down_at", "run_deadline_at"] as const;
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export default function checkerService({ config, db, clock }: ServiceDeps): ServiceSchema {
  const queue = new DueQueue();
  let timer: NodeJS.Timeout | null = null;
  let resync: NodeJS.Timeout | null = null;
  let running = false;
  let busy: Promise<void> | null = null;
  let lastSync = 0;
  let broker: ServiceBroker;
  let logger: Logger;
  let self = "";
  let share = new CheckerShare([], "");
  let rebalancing: Promise<void> | null = null;
  let rebalanceAgain = false;
  let sweeper: NodeJS.Timeout | null = null;
  const stats = { rebalances: 0, rebalancedAt: 0, sweptFlips: 0, clockJumps: 0 };
  const clockWatch = new ClockWatch();
  let following: Promise<void> | null = null;
  /** After a jump the sweep waits (monotonic ms) until every checker has moved its own share. */
  let sweepPausedUntil = 0;
  let lag: Metric, flipped: Metric, watchedGauge: Metric, nodesGauge: Metric;

  function watch(r: Watched): void {
    const id = Number(r.id);
    if (share.owns(id)) queue.set(id, nextWake(trackedOf(r)));
    else queue.delete(id);
  }

  /** One scratch state for the full load: a million rows, no object allocated per row. */
  const scratch: Tracked = { status: "new", lateAt: null, downAt: null, lastPingAt: null, lastStartAt: null, runDeadlineAt: null, failures: 0, successes: 0 };
  /** watch() for a scanned row (LOAD_COLUMNS, as an array): a monitor no longer due leaves the queue. */
  function watchScanned(row: readonly unknown[]): void {
    const id = Number(row[0]);
    if (!share.owns(id)) {
      queue.delete(id);
      return;
    }
    scratch.status = row[1] as Status;
    scratch.lateAt = num(row[2]);
    scratch.downAt = num(row[3]);
    scratch.runDeadlineAt = num(row[4]);
    queue.set(id, nextWake(scratch));
  }

  /** Nodes running a checker now, this one included, as Moleculer's registry knows them. */
  function liveCheckers(): string[] {
    return broker.registry
      .getServiceList({ onlyAvailable: true, skipInternal: true, withActions: false, withEvents: false })
      .filter((s) => s.name === "checker")
      .map((s) => s.nodeID ?? self);
  }

  /** A checker joined or left: recompute the share and reload this node's part from the database. */
  function membershipChanged(): void {
    if (!running || share.sameNodes(liveCheckers(), self)) return;
    if (rebalancing) {
      rebalanceAgain = true;
      return;
    }
    rebalancing = (async () => {
      do {
        rebalanceAgain = false;
        share = new CheckerShare(liveCheckers(), self);
        const started = clock.now();
        const n = await loadAll();
        stats.rebalances++;
        stats.rebalancedAt = clock.now();
        nodesGauge.set(share.nodes.length);
        const k = share.nodes.length;
        logger.info(`monitors shared by ${k} checker${k === 1 ? "" : "s"} (${share.nodes.join(", ")}): this one watches ${n}, loaded in ${clock.now() - started} ms`);
      } while (rebalanceAgain && running);
    })()
      .catch((err) => {
        logger.error("rebalancing failed; trying again in 1 s:", (err as Error).message);
        share = new CheckerShare([], "");
        setTimeout(membershipChanged, 1000).unref();
      })
      .finally(() => {
        rebalancing = null;
      });
  }

  /** Monitors long overdue, whoever owns them; those not already due here are checked now. */
  async function sweep(): Promise<void> {
    await clockSettled();
    if (performance.now() < sweepPausedUntil) return;
    const now = clock.now();
    const cut = now - OVERDUE_MS;
    // due_at: the earliest deadline of a watched monitor, generated by the database (migration 013).
    const rows = await db.select<{ id: number }>(`SELECT id FROM monitors WHERE due_at < ? LIMIT ${SWEEP_LIMIT}`, [cut]);
    const ids = rows.map((r) => Number(r.id)).filter((id) => {
      const at = queue.get(id);
      return at === null || at > now;
    });
    if (!ids.length) return;
    const flips = await check(ids);
    stats.sweptFlips += flips;
    if (flips) logger.warn(`sweep: ${flips} overdue monitors flipped late (a checker died or the checkers disagreed on who is live)`);
    arm();
  }

  function arm(): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!running) return;
    const at = queue.peek();
    if (at === null) return;
    const delay = Math.min(Math.max(0, at - clock.now()), MAX_TIMER_MS);
    timer = setTimeout(tick, delay);
  }

  function tick(): void {
    timer = null;
    if (busy) return;
    busy = processDue().finally(() => {
      busy = null;
      arm();
    });
  }

  async function processDue(): Promise<void> {
    for (;;) {
      await clockSettled();
      const due = queue.popDue(clock.now(), BATCH);
      if (!due.length) return;
      try {
        await check(due);
      } catch (err) {
        // Put them back so that a later tick tries again: a deadline is never dropped.
        for (const id of due) queue.set(id, clock.now() + 1000);
        logger.error(`checking ${due.length} monitors failed; retrying in 1 s:`, (err as Error).message);
        return;
      }
    }
  }

  /**
   * Re-reads monitors whose deadline passed, flips those still due, and reschedules them all.
   * One transaction for the whole batch: a top-of-the-hour burst of deadlines is flipped in
   * milliseconds, not one round trip per monitor.
   */
  async function check(ids: number[]): Promise<number> {
    // hotWrite, as ingest's batches: on the SQLite file its statements run inline (sub-ms for a
    // batch) instead of a worker-thread round trip each, which held the single writer for
    // milliseconds while the pings queued behind it, and the flips behind the pings.
    const outcome = await db.hotWrite(async (tx) => {
      // The rows stay locked until commit (FOR UPDATE on MariaDB, the write lock on SQLite):
      // a ping or another checker that gets there first is seen here, or waits and then sees
      // the new status — so each change flips once.
      const rows = await selectForUpdate<MonitorRow>(tx, "monitors", CHECK_COLUMNS, "id", ids);
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
        const deadline = Number(flip.reason === "late" ? r.late_at : flip.reason === "running-too-long" ? r.run_deadline_at : r.down_at);
        return [{ monitorId: Number(r.id), facts: flip, at: now, pingId: null, deadline }];
      });
      // The common flips (late; down at the first missed run) change only the status and the
      // counters: one UPDATE per new status, as a CASE over the whole batch costs SQLite a linear
      // search per row. Counted misses below a threshold re-arm the deadlines: one UPDATE each.
      const plain = (c: (typeof changed)[number]) =>
        c.flip !== null && c.next.lateAt === c.before.lateAt && c.next.downAt === c.before.downAt && c.next.runDeadlineAt === c.before.runDeadlineAt &&
        c.next.successes === (c.flip.to === "late" ? c.before.successes : 0) && c.next.failures === c.before.failures + (c.flip.to === "late" ? 0 : 1);
      for (const to of new Set(changed.filter(plain).map((c) => c.next.status))) {
        const group = changed.filter((c) => plain(c) && c.next.status === to).map((c) => Number(c.r.id));
        const counted = to === "late" ? "" : ", consecutive_failures = consecutive_failures + 1, consecutive_successes = 0";
        let n = 0;
        for (const part of chunked(group, tx.maxParams - 2)) {
          n += await tx.change(`UPDATE monitors SET status = ?, status_changed_at = ?${counted} WHERE id IN (${placeholders(part.length)})`, [to, now, ...part]);
        }
        if (n !== group.length) throw new Error(`flip guard: ${n} of ${group.length} monitors updated`);
      }
      for (const c of changed.filter((x) => !plain(x))) {
        const s = c.next;
        await tx.change(
          `UPDATE monitors SET status = ?, status_changed_at = ?, late_at = ?, down_at = ?, run_deadline_at = ?, consecutive_failures = ?, consecutive_successes = ? WHERE id = ?`,
          [s.status, s.status === c.before.status ? c.r.status_changed_at : now, s.lateAt, s.downAt, s.runDeadlineAt, s.failures, s.successes, c.r.id],
        );
      }
      const flips = await recordFlips(tx.db, tx.t, due);
      const after = new Map(changed.map((c) => [Number(c.r.id), c.next]));
      const watched = rows.map((r): Watched => {
        const s = after.get(Number(r.id));
        return s ? { ...r, status: s.status, late_at: s.lateAt, down_at: s.downAt, run_deadline_at: s.runDeadlineAt } : r;
      });
      return { rows: watched, flips, due };
    });
    // Deadline to commit: what the lag histogram promises ("its flip being stored").
    const committed = clock.now();
    outcome.flips.forEach(announce);
    for (const f of outcome.due) {
      lag.observe((committed - f.deadline) / 1000);
      flipped.increment({ to: f.facts.to });
    }
    outcome.rows.forEach(watch);
    const found = new Set(outcome.rows.map((r) => Number(r.id)));
    for (const id of ids) if (!found.has(id)) queue.delete(id);
    watchedGauge.set(queue.size);
    return outcome.flips.length;
  }

  /**
   * Reads the wall clock against the monotonic one before anything is flipped; after a jump,
   * this checker's deadlines move with the clock first (see followJump).
   */
  function clockSettled(): Promise<void> | null {
    if (following) return following;
    const jump = clockWatch.observe(clock.now(), performance.now());
    if (!jump) return null;
    following = followJump(jump).finally(() => (following = null));
    return following;
  }

  /**
   * The wall clock jumped by J: the deadlines this checker watches were computed in the old
   * frame, so each moves by J and every job keeps the real time it was given — no storm of
   * false alerts after a forward step, no hour of blindness after a backward one. A deadline
   * is late by at most the jump if the clock was the wrong one before it. Rows stamped since
   * the jump (their times fall in the jump's new-frame band) are already right and stay.
   */
  async function followJump(jump: ClockJump): Promise<void> {
    stats.clockJumps++;
    const { from, to } = jump.newFrame;
    const ids: number[] = [];
    await scanMonitors(db, { columns: ["id"], where: `status IN (${WATCHED.map(() => "?").join(", ")})`, params: WATCHED, page: LOAD_PAGE }, (row) => {
      const id = Number(row[0]);
      if (share.owns(id)) ids.push(id);
    });
    const before = (c: string) => `(${c} IS NULL OR ${c} < ? OR ${c} > ?)`;
    let moved = 0;
    for (const part of chunked(ids, BATCH)) {
      moved += await db.write((t) =>
        db.change(
          `UPDATE monitors SET late_at = late_at + ?, down_at = down_at + ?, run_deadline_at = run_deadline_at + ? WHERE id IN (?) AND status IN (?)
             AND ${before("last_ping_at")} AND ${before("last_start_at")} AND ${before("status_changed_at")}`,
          [jump.byMs, jump.byMs, jump.byMs, part, WATCHED, from, to, from, to, from, to],
          t,
        ),
      );
    }
    // The other checkers on this clock move their own shares within a tick or two: until then
    // their monitors would look overdue to this one's sweep.
    sweepPausedUntil = performance.now() + 2 * SWEEP_MS + OVERDUE_MS;
    await loadAll();
    const s = Math.round(Math.abs(jump.byMs) / 1000);
    logger.warn(`the wall clock jumped ${jump.byMs > 0 ? "forward" : "back"} by ${s} s: ${moved} deadlines moved with it, so that no job is alerted for time it was not given`);
  }

  function announce(flip: StoredFlip): void {
    broker.broadcast("flip.recorded", flip);
  }

  async function reload(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const rows = await db.select<Watched>(`SELECT ${COLUMNS} FROM monitors WHERE id IN (?)`, [ids]);
    const found = new Set(rows.map((r) => Number(r.id)));
    for (const id of ids) if (!found.has(id)) queue.delete(id);
    rows.forEach(watch);
    arm();
  }

  /** Reloads this checker's share, page by page (core/db/scan.ts): a million rows in a few seconds. */
  async function loadAll(): Promise<number> {
    const started = clock.now();
    queue.clear();
    await scanMonitors(db, { columns: LOAD_COLUMNS, where: `status IN (${WATCHED.map(() => "?").join(", ")})`, params: WATCHED, page: LOAD_PAGE }, watchScanned);
    lastSync = started;
    watchedGauge.set(queue.size);
    arm();
    return queue.size;
  }

  let resyncing: Promise<void> | null = null;
  /** One resync at a time: a paced one over a busy minute takes a few seconds. */
  function resyncChanged(): Promise<void> {
    resyncing ??= resyncNow().finally(() => (resyncing = null));
    return resyncing;
  }

  async function resyncNow(): Promise<void> {
    const since = lastSync - RESYNC_MS;
    const now = clock.now();
    // Every flip of the last 30 s matches (status_changed_at): up to half a million rows after a
    // busy minute at a million monitors. So the rows come in small, paced pages by id, with what
    // the next wake-up needs, and a monitor whose wake-up is unchanged (most: this checker's own
    // flips) costs one lookup — no second query, no event-loop stall.
    await scanMonitors(db, { columns: LOAD_COLUMNS, where: "updated_at >= ? OR status_changed_at >= ?", params: [since, since], page: RESYNC_PAGE, pauseMs: RESYNC_PAUSE_MS, cancelled: () => !running }, watchScanned);
    arm();
    lastSync = now;
  }

  return {
    name: "checker",

    events: {
      "monitor.pinged": {
        handler(ctx: Context<{ monitors: { id: number; status: Status; lateAt: number | null; downAt: number | null; runDeadlineAt?: number | null }[] }>) {
          for (const m of ctx.params.monitors) {
            if (!share.owns(m.id)) continue;
            queue.set(m.id, nextWake({ status: m.status, lateAt: m.lateAt, downAt: m.downAt, runDeadlineAt: m.runDeadlineAt ?? null }));
          }
          arm();
        },
      },
      // Events broadcast before this node and the registry/ingest nodes knew each other were
      // never delivered here: look again at everything changed since this checker started.
      // A node came, went or changed its services: if the checkers changed, re-share.
      "$services.changed": {
        handler() {
          membershipChanged();
        },
      },
      "$node.connected": {
        handler() {
          resyncChanged().catch((err) => logger.warn("checker resync failed:", (err as Error).message));
        },
      },
      "monitor.changed": {
        async handler(ctx: Context<{ id: number; deleted?: boolean }>) {
          if (ctx.params.deleted || !share.owns(ctx.params.id)) queue.delete(ctx.params.id);
          else await reload([ctx.params.id]);
        },
      },
    },

    actions: {
      status: {
        visibility: "public",
        /** This checker's share: the live checkers it sees, the monitors it watches, its rebalances. */
        handler() {
          return { nodeID: self, nodes: share.nodes, watched: queue.size, nextWakeAt: queue.peek(), ...stats };
        },
      },
    },

    created() {
      broker = this.broker;
      logger = this.logger;
      self = broker.nodeID;
      lag = metric(broker, METRICS.checkerLag);
      flipped = metric(broker, METRICS.flips);
      watchedGauge = metric(broker, METRICS.checkerWatched);
      nodesGauge = metric(broker, METRICS.checkerNodes);
    },

    async started() {
      running = true;
      clockWatch.observe(clock.now(), performance.now());
      share = new CheckerShare(liveCheckers(), self);
      nodesGauge.set(share.nodes.length);
      const loading = clock.now();
      const n = await loadAll();
      logger.info(`checker watching ${n} monitors (${share.nodes.length} checker${share.nodes.length === 1 ? "" : "s"} live), loaded in ${clock.now() - loading} ms`);
      // The share may have changed while the monitors loaded.
      membershipChanged();
      resync = setInterval(() => {
        resyncChanged().catch((err) => logger.warn("checker resync failed:", (err as Error).message));
      }, RESYNC_MS);
      let sweeping = false;
      sweeper = setInterval(() => {
        if (sweeping) return;
        sweeping = true;
        sweep()
          .catch((err) => logger.warn("overdue sweep failed:", (err as Error).message))
          .finally(() => (sweeping = false));
      }, SWEEP_MS);
    },

    async stopped() {
      running = false;
      if (following) await following.catch(() => undefined);
      if (timer) clearTimeout(timer);
      if (resync) clearInterval(resync);
      if (sweeper) clearInterval(sweeper);
      if (busy) await busy;
      if (rebalancing) await rebalancing;
      if (resyncing) await resyncing.catch(() => undefined);
    },
  };
}
