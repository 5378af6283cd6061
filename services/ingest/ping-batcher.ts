// ingest's engine: resolves codes to monitors (cached for good: a code never changes), queues
// the pings, and writes them in group commits — every ping that arrived while the previous
// batch was being written shares the next one (ping-batch.ts). A ping is answered only after
// its batch committed, so a 2xx means the ping, and any flip it caused, are stored.

import { Errors, type Logger, type ServiceBroker } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import type { Config } from "../../core/config.ts";
import type { Database } from "../../core/db/connect.ts";
import { monitorsByCode } from "../../core/db/pings.ts";
import type { Clock } from "../../core/checker/clock.ts";
import { METRICS, metric, type Metric } from "../metrics.ts";
import { pingSchema, type PingAccepted, type PingOutcome, type PingParams } from "./ping-params.ts";
import { writeBatch, type BatchResult, type Pending } from "./ping-batch.ts";

const { MoleculerClientError, ValidationError } = Errors;

type Waiter = { resolve: (id: number | undefined) => void; reject: (err: unknown) => void };

export class PingBatcher {
  private readonly config: Config;
  private readonly db: Database;
  private readonly clock: Clock;
  private broker!: ServiceBroker;
  private logger!: Logger;
  private metrics!: { accepted: Metric; refused: Metric; writeSeconds: Metric; flipped: Metric };
  /** ingest.ping's rules, compiled by Moleculer's validator: each ping of ingest.pings is checked by them */
  private checkPing!: (p: PingParams) => Error | null;
  /** A code never changes, so code → id can be cached for good; deletions drop their entry. */
  private readonly idByCode = new Map<string, number>();
  /** Codes not in the cache yet, looked up together on the next turn of the event loop. */
  private lookups: Map<string, Waiter[]> | null = null;
  private readonly queue: Pending[] = [];
  /**
   * Batches in flight at once. MariaDB: two, so that one batch's statements are on the wire while
   * the other commits (bench (c): 8,011 pings/s against 7,642 with one, 7,299 with three).
   * Locking the rows in id order keeps them from deadlocking each other, and READ COMMITTED (set
   * per connection in core/db/connect.ts) lets one batch's multi-row update, a full scan on a
   * small table, pass over the other batch's locked rows; InnoDB's deadlocks with other writers
   * are retried by hotWrite. SQLite: one; its writer is single and CPU-bound on the
   * main thread (two gave smaller batches and no more pings/s), and a second batch would only
   * stand between the checker's flips and the write lock.
   */
  private readonly depth: number;
  private writing = 0;
  private scheduled = false;
  /** stopping: waiting for the queue to drain */
  private readonly idle: (() => void)[] = [];

  constructor({ config, db, clock }: ServiceDeps) {
    this.config = config;
    this.db = db;
    this.clock = clock;
    this.depth = db.dialect === "mysql" ? 2 : 1;
  }

  /** The service was created: its broker, logger, metrics and validator. */
  attach(broker: ServiceBroker, logger: Logger): void {
    this.broker = broker;
    if (!broker.validator) throw new Error("ingest needs Moleculer's validator (moleculer.config.ts)");
    const check = broker.validator.compile(pingSchema(this.config.pingBodyLimit)) as (
      p: unknown,
    ) => true | Record<string, unknown>[];
    this.checkPing = (p) => {
      const res = check(p ?? {});
      // As Moleculer's validator middleware reports a failed ingest.ping.
      return res === true
        ? null
        : new ValidationError(
            "Parameters validation error!",
            "VALIDATION_ERROR",
            res.map((e) => ({ ...e, nodeID: broker.nodeID, action: "ingest.ping" })),
          );
    };
    this.logger = logger;
    this.metrics = {
      accepted: metric(broker, METRICS.pingsAccepted),
      refused: metric(broker, METRICS.pingsRefused),
      writeSeconds: metric(broker, METRICS.pingWrite),
      flipped: metric(broker, METRICS.flips),
    };
  }

  /** One ping (validated already): answered once its batch committed. */
  accept(p: PingParams): Promise<PingAccepted> {
    const monitorId = this.idByCode.get(p.code);
    if (monitorId !== undefined) return this.enqueue(p, monitorId);
    return this.lookUp(p.code).then((id) =>
      id !== undefined ? this.enqueue(p, id) : p.create ? this.provision(p) : this.unknownCode(),
    );
  }

  /** Many pings, each validated against ingest.ping's rules and answered on its own. */
  acceptAll(pings: PingParams[]): Promise<PingOutcome[]> {
    return Promise.all(
      pings.map((p) => {
        const invalid = this.checkPing(p);
        const answer = invalid ? Promise.reject(invalid) : this.accept(p);
        return answer.then(
          (ok) => ({ ok }),
          (err) => ({ error: this.plainError(err) }),
        );
      }),
    );
  }

  /** A monitor was deleted: its code no longer resolves. */
  forget(monitorId: number): void {
    for (const [code, id] of this.idByCode) if (id === monitorId) this.idByCode.delete(code);
  }

  /** Resolves once the pings already accepted into the queue reached the database. */
  async drained(): Promise<void> {
    if (this.queue.length || this.writing) await new Promise<void>((done) => this.idle.push(done));
  }

  /** Starts writing queued pings on the next turn of the event loop (pings arriving meanwhile share the batch). */
  private schedule(): void {
    if (this.scheduled || this.writing >= this.depth) return;
    this.scheduled = true;
    setImmediate(this.startBatch);
  }

  private readonly startBatch = (): void => {
    this.scheduled = false;
    if (this.writing >= this.depth || !this.queue.length) return;
    const batch = this.queue.splice(0, this.config.pingBatchMax);
    this.writing++;
    void this.writeOne(batch).finally(() => {
      this.writing--;
      if (this.queue.length) this.schedule();
      else if (!this.writing) for (const done of this.idle.splice(0)) done();
    });
  };

  /** Writes one batch and answers its pings: after the commit, or with 503 if it failed. */
  private async writeOne(batch: Pending[]): Promise<void> {
    let result: BatchResult;
    try {
      result = await this.db.hotWrite((tx) => writeBatch(batch, tx, this.config.pingRetention));
    } catch (err) {
      this.logger.error("ping batch failed; none of it was acknowledged:", (err as Error).message);
      const unavailable = new MoleculerClientError(
        "pings cannot be stored right now; retry later",
        503,
        "STORE_UNAVAILABLE",
      );
      for (const b of batch) b.reject(unavailable);
      this.metrics.refused.increment({ reason: "unavailable" }, batch.length);
      return;
    }
    for (const b of result.missing) {
      this.idByCode.delete(b.p.code);
      b.reject(new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" }));
    }
    const committed = this.clock.now();
    for (const [b, ok] of result.accepted) {
      b.resolve(ok);
      this.metrics.accepted.increment({ kind: b.p.kind });
      this.metrics.writeSeconds.observe((committed - b.at) / 1000);
    }
    if (result.missing.size) this.metrics.refused.increment({ reason: "unknown-code" }, result.missing.size);
    for (const f of result.flips) if (f.from !== f.to) this.metrics.flipped.increment({ to: f.to });
    if (result.moved.length) this.broker.broadcast("monitor.pinged", { monitors: result.moved });
    for (const f of result.flips) this.broker.broadcast("flip.recorded", f);
  }

  /** A code not in the cache: looked up with every other one that arrives in this turn. */
  private lookUp(code: string): Promise<number | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.lookups) {
        const mine = (this.lookups = new Map<string, Waiter[]>());
        setImmediate(() => {
          this.lookups = null;
          monitorsByCode(this.db, [...mine.keys()]).then(
            (rows) => {
              for (const r of rows) this.idByCode.set(r.code, Number(r.id));
              for (const [c, waiting] of mine) for (const w of waiting) w.resolve(this.idByCode.get(c));
            },
            (err) => {
              for (const waiting of mine.values()) for (const w of waiting) w.reject(err);
            },
          );
        });
      }
      const waiting = this.lookups.get(code);
      if (waiting) waiting.push({ resolve, reject });
      else this.lookups.set(code, [{ resolve, reject }]);
    });
  }

  private enqueue(p: PingParams, monitorId: number): Promise<PingAccepted> {
    const userAgent = p.userAgent === null ? null : p.userAgent.slice(0, 200);
    return new Promise<PingAccepted>((resolve, reject) => {
      this.queue.push({ p: { ...p, userAgent }, monitorId, at: this.clock.now(), resolve, reject });
      this.schedule();
    });
  }

  private unknownCode(): never {
    this.metrics.refused.increment({ reason: "unknown-code" });
    throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
  }

  /** Auto-provisioning: the registry creates the monitor (or finds the one a concurrent ping created). */
  private async provision(p: PingParams): Promise<PingAccepted> {
    const { id } = (await this.broker.call("registry.provision", { code: p.code })) as { id: number };
    this.idByCode.set(p.code, id);
    return this.enqueue(p, id);
  }

  private plainError(err: unknown): Record<string, unknown> {
    // The fields Moleculer sends of an error (its Regenerator's extractPlainError).
    const e = err as Record<string, unknown>;
    const plain: Record<string, unknown> = {
      name: e.name,
      message: e.message,
      nodeID: e.nodeID ?? this.broker.nodeID,
      code: e.code,
      type: e.type,
      retryable: e.retryable,
      data: e.data,
    };
    // Client errors travel without their stack; the gateway logs only the others, with it.
    if (!(typeof e.code === "number" && e.code >= 400 && e.code < 500)) plain.stack = e.stack;
    return plain;
  }
}
