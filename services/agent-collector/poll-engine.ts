// The collector's engine: every TICK_MS it claims due hosts up to the free slots
// (COLLECTOR_CONCURRENCY), polls each over SSH, stores the sample and the host's next poll, and
// reports the result as a ping of the host's monitor; once an hour it deletes old samples.
// Its state (polls in flight, timers, the claim counter) is this one class.

import fs from "node:fs/promises";
import type { Logger, ServiceBroker } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import type { HostRow } from "../../core/db/hosts.ts";
import { parseCheck, evaluate, failureReport, type Check } from "../../core/hosts/host-checks.ts";
import { collectOverSsh } from "../../agent/collector.ts";
import { claimHosts } from "../../core/db/claims.ts";
import { deleteSamplesBefore, hostExists, monitorCode, recordPoll } from "../../core/db/hosts-poll.ts";

const TICK_MS = 500;
const SWEEP_MS = 3_600_000;

export interface PollOutcome {
  ok: boolean;
  startedAt: string;
  durationMs: number;
  metrics: unknown;
  breaches: string[];
  error: string | null;
}

/** Spread the next polls of hosts with one interval over ±10 % of it (at most ±30 s). */
function jitterMs(intervalMs: number, random = Math.random): number {
  const j = Math.min(intervalMs * 0.1, 30_000);
  return Math.round((random() * 2 - 1) * j);
}

function summary(
  m: { cpuPercent: number; memoryPercent: number; disks: { mount: string; usedPercent: number }[] } | null,
): string {
  if (!m) return "";
  const disks = m.disks.map((d) => `disk ${d.mount} ${Math.round(d.usedPercent)}%`).join(", ");
  return `ok: cpu ${m.cpuPercent.toFixed(1)}%, memory ${m.memoryPercent.toFixed(1)}%${disks ? ", " + disks : ""}`;
}

export class PollEngine {
  readonly concurrency: number;
  /** hosts being polled by this collector now */
  readonly inFlight = new Set<number>();
  /** the most polls in flight at once since the start */
  peak = 0;
  private readonly leaseMs: number;
  private logger!: Logger;
  private broker!: ServiceBroker;
  private timer: NodeJS.Timeout | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private running = false;
  private claims = 0;
  private ticking = false;
  private readonly deps: ServiceDeps;

  constructor(deps: ServiceDeps) {
    this.deps = deps;
    const { concurrency, connectTimeoutMs, commandTimeoutMs } = deps.config.collector;
    this.concurrency = concurrency;
    // Connect, the 1 s CPU sample, the commands, and room to record: a live collector's claim never lapses mid-poll.
    this.leaseMs = connectTimeoutMs + commandTimeoutMs + 15_000;
  }

  /** The service's logger and broker, known once it is created. */
  attach(logger: Logger, broker: ServiceBroker): void {
    this.logger = logger;
    this.broker = broker;
  }

  async start(): Promise<void> {
    this.running = true;
    this.timer = setInterval(
      () => void this.tick().catch((err) => this.logger.warn("claiming hosts failed:", (err as Error).message)),
      TICK_MS,
    );
    this.sweeper = setInterval(() => void this.sweep().catch(() => undefined), SWEEP_MS);
    await this.sweep();
    void this.tick();
  }

  /** Lets the polls in flight finish (bounded by the SSH time-outs); their leases would free them anyway. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    const until = Date.now() + this.pollLimitMs();
    while (this.inFlight.size && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  }

  /**
   * Polls one host now, after waiting for a poll of it already running (here or on another
   * collector): "not found" for no such host, "busy" when that poll does not end in time.
   */
  async checkNow(id: number): Promise<PollOutcome | "not found" | "busy"> {
    if (!(await hostExists(this.deps.db, id))) return "not found";
    const until = Date.now() + this.pollLimitMs();
    for (;;) {
      const { token, rows } = await this.claim(1, id);
      if (rows.length) return this.poll(rows[0]!, token);
      if (Date.now() > until) return "busy";
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Takes due hosts up to the free slots and starts their polls. */
  async tick(): Promise<void> {
    if (!this.running || this.ticking) return;
    this.ticking = true;
    try {
      const free = this.concurrency - this.inFlight.size;
      if (free <= 0) return;
      const { token, rows } = await this.claim(free);
      for (const host of rows)
        void this.poll(host, token).catch((err) =>
          this.logger.warn(`poll of host ${host.name} failed to record:`, (err as Error).message),
        );
    } finally {
      this.ticking = false;
    }
  }

  /** One poll's connect and command time-outs. */
  private pollLimitMs(): number {
    const { connectTimeoutMs, commandTimeoutMs } = this.deps.config.collector;
    return connectTimeoutMs + commandTimeoutMs;
  }

  private async claim(limit: number, only?: number): Promise<{ token: string; rows: HostRow[] }> {
    const token = `${this.broker.nodeID}#${++this.claims}`;
    const rows = await claimHosts(this.deps.db, {
      token,
      now: this.deps.clock.now(),
      leaseMs: this.leaseMs,
      limit,
      only,
    });
    return { token, rows };
  }

  private async poll(host: HostRow, token: string): Promise<PollOutcome> {
    const { config, db, clock, secrets: box } = this.deps;
    const { connectTimeoutMs, commandTimeoutMs } = config.collector;
    this.inFlight.add(Number(host.id));
    this.peak = Math.max(this.peak, this.inFlight.size);
    const started = clock.now();
    try {
      const checks = (JSON.parse(host.checks) as string[])
        .map((c) => parseCheck(c))
        .filter((c) => c.ok)
        .map((c) => (c as { check: Check }).check);
      let privateKey = host.private_key === null ? null : box.open(host.private_key);
      let keyError: string | null = null;
      if (!privateKey && host.key_path) {
        privateKey = await fs.readFile(host.key_path, "utf8").catch((e: NodeJS.ErrnoException) => {
          keyError = `cannot read the key file ${host.key_path}: ${e.code ?? e.message}`;
          return null;
        });
      }
      const result = keyError
        ? ({ ok: false, kind: "auth", error: keyError, durationMs: 0, hostKeyFingerprint: undefined } as const)
        : await collectOverSsh({
            host: host.address,
            port: Number(host.port),
            username: host.username,
            privateKey: privateKey ?? "",
            passphrase: host.passphrase === null ? undefined : box.open(host.passphrase),
            hostKeyFingerprint: host.host_key_fingerprint,
            trustOnFirstUse: Boolean(Number(host.trust_on_first_use)),
            connectTimeoutMs,
            commandTimeoutMs,
            processes: JSON.parse(host.processes) as string[],
          });
      const breaches = result.ok ? evaluate(checks, result.metrics) : [];
      const ok = result.ok && breaches.length === 0;
      const report = result.ok
        ? failureReport(host.name, breaches)
        : failureReport(host.name, { kind: result.kind, error: result.error });
      const outcome: PollOutcome = {
        ok,
        startedAt: new Date(started).toISOString(),
        durationMs: clock.now() - started,
        metrics: result.ok ? result.metrics : null,
        breaches: ok ? [] : report.split("\n").filter(Boolean),
        error: result.ok ? null : result.error,
      };
      const m = result.ok ? result.metrics : null;
      const interval = Number(host.interval_seconds) * 1000;
      const seen = result.hostKeyFingerprint;
      // Trust on first use: the first key seen is pinned; any later change is refused.
      const pin =
        !host.host_key_fingerprint && Boolean(Number(host.trust_on_first_use)) && result.ok && seen
          ? seen
          : host.host_key_fingerprint;
      await recordPoll(
        db,
        {
          hostId: host.id,
          startedAt: started,
          durationMs: outcome.durationMs,
          ok,
          cpu: m?.cpuPercent ?? null,
          memory: m?.memoryPercent ?? null,
          swap: m?.swapPercent ?? null,
          load1: m?.load[0] ?? null,
          disks: m ? JSON.stringify(m.disks.map((d) => ({ mount: d.mount, usedPercent: d.usedPercent }))) : null,
          error: outcome.error?.slice(0, 500) ?? null,
          polledBy: this.broker.nodeID,
        },
        {
          lastResult: JSON.stringify(outcome),
          hostKeyFingerprint: pin,
          nextPollAt: started + interval + jitterMs(interval),
        },
        token,
      );
      const code = host.monitor_id === null ? null : await monitorCode(db, host.monitor_id);
      if (code) {
        await this.broker.call("ingest.ping", {
          code,
          kind: ok ? "success" : "fail",
          exitStatus: null,
          data: (ok ? summary(m) : report).slice(0, config.pingBodyLimit),
          dataTruncated: false,
          sourceIp: null,
          userAgent: "heartbeats agent-collector",
        });
      }
      return outcome;
    } finally {
      this.inFlight.delete(Number(host.id));
      // A slot is free: take the next due host now rather than at the next tick.
      if (this.running) setImmediate(() => void this.tick().catch(() => undefined));
    }
  }

  private async sweep(): Promise<void> {
    await deleteSamplesBefore(this.deps.db, this.deps.clock.now() - this.deps.config.collector.retentionMs);
  }
}
