// ingest: accepts pings. Resolves the code, stores the ping and its effect on the monitor in
// one transaction shared with other pings that arrived meanwhile (group commit), and only
// then answers — so a 2xx means the ping, and any flip it caused, are stored.

import { Errors, type Context, type ServiceBroker, type Logger, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { applyPing, type FlipFacts, type Tracked } from "../../core/monitor/monitor-status.ts";
import { outcomeOf, type PingKind } from "../../core/monitor/ping.ts";
import { runLimitsOf, scheduleOf, trackedOf } from "../../core/monitor/monitor-record.ts";
import { slowRun, transitionLimits, type RunLimitFields } from "../../core/monitor/run-limits.ts";
import { recordFlips, type StoredFlip } from "../../core/db/flips.ts";
import { CODE_PATTERN } from "../../core/monitor/code.ts";
import type { MonitorRow } from "../../core/db/models.ts";
import { chunked, placeholders, selectForUpdate, type HotTransaction } from "../../core/db/connect.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";

const { MoleculerClientError, ValidationError } = Errors;

interface PingParams {
  code: string;
  kind: PingKind;
  exitStatus: number | null;
  data: string | null;
  dataTruncated: boolean;
  sourceIp: string | null;
  userAgent: string | null;
  /** an authenticated ?create=1 ping (the gateway sets it only with AUTO_PROVISION): an unknown code is provisioned */
  create?: boolean;
}

/** ingest.pings' answer for each ping: accepted, or the error (plain, as Moleculer sends errors) */
export type PingOutcome = { ok: PingAccepted; error?: undefined } | { ok?: undefined; error: Record<string, unknown> };

export interface PingAccepted {
  id: number;
  monitorId: number;
  code: string;
  kind: PingKind;
  status: string;
  receivedAt: string;
}

const BATCH_COLUMNS = [
  "id", "status", "late_at", "down_at", "last_ping_at", "last_ping_kind", "last_start_at", "ping_count", "status_changed_at",
  "schedule_kind", "period_seconds", "grace_seconds", "cron_expression", "cron_dialect", "timezone", "deadline",
  "run_deadline_at", "consecutive_failures", "consecutive_successes",
  "max_run_seconds", "slow_factor", "slow_window", "failure_threshold", "recovery_threshold",
].join(", ");

interface Pending {
  p: PingParams;
  monitorId: number;
  at: number;
  resolve: (r: PingAccepted) => void;
  reject: (e: unknown) => void;
}

interface BatchResult {
  accepted: Map<Pending, PingAccepted>;
  missing: Set<Pending>;
  flips: StoredFlip[];
  moved: { id: number; status: string; lateAt: number | null; downAt: number | null; runDeadlineAt: number | null }[];
}


export default function ingestService({ config, db, clock }: ServiceDeps): ServiceSchema {
  // A code never changes, so code → id can be cached for good; deletions drop their entry.
  const idByCode = new Map<string, number>();
  const queue: Pending[] = [];
  let broker: ServiceBroker;
  let logger: Logger;
  let accepted: Metric, refused: Metric, writeSeconds: Metric, flipped: Metric;

  // Batches in flight at once. MariaDB: two, so that one batch's statements are on the wire while
  // the other commits (bench (c): 8,011 pings/s against 7,642 with one, 7,299 with three).
  // Locking the rows in id order keeps them from deadlocking each other, and READ COMMITTED (set
  // per connection in core/db/connect.ts) lets one batch's multi-row UPDATE, a full scan on a
  // small table, pass over the other batch's locked rows; InnoDB's deadlocks with other writers
  // are retried by hotWrite. SQLite: one; its writer is single and CPU-bound on the
  // main thread (two gave smaller batches and no more pings/s), and a second batch would only
  // stand between the checker's flips and the write lock.
  const depth = db.dialect === "mysql" ? 2 : 1;
  let writing = 0;
  let scheduled = false;
  const idle: (() => void)[] = [];

  /** Starts writing queued pings on the next turn of the event loop (pings arriving meanwhile share the batch). */
  function schedule(): void {
    if (scheduled || writing >= depth) return;
    scheduled = true;
    setImmediate(startBatch);
  }

  function startBatch(): void {
    scheduled = false;
    if (writing >= depth || !queue.length) return;
    const batch = queue.splice(0, config.pingBatchMax);
    writing++;
    void writeOne(batch).finally(() => {
      writing--;
      if (queue.length) schedule();
      else if (!writing) for (const done of idle.splice(0)) done();
    });
  }

  /** Writes one batch and answers its pings: after the commit, or with 503 if it failed. */
  async function writeOne(batch: Pending[]): Promise<void> {
    let result: BatchResult;
    try {
      result = await db.hotWrite((tx) => writeBatch(batch, tx));
    } catch (err) {
      logger.error("ping batch failed; none of it was acknowledged:", (err as Error).message);
      const unavailable = new MoleculerClientError("pings cannot be stored right now; retry later", 503, "STORE_UNAVAILABLE");
      for (const b of batch) b.reject(unavailable);
      refused.increment({ reason: "unavailable" }, batch.length);
      return;
    }
    for (const b of result.missing) {
      idByCode.delete(b.p.code);
      b.reject(new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" }));
    }
    const committed = clock.now();
    for (const [b, ok] of result.accepted) {
      b.resolve(ok);
      accepted.increment({ kind: b.p.kind });
      writeSeconds.observe((committed - b.at) / 1000);
    }
    if (result.missing.size) refused.increment({ reason: "unknown-code" }, result.missing.size);
    for (const f of result.flips) if (f.from !== f.to) flipped.increment({ to: f.to });
    if (result.moved.length) broker.broadcast("monitor.pinged", { monitors: result.moved });
    for (const f of result.flips) broker.broadcast("flip.recorded", f);
  }

  // Codes not in the cache yet: looked up together, one SELECT for all that arrive in one turn.
  // After a restart every code misses; through sequelize's one read connection these waited
  // behind each WAL checkpoint, which made the first minute's batches tiny (hotSelect avoids it).
  type Waiter = { resolve: (id: number | undefined) => void; reject: (err: unknown) => void };
  let lookups: Map<string, Waiter[]> | null = null;

  function lookUp(code: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      if (!lookups) {
        const mine = (lookups = new Map<string, Waiter[]>());
        setImmediate(() => {
          lookups = null;
          const codes = [...mine.keys()];
          const parts = chunked(codes, 10_000).map((part) => db.hotSelect<{ id: number; code: string }>(`SELECT id, code FROM monitors WHERE code IN (${placeholders(part.length)})`, part));
          Promise.all(parts).then(
            (found) => {
              const rows = found.flat();
              for (const r of rows) idByCode.set(r.code, Number(r.id));
              for (const [c, waiting] of mine) for (const w of waiting) w.resolve(idByCode.get(c));
            },
            (err) => {
              for (const waiting of mine.values()) for (const w of waiting) w.reject(err);
            },
          );
        });
      }
      const waiting = lookups.get(code);
      if (waiting) waiting.push({ resolve, reject });
      else lookups.set(code, [{ resolve, reject }]);
    });
  }

  function enqueue(p: PingParams, monitorId: number): Promise<PingAccepted> {
    const userAgent = p.userAgent === null ? null : p.userAgent.slice(0, 200);
    return new Promise<PingAccepted>((resolve, reject) => {
      queue.push({ p: { ...p, userAgent }, monitorId, at: clock.now(), resolve, reject });
      schedule();
    });
  }

  function unknownCode(): never {
    refused.increment({ reason: "unknown-code" });
    throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
  }

  async function writeBatch(batch: Pending[], tx: HotTransaction): Promise<BatchResult> {
    const ids = [...new Set(batch.map((b) => b.monitorId))].sort((a, b) => a - b);
    const rows = await selectForUpdate<MonitorRow>(tx, "monitors", BATCH_COLUMNS, "id", ids);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const missing = new Set(batch.filter((b) => !byId.has(b.monitorId)));
    const live = batch.filter((b) => !missing.has(b));
    if (!live.length) return { accepted: new Map(), missing, flips: [], moved: [] };

    const state = new Map<number, Tracked>(rows.map((r) => [Number(r.id), trackedOf(r)]));
    const limits = new Map<number, RunLimitFields>(rows.map((r) => [Number(r.id), runLimitsOf(r)]));
    const durations = await recentDurations(live, limits, tx);
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

    const pingIds = await tx.insertRows(
      "pings",
      ["monitor_id", "kind", "exit_status", "data", "data_truncated", "duration_ms", "received_at", "source_ip", "user_agent"],
      live.map((b, i) => [b.monitorId, b.p.kind, b.p.exitStatus, b.p.data, b.p.dataTruncated, effects[i]!.durationMs, b.at, b.p.sourceIp, b.p.userAgent]),
    );
    const flips = await recordFlips(
      tx.db,
      tx.t,
      live.flatMap((b, i) =>
        [effects[i]!.flip, slow[i]!].flatMap((facts) => (facts ? [{ monitorId: b.monitorId, facts, at: b.at, pingId: pingIds[i]! }] : [])),
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
      const prunable = pingCount > config.pingRetention + Math.floor(config.pingRetention / 10);
      if (prunable) pingCount = config.pingRetention;
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
        ping_count: pingCount,
        status_changed_at: statusChanged ? lastAt.get(monitorId) : Number(r.status_changed_at),
        statusChanged,
      });
      if (prunable) await prune(monitorId, tx);
      if (s.lateAt !== before.lateAt || s.downAt !== before.downAt || s.runDeadlineAt !== before.runDeadlineAt || statusChanged) {
        moved.push({ id: monitorId, status: s.status, lateAt: s.lateAt, downAt: s.downAt, runDeadlineAt: s.runDeadlineAt });
      }
    }
    await updateMonitors(rowsOut, tx);

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

  const MONITOR_COLUMNS = [
    "status", "late_at", "down_at", "last_ping_at", "last_ping_kind", "last_start_at",
    "run_deadline_at", "consecutive_failures", "consecutive_successes", "ping_count", "status_changed_at",
  ];
  // Most pings leave the status as it was. Leaving status and status_changed_at out of their
  // UPDATE spares two index rewrites per ping: SQLite rewrites an index whenever its column is
  // SET, even to the same value (a fifth of the batch's SQL time).
  const STEADY_COLUMNS = MONITOR_COLUMNS.filter((c) => c !== "status" && c !== "status_changed_at");

  /**
   * For the monitors of the batch that judge slow runs (slowFactor set) and got a success: the
   * durations of their last slowWindow successful runs, newest first. Others cost nothing.
   */
  async function recentDurations(live: Pending[], limits: Map<number, RunLimitFields>, tx: HotTransaction): Promise<Map<number, number[]>> {
    const out = new Map<number, number[]>();
    for (const b of live) {
      const l = limits.get(b.monitorId);
      if (!l || l.slowFactor === null || b.p.kind !== "success" || out.has(b.monitorId)) continue;
      const rows = await tx.select<{ d: number }>(
        "SELECT duration_ms AS d FROM pings WHERE monitor_id = ? AND kind = 'success' AND duration_ms IS NOT NULL ORDER BY id DESC LIMIT ?",
        [b.monitorId, l.slowWindow],
      );
      out.set(b.monitorId, rows.map((r) => Number(r.d)));
    }
    return out;
  }

  /**
   * All monitors a batch touched: on MariaDB one UPDATE with a CASE per column (a batch of 200
   * pings to 200 monitors is one statement, not 200); on SQLite's inline writer one prepared
   * statement run per monitor, which costs no round trip.
   */
  async function updateMonitors(rows: Record<string, unknown>[], tx: HotTransaction): Promise<void> {
    const changed = rows.filter((r) => r.statusChanged);
    const steady = rows.filter((r) => !r.statusChanged);
    for (const [part, columns] of [[changed, MONITOR_COLUMNS], [steady, STEADY_COLUMNS]] as const) {
      if (part.length) await tx.updateRows("monitors", "id", columns, part.map((r) => [r.id, ...columns.map((c) => r[c])]));
    }
  }

  /** Keeps the newest PING_RETENTION pings of a monitor. */
  async function prune(monitorId: number, tx: HotTransaction): Promise<void> {
    const [cut] = await tx.select<{ id: number }>("SELECT id FROM pings WHERE monitor_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?", [monitorId, config.pingRetention - 1]);
    if (cut) await tx.change("DELETE FROM pings WHERE monitor_id = ? AND id < ?", [monitorId, Number(cut.id)]);
  }

  const pingSchema = {
    code: { type: "string", pattern: CODE_PATTERN },
    kind: { type: "enum", values: ["success", "start", "fail", "log"] },
    exitStatus: { type: "number", integer: true, min: 0, max: 255, nullable: true },
    data: { type: "string", nullable: true, max: config.pingBodyLimit },
    dataTruncated: { type: "boolean" },
    sourceIp: { type: "string", max: 64, nullable: true },
    userAgent: { type: "string", max: 1000, nullable: true },
    create: { type: "boolean", optional: true },
  };

  let checkPing: (p: PingParams) => Error | null;

  function plainError(err: unknown): Record<string, unknown> {
    // The fields Moleculer sends of an error (its Regenerator's extractPlainError).
    const e = err as Record<string, unknown>;
    const plain: Record<string, unknown> = { name: e.name, message: e.message, nodeID: e.nodeID ?? broker.nodeID, code: e.code, type: e.type, retryable: e.retryable, data: e.data };
    // Client errors travel without their stack; the gateway logs only the others, with it.
    if (!(typeof e.code === "number" && e.code >= 400 && e.code < 500)) plain.stack = e.stack;
    return plain;
  }

  function accept(p: PingParams): Promise<PingAccepted> {
    const monitorId = idByCode.get(p.code);
    if (monitorId !== undefined) return enqueue(p, monitorId);
    return lookUp(p.code).then((id) => (id !== undefined ? enqueue(p, id) : p.create ? provision(p) : unknownCode()));
  }

  /** Auto-provisioning: the registry creates the monitor (or finds the one a concurrent ping created). */
  async function provision(p: PingParams): Promise<PingAccepted> {
    const { id } = (await broker.call("registry.provision", { code: p.code })) as { id: number };
    idByCode.set(p.code, id);
    return enqueue(p, id);
  }

  return {
    name: "ingest",

    actions: {
      ping: {
        params: pingSchema,
        handler(ctx: Context<PingParams>): Promise<PingAccepted> {
          return accept(ctx.params);
        },
      },
      /**
       * Many pings in one call, as the gateway sends them: one message each way over the
       * transporter instead of one per ping. Each is validated against ingest.ping's schema and
       * answered on its own: {ok} or {error: what ping would have thrown}. Not a context per
       * ping: that cost a fifth of the ping's CPU; the call in flight is the batch's.
       */
      pings: {
        params: { pings: { type: "array", items: "object" } },
        handler(ctx: Context<{ pings: PingParams[] }>): Promise<PingOutcome[]> {
          return Promise.all(
            ctx.params.pings.map((p) => {
              const invalid = checkPing(p);
              const answer = invalid ? Promise.reject(invalid) : accept(p);
              return answer.then(
                (ok) => ({ ok }),
                (err) => ({ error: plainError(err) }),
              );
            }),
          );
        },
      },
    },

    events: {
      "monitor.changed": {
        handler(ctx: Context<{ id: number; deleted?: boolean }>) {
          if (!ctx.params.deleted) return;
          for (const [code, id] of idByCode) if (id === ctx.params.id) idByCode.delete(code);
        },
      },
    },

    created() {
      broker = this.broker;
      if (!broker.validator) throw new Error("ingest needs Moleculer's validator (moleculer.config.ts)");
      const check = broker.validator.compile(pingSchema) as (p: unknown) => true | Record<string, unknown>[];
      checkPing = (p) => {
        const res = check(p ?? {});
        // As Moleculer's validator middleware reports a failed ingest.ping.
        return res === true ? null : new ValidationError("Parameters validation error!", "VALIDATION_ERROR", res.map((e) => ({ ...e, nodeID: broker.nodeID, action: "ingest.ping" })));
      };
      logger = this.logger;
      accepted = metric(broker, METRICS.pingsAccepted);
      refused = metric(broker, METRICS.pingsRefused);
      writeSeconds = metric(broker, METRICS.pingWrite);
      flipped = metric(broker, METRICS.flips);
    },

    async stopped() {
      // Let the pings already accepted into the queue reach the database before leaving.
      if (queue.length || writing) await new Promise<void>((done) => idle.push(done));
    },
  };
}
