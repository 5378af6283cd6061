// checker: owns every deadline. Keeps each watched monitor's next wake-up in a min-heap with
// one timer on the earliest; when it passes, flips the monitor through a conditional update
// (the database is the final guard, so two checkers never flip the same change twice).

import type { Context, Logger, ServiceBroker, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { deadlineFlip, nextWake, type Status } from "../core/monitor-status.ts";
import { trackedOf } from "../core/monitor-record.ts";
import { recordFlips, type StoredFlip } from "../core/db/flips.ts";
import { DueQueue } from "../core/due-queue.ts";
import type { MonitorRow } from "../core/db/models.ts";

const WATCHED: Status[] = ["new", "up", "late"];
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Monitors checked in one transaction. */
const BATCH = 500;
/** A safety net for missed events: monitors created or changed lately are looked at again. */
const RESYNC_MS = 30_000;

type Watched = Pick<MonitorRow, "id" | "status" | "late_at" | "down_at" | "last_ping_at" | "last_start_at">;
const COLUMNS = "id, status, late_at, down_at, last_ping_at, last_start_at";

export default function checkerService({ config, db, clock }: ServiceDeps): ServiceSchema {
  const queue = new DueQueue();
  let timer: NodeJS.Timeout | null = null;
  let resync: NodeJS.Timeout | null = null;
  let running = false;
  let busy: Promise<void> | null = null;
  let lastSync = 0;
  let broker: ServiceBroker;
  let logger: Logger;

  function watch(r: Watched): void {
    queue.set(Number(r.id), nextWake(trackedOf(r)));
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
  async function check(ids: number[]): Promise<void> {
    const now = clock.now();
    const outcome = await db.write(async (t) => {
      // The rows stay locked until commit (FOR UPDATE on MariaDB, the write lock on SQLite):
      // a ping or another checker that gets there first is seen here, or waits and then sees
      // the new status — so each change flips once.
      const rows = await db.select<Watched>(`SELECT ${COLUMNS} FROM monitors WHERE id IN (?) ORDER BY id${db.forUpdate}`, [ids], t);
      const due = rows.flatMap((r) => {
        const facts = deadlineFlip(trackedOf(r), now);
        return facts ? [{ monitorId: Number(r.id), facts, at: now, pingId: null }] : [];
      });
      if (due.length) {
        const n = await db.change(
          `UPDATE monitors SET status = CASE id ${due.map(() => "WHEN ? THEN ?").join(" ")} END, status_changed_at = ? WHERE id IN (?)`,
          [...due.flatMap((f) => [f.monitorId, f.facts.to]), now, due.map((f) => f.monitorId)],
          t,
        );
        if (n !== due.length) throw new Error(`flip guard: ${n} of ${due.length} monitors updated`);
      }
      const flips = await recordFlips(db, t, due);
      const to = new Map(due.map((f) => [f.monitorId, f.facts.to]));
      return { rows: rows.map((r) => ({ ...r, status: to.get(Number(r.id)) ?? r.status })), flips };
    });
    outcome.flips.forEach(announce);
    outcome.rows.forEach(watch);
    const found = new Set(outcome.rows.map((r) => Number(r.id)));
    for (const id of ids) if (!found.has(id)) queue.delete(id);
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

  async function loadAll(): Promise<number> {
    const started = clock.now();
    queue.clear();
    const rows = await db.select<Watched>(`SELECT ${COLUMNS} FROM monitors WHERE status IN (?)`, [WATCHED]);
    rows.forEach(watch);
    lastSync = started;
    arm();
    return rows.length;
  }

  async function resyncChanged(): Promise<void> {
    const since = lastSync - RESYNC_MS;
    const now = clock.now();
    const rows = await db.select<{ id: number }>("SELECT id FROM monitors WHERE updated_at >= ? OR status_changed_at >= ?", [since, since]);
    await reload(rows.map((r) => Number(r.id)));
    lastSync = now;
  }

  return {
    name: "checker",

    events: {
      "monitor.pinged": {
        handler(ctx: Context<{ monitors: { id: number; status: Status; lateAt: number | null; downAt: number | null }[] }>) {
          for (const m of ctx.params.monitors) {
            queue.set(m.id, nextWake({ status: m.status, lateAt: m.lateAt, downAt: m.downAt, lastPingAt: null, lastStartAt: null }));
          }
          arm();
        },
      },
      // Events broadcast before this node and the registry/ingest nodes knew each other were
      // never delivered here: look again at everything changed since this checker started.
      "$node.connected": {
        handler() {
          resyncChanged().catch((err) => logger.warn("checker resync failed:", (err as Error).message));
        },
      },
      "monitor.changed": {
        async handler(ctx: Context<{ id: number; deleted?: boolean }>) {
          if (ctx.params.deleted) queue.delete(ctx.params.id);
          else await reload([ctx.params.id]);
        },
      },
    },

    actions: {
      status: {
        visibility: "public",
        handler() {
          return { watched: queue.size, nextWakeAt: queue.peek() };
        },
      },
    },

    created() {
      broker = this.broker;
      logger = this.logger;
    },

    async started() {
      running = true;
      const n = await loadAll();
      logger.info(`checker watching ${n} monitors`);
      resync = setInterval(() => {
        resyncChanged().catch((err) => logger.warn("checker resync failed:", (err as Error).message));
      }, RESYNC_MS);
    },

    async stopped() {
      running = false;
      if (timer) clearTimeout(timer);
      if (resync) clearInterval(resync);
      if (busy) await busy;
    },
  };
}
