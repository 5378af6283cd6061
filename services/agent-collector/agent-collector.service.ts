// agent-collector: polls hosts over SSH on their own intervals and reports each result as a
// ping of the host's monitor, so host alerts take the ordinary checker → notifier path.
// Hosts are claimed with a lease on their row (like the notifier's deliveries): several
// collectors share them, and one host is never polled twice at once.

import fs from "node:fs/promises";
import { Errors, type Context, type Logger, type ServiceBroker, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import type { HostRow } from "../registry-hosts.ts";
import { parseCheck, evaluate, failureReport, type Check } from "../../core/hosts/host-checks.ts";
import { collectOverSsh } from "../../agent/collector.ts";

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

export default function agentCollectorService({ config, db, clock, secrets: box }: ServiceDeps): ServiceSchema {
  const { concurrency, connectTimeoutMs, commandTimeoutMs, retentionMs } = config.collector;
  // Connect, the 1 s CPU sample, the commands, and room to record: a live collector's claim never lapses mid-poll.
  const leaseMs = connectTimeoutMs + commandTimeoutMs + 15_000;
  const inFlight = new Set<number>();
  let peak = 0;
  let logger: Logger;
  let broker: ServiceBroker;
  let timer: NodeJS.Timeout | null = null;
  let sweeper: NodeJS.Timeout | null = null;
  let running = false;
  let claims = 0;
  let ticking = false;

  const DUE = "enabled = :yes AND next_poll_at <= :now AND (lease_until IS NULL OR lease_until < :now)";

  async function claim(limit: number, only?: number): Promise<{ token: string; rows: HostRow[] }> {
    const now = clock.now();
    const token = `${broker.nodeID}#${++claims}`;
    const where = only === undefined ? DUE : "id = :only AND (lease_until IS NULL OR lease_until < :now)";
    const ids = (await db.select<{ id: number }>(`SELECT id FROM hosts WHERE ${where} ORDER BY next_poll_at LIMIT ${limit}`, { now, yes: true, only })).map((r) => Number(r.id));
    if (!ids.length) return { token, rows: [] };
    await db.write((t) =>
      db.change(`UPDATE hosts SET claimed_by = :token, lease_until = :lease WHERE id IN (:ids) AND ${where}`, { token, lease: now + leaseMs, ids, now, yes: true, only }, t),
    );
    return { token, rows: await db.select<HostRow>("SELECT * FROM hosts WHERE claimed_by = ? AND lease_until > ?", [token, now]) };
  }

  async function tick(): Promise<void> {
    if (!running || ticking) return;
    ticking = true;
    try {
      const free = concurrency - inFlight.size;
      if (free <= 0) return;
      const { token, rows } = await claim(free);
      for (const host of rows) void poll(host, token).catch((err) => logger.warn(`poll of host ${host.name} failed to record:`, (err as Error).message));
    } finally {
      ticking = false;
    }
  }

  async function monitorCode(host: HostRow): Promise<string | null> {
    if (host.monitor_id === null) return null;
    const [m] = await db.select<{ code: string }>("SELECT code FROM monitors WHERE id = ?", [host.monitor_id]);
    return m?.code ?? null;
  }

  async function poll(host: HostRow, token: string): Promise<PollOutcome> {
    inFlight.add(Number(host.id));
    peak = Math.max(peak, inFlight.size);
    const started = clock.now();
    try {
      const checks = (JSON.parse(host.checks) as string[]).map((c) => parseCheck(c)).filter((c) => c.ok).map((c) => (c as { check: Check }).check);
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
      const report = result.ok ? failureReport(host.name, breaches) : failureReport(host.name, { kind: result.kind, error: result.error });
      const outcome: PollOutcome = {
        ok,
        startedAt: new Date(started).toISOString(),
        durationMs: clock.now() - started,
        metrics: result.ok ? result.metrics : null,
        breaches: ok ? [] : report.split("\n").filter(Boolean),
        error: result.ok ? null : result.error,
      };
      const m = result.ok ? result.metrics : null;
      await db.write(async (t) => {
        await db.insertRows(
          "host_samples",
          ["host_id", "started_at", "duration_ms", "ok", "cpu", "memory", "swap", "load1", "disks", "error", "polled_by"],
          [[host.id, started, outcome.durationMs, ok, m?.cpuPercent ?? null, m?.memoryPercent ?? null, m?.swapPercent ?? null, m?.load[0] ?? null,
            m ? JSON.stringify(m.disks.map((d) => ({ mount: d.mount, usedPercent: d.usedPercent }))) : null, outcome.error?.slice(0, 500) ?? null, broker.nodeID]],
          t,
        );
        const interval = Number(host.interval_seconds) * 1000;
        const seen = result.hostKeyFingerprint;
        // Trust on first use: the first key seen is pinned; any later change is refused.
        const pin = !host.host_key_fingerprint && Boolean(Number(host.trust_on_first_use)) && result.ok && seen ? seen : host.host_key_fingerprint;
        await db.change(
          `UPDATE hosts SET last_poll_at = ?, last_result = ?, host_key_fingerprint = ?, next_poll_at = ?, lease_until = NULL, claimed_by = NULL
            WHERE id = ? AND claimed_by = ?`,
          [started, JSON.stringify(outcome), pin, started + interval + jitterMs(interval), host.id, token],
          t,
        );
      });
      const code = await monitorCode(host);
      if (code) {
        await broker.call("ingest.ping", {
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
      inFlight.delete(Number(host.id));
      // A slot is free: take the next due host now rather than at the next tick.
      if (running) setImmediate(() => void tick().catch(() => undefined));
    }
  }

  function summary(m: { cpuPercent: number; memoryPercent: number; disks: { mount: string; usedPercent: number }[] } | null): string {
    if (!m) return "";
    const disks = m.disks.map((d) => `disk ${d.mount} ${Math.round(d.usedPercent)}%`).join(", ");
    return `ok: cpu ${m.cpuPercent.toFixed(1)}%, memory ${m.memoryPercent.toFixed(1)}%${disks ? ", " + disks : ""}`;
  }

  async function sweep(): Promise<void> {
    await db.write((t) => db.change("DELETE FROM host_samples WHERE started_at < ?", [clock.now() - retentionMs], t));
  }

  return {
    name: "agent-collector",

    actions: {
      /** Polls one host now (also sending its ping) and answers the metrics; waits for a poll already running, 409 if it does not end. */
      check: {
        // Waiting out a poll in flight and then polling can take two polls' time-outs, more than
        // the broker's 15 s request time-out: without its own, a slow host's check ended in a 503.
        // (Moleculer's timeout middleware reads an action's `timeout`; its types do not list it.)
        ...{ timeout: config.collector.checkNowTimeoutMs },
        params: { id: { type: "number", convert: true, integer: true, positive: true } },
        async handler(ctx: Context<{ id: number }>) {
          const [exists] = await db.select<{ id: number }>("SELECT id FROM hosts WHERE id = ?", [ctx.params.id]);
          if (!exists) throw new Errors.MoleculerClientError("host not found", 404, "NOT_FOUND", { field: "id" });
          // A scheduled poll of this host may be running (here or on another collector): wait for it to end.
          const until = Date.now() + connectTimeoutMs + commandTimeoutMs;
          for (;;) {
            const { token, rows } = await claim(1, ctx.params.id);
            if (rows.length) return poll(rows[0]!, token);
            if (Date.now() > until) throw new Errors.MoleculerClientError("this host is being polled right now; try again in a moment", 409, "CONFLICT", { field: "id" });
            await new Promise((r) => setTimeout(r, 200));
          }
        },
      },

      /** How busy this collector is: polls in flight and the most at once since it started. */
      stats: {
        visibility: "public",
        handler() {
          return { inFlight: inFlight.size, peak, concurrency };
        },
      },
    },

    events: {
      "host.changed"() {
        void tick().catch(() => undefined);
      },
    },

    created() {
      logger = this.logger;
      broker = this.broker;
    },

    async started() {
      running = true;
      timer = setInterval(() => void tick().catch((err) => logger.warn("claiming hosts failed:", (err as Error).message)), TICK_MS);
      sweeper = setInterval(() => void sweep().catch(() => undefined), SWEEP_MS);
      await sweep();
      void tick();
    },

    async stopped() {
      running = false;
      if (timer) clearInterval(timer);
      if (sweeper) clearInterval(sweeper);
      // Polls in flight finish (bounded by the SSH time-outs); their leases would free them anyway.
      const until = Date.now() + connectTimeoutMs + commandTimeoutMs;
      while (inFlight.size && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    },
  };
}
