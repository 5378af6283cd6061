// ingest: accepts pings. Resolves the code, stores the ping and its effect on the monitor in
// one transaction shared with other pings that arrived meanwhile (group commit), and only
// then answers — so a 2xx means the ping, and any flip it caused, are stored.

import { Errors, type Context, type ServiceBroker, type Logger, type ServiceSchema } from "moleculer";
import type { Transaction } from "sequelize";
import type { ServiceDeps } from "./deps.ts";
import { applyPing, type Tracked } from "../core/monitor-status.ts";
import { outcomeOf, type PingKind } from "../core/ping.ts";
import { scheduleOf, trackedOf } from "../core/monitor-record.ts";
import { recordFlips, type StoredFlip } from "../core/db/flips.ts";
import { CODE_PATTERN } from "../core/code.ts";
import type { MonitorRow } from "../core/db/models.ts";

const { MoleculerClientError } = Errors;

interface PingParams {
  code: string;
  kind: PingKind;
  exitStatus: number | null;
  data: string | null;
  dataTruncated: boolean;
  sourceIp: string | null;
  userAgent: string | null;
}

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
  "schedule_kind", "period_seconds", "grace_seconds", "cron_expression", "timezone", "deadline",
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
  moved: { id: number; status: string; lateAt: number | null; downAt: number | null }[];
}

export default function ingestService({ config, db, clock }: ServiceDeps): ServiceSchema {
  // A code never changes, so code → id can be cached for good; deletions drop their entry.
  const idByCode = new Map<string, number>();
  let queue: Pending[] = [];
  let flushing: Promise<void> | null = null;
  let broker: ServiceBroker;
  let logger: Logger;

  /** Writes queued pings in batches until the queue is empty; one batch at a time. */
  async function flush(): Promise<void> {
    try {
      while (queue.length) {
        const batch = queue.slice(0, config.pingBatchMax);
        queue = queue.slice(batch.length);
        let result: BatchResult;
        try {
          result = await db.write((t) => writeBatch(batch, t));
        } catch (err) {
          logger.error("ping batch failed; none of it was acknowledged:", (err as Error).message);
          const unavailable = new MoleculerClientError("pings cannot be stored right now; retry later", 503, "STORE_UNAVAILABLE");
          for (const b of batch) b.reject(unavailable);
          continue;
        }
        for (const b of result.missing) {
          idByCode.delete(b.p.code);
          b.reject(new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" }));
        }
        for (const [b, accepted] of result.accepted) b.resolve(accepted);
        if (result.moved.length) broker.broadcast("monitor.pinged", { monitors: result.moved });
        for (const f of result.flips) broker.broadcast("flip.recorded", f);
      }
    } finally {
      flushing = null;
    }
  }

  async function resolveIds(codes: string[]): Promise<void> {
    const unknown = [...new Set(codes.filter((c) => !idByCode.has(c)))];
    if (!unknown.length) return;
    const rows = await db.select<{ id: number; code: string }>("SELECT id, code FROM monitors WHERE code IN (?)", [unknown]);
    for (const r of rows) idByCode.set(r.code, Number(r.id));
  }

  async function writeBatch(batch: Pending[], t: Transaction): Promise<BatchResult> {
    const ids = [...new Set(batch.map((b) => b.monitorId))].sort((a, b) => a - b);
    // Lock in id order so that two ingest replicas never deadlock on the same monitors.
    const rows = await db.select<MonitorRow>(`SELECT ${BATCH_COLUMNS} FROM monitors WHERE id IN (?) ORDER BY id${db.forUpdate}`, [ids], t);
    const byId = new Map(rows.map((r) => [Number(r.id), r]));
    const missing = new Set(batch.filter((b) => !byId.has(b.monitorId)));
    const live = batch.filter((b) => !missing.has(b));
    if (!live.length) return { accepted: new Map(), missing, flips: [], moved: [] };

    const state = new Map<number, Tracked>(rows.map((r) => [Number(r.id), trackedOf(r)]));
    const lastKind = new Map<number, PingKind>();
    const counts = new Map<number, number>();
    const lastAt = new Map<number, number>();
    const effects = live.map((b) => {
      const r = byId.get(b.monitorId)!;
      const e = applyPing(state.get(b.monitorId)!, scheduleOf(r), outcomeOf(b.p.kind), b.at);
      state.set(b.monitorId, e.next);
      // last_ping_kind describes last_ping_at: the report of a finished run, not a start or a log.
      if (b.p.kind === "success" || b.p.kind === "fail") lastKind.set(b.monitorId, b.p.kind);
      counts.set(b.monitorId, (counts.get(b.monitorId) ?? 0) + 1);
      lastAt.set(b.monitorId, b.at);
      return e;
    });

    const pingIds = await db.insertRows(
      "pings",
      ["monitor_id", "kind", "exit_status", "data", "data_truncated", "duration_ms", "received_at", "source_ip", "user_agent"],
      live.map((b, i) => [b.monitorId, b.p.kind, b.p.exitStatus, b.p.data, b.p.dataTruncated, effects[i]!.durationMs, b.at, b.p.sourceIp, b.p.userAgent]),
      t,
    );
    const flips = await recordFlips(
      db,
      t,
      live.flatMap((b, i) => (effects[i]!.flip ? [{ monitorId: b.monitorId, facts: effects[i]!.flip!, at: b.at, pingId: pingIds[i]! }] : [])),
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
        ping_count: pingCount,
        status_changed_at: statusChanged ? lastAt.get(monitorId) : Number(r.status_changed_at),
      });
      if (prunable) await prune(monitorId, t);
      if (s.lateAt !== before.lateAt || s.downAt !== before.downAt || statusChanged) {
        moved.push({ id: monitorId, status: s.status, lateAt: s.lateAt, downAt: s.downAt });
      }
    }
    await updateMonitors(rowsOut, t);

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

  const MONITOR_COLUMNS = ["status", "late_at", "down_at", "last_ping_at", "last_ping_kind", "last_start_at", "ping_count", "status_changed_at"];

  /**
   * All monitors a batch touched, in one UPDATE with a CASE per column (portable to SQLite and
   * MariaDB): a batch of 200 pings to 200 monitors is one statement, not 200.
   */
  async function updateMonitors(rows: Record<string, unknown>[], t: Transaction): Promise<void> {
    if (!rows.length) return;
    const args: unknown[] = [];
    const sets = MONITOR_COLUMNS.map((col) => {
      const whens = rows.map((r) => {
        args.push(r.id, r[col]);
        return "WHEN ? THEN ?";
      });
      return `${col} = CASE id ${whens.join(" ")} END`;
    });
    args.push(rows.map((r) => r.id));
    await db.change(`UPDATE monitors SET ${sets.join(", ")} WHERE id IN (?)`, args, t);
  }

  /** Keeps the newest PING_RETENTION pings of a monitor. */
  async function prune(monitorId: number, t: Transaction): Promise<void> {
    const [cut] = await db.select<{ id: number }>(
      "SELECT id FROM pings WHERE monitor_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?",
      [monitorId, config.pingRetention - 1],
      t,
    );
    if (cut) await db.change("DELETE FROM pings WHERE monitor_id = ? AND id < ?", [monitorId, Number(cut.id)], t);
  }

  return {
    name: "ingest",

    actions: {
      ping: {
        params: {
          code: { type: "string", pattern: CODE_PATTERN },
          kind: { type: "enum", values: ["success", "start", "fail", "log"] },
          exitStatus: { type: "number", integer: true, min: 0, max: 255, nullable: true },
          data: { type: "string", nullable: true, max: config.pingBodyLimit },
          dataTruncated: { type: "boolean" },
          sourceIp: { type: "string", max: 64, nullable: true },
          userAgent: { type: "string", max: 1000, nullable: true },
        },
        async handler(ctx: Context<PingParams>): Promise<PingAccepted> {
          const p = ctx.params;
          await resolveIds([p.code]);
          const monitorId = idByCode.get(p.code);
          if (monitorId === undefined) throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
          const userAgent = p.userAgent === null ? null : p.userAgent.slice(0, 200);
          return new Promise<PingAccepted>((resolve, reject) => {
            queue.push({ p: { ...p, userAgent }, monitorId, at: clock.now(), resolve, reject });
            // setImmediate: pings that arrive in the same turn of the event loop share the batch.
            if (!flushing) flushing = new Promise<void>((done) => setImmediate(() => flush().finally(done)));
          });
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
      logger = this.logger;
    },

    async stopped() {
      // Let the pings already accepted into the queue reach the database before leaving.
      if (flushing) await flushing;
    },
  };
}
