// The checker's engine: this checker's share of the monitors (rendezvous hashing over the live
// checker nodes, core/checker/checker-share.ts), their next wake-ups in a min-heap with one timer
// on the earliest, the flip loop, the overdue sweep, the 30 s resync and the move of every
// deadline after a clock jump. Its state is the fields of one DueEngine; checker.service.ts
// only hands it Moleculer's events and lifecycle.

import type { Logger, ServiceBroker } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { nextWake, type Status, type Tracked } from "../../core/monitor/monitor-status.ts";
import { trackedOf } from "../../core/monitor/monitor-record.ts";
import type { StoredFlip } from "../../core/db/flips.ts";
import { chunked, type Database } from "../../core/db/connect.ts";
import {
  LOAD_COLUMNS,
  overdueIds,
  scanChangedSince,
  scanWatched,
  shiftDeadlines,
  watchedRows,
  type Watched,
} from "../../core/db/deadlines.ts";
import { DueQueue } from "../../core/checker/due-queue.ts";
import { CheckerShare } from "../../core/checker/checker-share.ts";
import { ClockWatch, type ClockJump } from "../../core/checker/clock-jump.ts";
import type { Clock } from "../../core/checker/clock.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";
import { flipBatch } from "./flip-batch.ts";

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
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** What monitor.pinged carries for each monitor whose deadlines moved. */
export interface PingedMonitor {
  id: number;
  status: Status;
  lateAt: number | null;
  downAt: number | null;
  runDeadlineAt?: number | null;
}

export class DueEngine {
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly queue = new DueQueue();
  private broker!: ServiceBroker;
  private logger!: Logger;
  private self = "";
  private share = new CheckerShare([], "");
  private running = false;
  /** the timer on the earliest wake-up, and the flip loop it started */
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private resync: NodeJS.Timeout | null = null;
  private resyncing: Promise<void> | null = null;
  /** wall-clock time of the last full load or resync: the next resync reads what changed since */
  private lastSync = 0;
  private sweeper: NodeJS.Timeout | null = null;
  private sweeping = false;
  private rebalancing: Promise<void> | null = null;
  private rebalanceAgain = false;
  private readonly clockWatch = new ClockWatch();
  private following: Promise<void> | null = null;
  /** After a jump the sweep waits (monotonic ms) until every checker has moved its own share. */
  private sweepPausedUntil = 0;
  private readonly stats = { rebalances: 0, rebalancedAt: 0, sweptFlips: 0, clockJumps: 0 };
  private metrics!: { lag: Metric; flipped: Metric; watched: Metric; nodes: Metric };
  /** One scratch state for the full load: a million rows, no object allocated per row. */
  private readonly scratch: Tracked = {
    status: "new",
    lateAt: null,
    downAt: null,
    lastPingAt: null,
    lastStartAt: null,
    runDeadlineAt: null,
    failures: 0,
    successes: 0,
    outcomes: "",
  };

  constructor({ db, clock }: ServiceDeps) {
    this.db = db;
    this.clock = clock;
  }

  /** The service was created: its broker, logger and metrics. */
  attach(broker: ServiceBroker, logger: Logger): void {
    this.broker = broker;
    this.logger = logger;
    this.self = broker.nodeID;
    this.metrics = {
      lag: metric(broker, METRICS.checkerLag),
      flipped: metric(broker, METRICS.flips),
      watched: metric(broker, METRICS.checkerWatched),
      nodes: metric(broker, METRICS.checkerNodes),
    };
  }

  /** Loads this checker's share, then keeps it: resync every 30 s, sweep every 2 s. */
  async start(): Promise<void> {
    this.running = true;
    this.clockWatch.observe(this.clock.now(), performance.now());
    this.share = new CheckerShare(this.liveCheckers(), this.self);
    this.metrics.nodes.set(this.share.nodes.length);
    const loading = this.clock.now();
    const n = await this.loadAll();
    const k = this.share.nodes.length;
    this.logger.info(
      `checker watching ${n} monitors (${k} checker${k === 1 ? "" : "s"} live), loaded in ${this.clock.now() - loading} ms`,
    );
    // The share may have changed while the monitors loaded.
    this.membershipChanged();
    this.resync = setInterval(() => this.resyncInBackground(), RESYNC_MS);
    this.sweeper = setInterval(() => {
      if (this.sweeping) return;
      this.sweeping = true;
      this.sweep()
        .catch((err) => this.logger.warn("overdue sweep failed:", (err as Error).message))
        .finally(() => (this.sweeping = false));
    }, SWEEP_MS);
  }

  /** Stops the timers and waits for the work in flight. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.following) await this.following.catch(() => undefined);
    if (this.timer) clearTimeout(this.timer);
    if (this.resync) clearInterval(this.resync);
    if (this.sweeper) clearInterval(this.sweeper);
    if (this.busy) await this.busy;
    if (this.rebalancing) await this.rebalancing;
    if (this.resyncing) await this.resyncing.catch(() => undefined);
  }

  /** This checker's share: the live checkers it sees, the monitors it watches, its rebalances. */
  status() {
    return {
      nodeID: this.self,
      nodes: this.share.nodes,
      watched: this.queue.size,
      nextWakeAt: this.queue.peek(),
      ...this.stats,
    };
  }

  /** Pings moved these monitors' deadlines: the owned ones get their new wake-up. */
  pinged(monitors: readonly PingedMonitor[]): void {
    for (const m of monitors) {
      if (!this.share.owns(m.id)) continue;
      this.queue.set(
        m.id,
        nextWake({ status: m.status, lateAt: m.lateAt, downAt: m.downAt, runDeadlineAt: m.runDeadlineAt ?? null }),
      );
    }
    this.arm();
  }

  /** A monitor was created, edited or deleted: forget it, or read it again if it is this checker's. */
  async changed(id: number, deleted: boolean | undefined): Promise<void> {
    if (deleted || !this.share.owns(id)) this.queue.delete(id);
    else await this.reload([id]);
  }

  /** A checker joined or left: recompute the share and reload this node's part from the database. */
  membershipChanged(): void {
    if (!this.running || this.share.sameNodes(this.liveCheckers(), this.self)) return;
    if (this.rebalancing) {
      this.rebalanceAgain = true;
      return;
    }
    this.rebalancing = (async () => {
      do {
        this.rebalanceAgain = false;
        this.share = new CheckerShare(this.liveCheckers(), this.self);
        const started = this.clock.now();
        const n = await this.loadAll();
        this.stats.rebalances++;
        this.stats.rebalancedAt = this.clock.now();
        this.metrics.nodes.set(this.share.nodes.length);
        const k = this.share.nodes.length;
        this.logger.info(
          `monitors shared by ${k} checker${k === 1 ? "" : "s"} (${this.share.nodes.join(", ")}): this one watches ${n}, loaded in ${this.clock.now() - started} ms`,
        );
      } while (this.rebalanceAgain && this.running);
    })()
      .catch((err) => {
        this.logger.error("rebalancing failed; trying again in 1 s:", (err as Error).message);
        this.share = new CheckerShare([], "");
        setTimeout(() => this.membershipChanged(), 1000).unref();
      })
      .finally(() => {
        this.rebalancing = null;
      });
  }

  /** Looks again at everything changed lately; a failure is logged, and the next resync tries again. */
  resyncInBackground(): void {
    this.resyncChanged().catch((err) => this.logger.warn("checker resync failed:", (err as Error).message));
  }

  /** Nodes running a checker now, this one included, as Moleculer's registry knows them. */
  private liveCheckers(): string[] {
    return this.broker.registry
      .getServiceList({ onlyAvailable: true, skipInternal: true, withActions: false, withEvents: false })
      .filter((s) => s.name === "checker")
      .map((s) => s.nodeID ?? this.self);
  }

  private watch(r: Watched): void {
    const id = Number(r.id);
    if (this.share.owns(id)) this.queue.set(id, nextWake(trackedOf(r)));
    else this.queue.delete(id);
  }

  /** watch() for a scanned row (LOAD_COLUMNS, as an array): a monitor no longer due leaves the queue. */
  private readonly watchScanned = (row: readonly unknown[]): void => {
    const id = Number(row[0]);
    if (!this.share.owns(id)) {
      this.queue.delete(id);
      return;
    }
    const scratch = this.scratch;
    scratch.status = row[1] as Status;
    scratch.lateAt = num(row[2]);
    scratch.downAt = num(row[3]);
    scratch.runDeadlineAt = num(row[4]);
    this.queue.set(id, nextWake(scratch));
  };

  /** Monitors long overdue, whoever owns them; those not already due here are checked now. */
  private async sweep(): Promise<void> {
    await this.clockSettled();
    if (performance.now() < this.sweepPausedUntil) return;
    const now = this.clock.now();
    const ids = (await overdueIds(this.db, now - OVERDUE_MS, SWEEP_LIMIT)).filter((id) => {
      const at = this.queue.get(id);
      return at === null || at > now;
    });
    if (!ids.length) return;
    const flips = await this.check(ids);
    this.stats.sweptFlips += flips;
    if (flips)
      this.logger.warn(
        `sweep: ${flips} overdue monitors flipped late (a checker died or the checkers disagreed on who is live)`,
      );
    this.arm();
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.running) return;
    const at = this.queue.peek();
    if (at === null) return;
    const delay = Math.min(Math.max(0, at - this.clock.now()), MAX_TIMER_MS);
    this.timer = setTimeout(this.tick, delay);
  }

  private readonly tick = (): void => {
    this.timer = null;
    if (this.busy) return;
    this.busy = this.processDue().finally(() => {
      this.busy = null;
      this.arm();
    });
  };

  private async processDue(): Promise<void> {
    for (;;) {
      await this.clockSettled();
      const due = this.queue.popDue(this.clock.now(), BATCH);
      if (!due.length) return;
      try {
        await this.check(due);
      } catch (err) {
        // Put them back so that a later tick tries again: a deadline is never dropped.
        for (const id of due) this.queue.set(id, this.clock.now() + 1000);
        this.logger.error(`checking ${due.length} monitors failed; retrying in 1 s:`, (err as Error).message);
        return;
      }
    }
  }

  /** Re-reads monitors whose deadline passed, flips those still due (flip-batch.ts), and reschedules them all. */
  private async check(ids: number[]): Promise<number> {
    // hotWrite, as ingest's batches: on the SQLite file its statements run inline (sub-ms for a
    // batch) instead of a worker-thread round trip each, which held the single writer for
    // milliseconds while the pings queued behind it, and the flips behind the pings.
    const outcome = await this.db.hotWrite((tx) => flipBatch(tx, ids, this.clock));
    // Deadline to commit: what the lag histogram promises ("its flip being stored").
    const committed = this.clock.now();
    for (const f of outcome.flips) this.announce(f);
    for (const f of outcome.due) {
      this.metrics.lag.observe((committed - f.deadline) / 1000);
      this.metrics.flipped.increment({ to: f.facts.to });
    }
    for (const r of outcome.rows) this.watch(r);
    const found = new Set(outcome.rows.map((r) => Number(r.id)));
    for (const id of ids) if (!found.has(id)) this.queue.delete(id);
    this.metrics.watched.set(this.queue.size);
    return outcome.flips.length;
  }

  /**
   * Reads the wall clock against the monotonic one before anything is flipped; after a jump,
   * this checker's deadlines move with the clock first (see followJump).
   */
  private clockSettled(): Promise<void> | null {
    if (this.following) return this.following;
    const jump = this.clockWatch.observe(this.clock.now(), performance.now());
    if (!jump) return null;
    this.following = this.followJump(jump).finally(() => (this.following = null));
    return this.following;
  }

  /**
   * The wall clock jumped by J: the deadlines this checker watches were computed in the old
   * frame, so each moves by J and every job keeps the real time it was given — no storm of
   * false alerts after a forward step, no hour of blindness after a backward one. A deadline
   * is late by at most the jump if the clock was the wrong one before it. Rows stamped since
   * the jump (their times fall in the jump's new-frame band) are already right and stay.
   */
  private async followJump(jump: ClockJump): Promise<void> {
    this.stats.clockJumps++;
    const { from, to } = jump.newFrame;
    const ids: number[] = [];
    await scanWatched(this.db, ["id"], LOAD_PAGE, (row) => {
      const id = Number(row[0]);
      if (this.share.owns(id)) ids.push(id);
    });
    let moved = 0;
    for (const part of chunked(ids, BATCH)) moved += await shiftDeadlines(this.db, part, jump.byMs, from, to);
    // The other checkers on this clock move their own shares within a tick or two: until then
    // their monitors would look overdue to this one's sweep.
    this.sweepPausedUntil = performance.now() + 2 * SWEEP_MS + OVERDUE_MS;
    await this.loadAll();
    const s = Math.round(Math.abs(jump.byMs) / 1000);
    this.logger.warn(
      `the wall clock jumped ${jump.byMs > 0 ? "forward" : "back"} by ${s} s: ${moved} deadlines moved with it, so that no job is alerted for time it was not given`,
    );
  }

  private announce(flip: StoredFlip): void {
    this.broker.broadcast("flip.recorded", flip);
  }

  private async reload(ids: number[]): Promise<void> {
    if (!ids.length) return;
    const rows = await watchedRows(this.db, ids);
    const found = new Set(rows.map((r) => Number(r.id)));
    for (const id of ids) if (!found.has(id)) this.queue.delete(id);
    for (const r of rows) this.watch(r);
    this.arm();
  }

  /** Reloads this checker's share, page by page (core/db/scan.ts): a million rows in a few seconds. */
  private async loadAll(): Promise<number> {
    const started = this.clock.now();
    this.queue.clear();
    await scanWatched(this.db, LOAD_COLUMNS, LOAD_PAGE, this.watchScanned);
    this.lastSync = started;
    this.metrics.watched.set(this.queue.size);
    this.arm();
    return this.queue.size;
  }

  /** One resync at a time: a paced one over a busy minute takes a few seconds. */
  private resyncChanged(): Promise<void> {
    this.resyncing ??= this.resyncNow().finally(() => (this.resyncing = null));
    return this.resyncing;
  }

  private async resyncNow(): Promise<void> {
    const since = this.lastSync - RESYNC_MS;
    const now = this.clock.now();
    // Every flip of the last 30 s matches (status_changed_at): up to half a million rows after a
    // busy minute at a million monitors. So the rows come in small, paced pages by id, with what
    // the next wake-up needs, and a monitor whose wake-up is unchanged (most: this checker's own
    // flips) costs one lookup — no second query, no event-loop stall.
    await scanChangedSince(
      this.db,
      since,
      { page: RESYNC_PAGE, pauseMs: RESYNC_PAUSE_MS, cancelled: () => !this.running },
      this.watchScanned,
    );
    this.arm();
    this.lastSync = now;
  }
}
