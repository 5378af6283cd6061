// The scale-out fault scenario, shared by the CI test (test/e2e/scale-out.test.ts, short) and
// the benchmark (bench/scale-out.ts, the full minute): every service in its own OS process on
// the real NATS and MariaDB — gateway ×1, registry ×1, ingest ×2, checker ×2, notifier ×2 —
// under a steady ping load, with one checker and one notifier SIGKILLed midway and replaced.
//
// Monitors come in two groups:
// - steady: pinged all along, with deadlines far enough away that they must never flip down;
// - dying: pinged until a moment spread over the run, then silent, so that each must flip down
//   exactly once — some of them while the killed checker's share is being taken over.
// One webhook channel on every monitor: each down flip must reach a real receiver once.

import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";
import { startReceiver, type Receiver } from "./receiver.ts";
import { freePort, startProcess, stopProcess, waitReady, waitOutput, eventually, type Proc } from "./system.ts";
import { api, type Api } from "./api.ts";
import { scratchDatabase, NATS_URL } from "./services.ts";
import { runPingLoad } from "./ping-load.ts";

export interface ScaleOutOptions {
  monitors: number;
  dying: number;
  /** pings per second the load generator offers */
  rate: number;
  seconds: number;
  log?: (line: string) => void;
}

export interface ScaleOutReport {
  offered: number;
  acknowledged: number;
  refused: Record<string, number>;
  stored: number;
  /** monitors whose stored ping count differs from their acknowledged count */
  pingMismatches: string[];
  achievedRate: number;
  ackLatencyMs: { p50: number; p99: number };
  dying: number;
  downFlips: number;
  /** dying monitors without exactly one down flip, and steady monitors that flipped down */
  flipErrors: string[];
  detectionMs: { min: number; p50: number; p99: number; max: number };
  /** of the monitors whose deadline fell after the kill, until the survivors took over */
  detectionDuringTakeoverMs: { count: number; max: number };
  takeoverMs: number;
  deliveries: {
    expected: number;
    distinctKeys: number;
    requests: number;
    repeatedKeys: number;
    missing: number;
    unexpected: number;
  };
  checkerShares: string[];
  /** 200 concurrent pings of one monitor through both ingest replicas */
  /** the ingest replica stopped by SIGTERM under load: its exit code and how long it took */
  ingestStop: { code: number | null; line: string };
  sameMonitor: {
    sent: number;
    acknowledged: number;
    stored: number;
    perIngest: number[];
    lastPingIsNewest: boolean;
    status: string;
  };
}

const q = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! : NaN;

export async function runScaleOut(opts: ScaleOutOptions): Promise<ScaleOutReport> {
  const log = opts.log ?? (() => {});
  const ns = randomBytes(3).toString("hex");
  const admin: [string, string] = ["root", "correct horse battery"];
  const procs: Proc[] = [];
  const db = await scratchDatabase();
  const rx: Receiver = await startReceiver();
  let sql: mysql.Connection | null = null;
  try {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const common = {
      DATABASE_URL: db.url,
      TRANSPORTER: NATS_URL,
      NAMESPACE: `hb-scale-${ns}`,
      PING_AUTH: "none",
      ALLOW_PRIVATE_WEBHOOKS: "true",
      // a killed notifier's claims come back after 2×(2+1)+5 = 11 s
      CHANNEL_TIMEOUT_MS: "2000",
      NOTIFIER_POLL_MS: "1000",
      LOG_LEVEL: "info",
    };
    const start = (name: string, services: string, extra: Record<string, string> = {}) => {
      const p = startProcess(name, { ...common, SERVICES: services, NODE_ID: `${name}-${ns}`, ...extra });
      procs.push(p);
      return p;
    };
    const registry = start("registry-1", "registry", { ADMIN_USERNAME: admin[0], ADMIN_PASSWORD: admin[1] });
    await waitOutput(registry, /Service 'registry' started/, 60_000);
    const gateway = start("gateway-1", "gateway", { PORT: String(port), HOST: "127.0.0.1" });
    const ingestOps = [await freePort(), await freePort()];
    const ingest = [
      start("ingest-1", "ingest", { OPS_PORT: String(ingestOps[0]) }),
      start("ingest-2", "ingest", { OPS_PORT: String(ingestOps[1]) }),
    ];
    const checkers = [start("checker-1", "checker"), start("checker-2", "checker")];
    const notifiers = [start("notifier-1", "notifier"), start("notifier-2", "notifier")];
    await waitReady(`${base}/readyz`, procs, 90_000);
    for (const i of ingest) await waitOutput(gateway, new RegExp(`Node '${i.name}-${ns}' connected`), 60_000);
    // Each checker says so when it sees the other join, or at its start if the other came first.
    const both = /monitors shared by 2 checkers|\(2 checkers live\)/;
    for (const c of checkers) await waitOutput(c, both, 60_000);
    for (const n of notifiers) await waitOutput(n, /Service 'notifier' started/, 60_000);
    log(`8 processes up: ${procs.map((p) => p.name).join(", ")}`);

    // Monitors: steady ones never come near a deadline; dying ones go down 10 s after their last ping.
    const a: Api = api(base, admin);
    const ch = await a.call("POST", "/api/v1/channels", {
      name: "receiver",
      type: "webhook",
      config: { url: `${rx.url}/alerts` },
    });
    if (ch.status !== 201) throw new Error(`channel: ${ch.status} ${JSON.stringify(ch.body)}`);
    const create = async (n: number, prefix: string, periodSeconds: number, graceSeconds: number) => {
      const out: { id: number; code: string }[] = [];
      for (let i = 0; i < n; i += 25) {
        const chunk = await Promise.all(
          Array.from({ length: Math.min(25, n - i) }, (_, j) =>
            a.call("POST", "/api/v1/monitors", {
              name: `${prefix}-${i + j}`,
              schedule: { kind: "interval", periodSeconds, graceSeconds },
              channels: [ch.body.id],
            }),
          ),
        );
        for (const r of chunk) {
          if (r.status !== 201) throw new Error(`monitor: ${r.status} ${JSON.stringify(r.body)}`);
          out.push({ id: r.body.id, code: r.body.code });
        }
      }
      return out;
    };
    const steady = await create(opts.monitors - opts.dying, "steady", 600, 300);
    const created = Date.now();
    const dying = await create(opts.dying, "dying", 8, 2);
    log(`${steady.length} steady and ${dying.length} dying monitors created`);

    // Both ingest replicas at once on one monitor: 200 concurrent pings, all stored, and the
    // monitor's last ping is the newest of them whichever replica committed last.
    const target = steady[0]!;
    const burst = await Promise.all(
      Array.from({ length: 200 }, () => fetch(`${base}/ping/${target.code}`, { method: "POST" }).then((r) => r.status)),
    );
    const perIngest = await Promise.all(
      ingestOps.map(async (p) => {
        const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text();
        const line = text
          .split("\n")
          .find((l) => l.startsWith("heartbeats_pings_accepted_total{") && l.includes('kind="success"'));
        return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : 0;
      }),
    );
    const burstSql = await mysql.createConnection(db.url);
    const [[burstRow]] = (await burstSql.query(
      "SELECT COUNT(p.id) AS stored, MAX(p.received_at) AS newest, m.last_ping_at, m.status FROM monitors m JOIN pings p ON p.monitor_id = m.id WHERE m.id = ? GROUP BY m.id",
      [target.id],
    )) as unknown as [{ stored: number; newest: number; last_ping_at: number; status: string }[]];
    await burstSql.end();
    const sameMonitor = {
      sent: burst.length,
      acknowledged: burst.filter((s) => s === 200).length,
      stored: Number(burstRow!.stored),
      perIngest,
      lastPingIsNewest: Number(burstRow!.last_ping_at) === Number(burstRow!.newest),
      status: burstRow!.status,
    };
    log(`same-monitor burst: ${JSON.stringify(sameMonitor)}`);

    // Each dying monitor falls silent at a moment spread over [6 s, end − 12 s] of the run.
    const runMs = opts.seconds * 1000;
    const silentAt = new Map<string, number>();
    dying.forEach((m, i) => silentAt.set(m.code, 6000 + ((runMs - 18_000) * i) / Math.max(1, dying.length - 1)));

    // The load: an open loop offering `rate` pings per second, round-robin over the monitors
    // still pinged (dying ones first, so that each is up before its deadline from creation).
    const order = [...dying, ...steady].map((m) => m.code);
    let cursor = 0;
    if (Date.now() - created > 8000)
      throw new Error("creating the dying monitors took too long: they would go down before the first ping");
    const killAt = runMs / 2;
    let rolled = false;
    let ingestStop = { code: null as number | null, line: "" };
    let killed = false;
    let killTime = 0;
    let takeoverMs = NaN;
    const load = await runPingLoad({
      base,
      rate: opts.rate,
      seconds: opts.seconds,
      next(elapsed) {
        for (let tries = 0; tries < order.length; tries++) {
          const code = order[cursor++ % order.length]!;
          const stopAt = silentAt.get(code);
          if (stopAt === undefined || elapsed < stopAt) return code;
        }
        return null;
      },
      onTick(elapsed) {
        // A rolling update of ingest: one replica stopped gracefully under load, a new one started.
        if (!rolled && elapsed >= runMs * 0.75) {
          rolled = true;
          log(`${elapsed} ms: SIGTERM ${ingest[1]!.name}, starting ingest-3`);
          start("ingest-3", "ingest");
          const stopping = ingest[1]!;
          stopping.child.kill("SIGTERM");
          // 'exit' can come before the last output is read: give the pipe a moment
          void stopping.exited
            .then((code) => new Promise<number | null>((r) => setTimeout(() => r(code), 300)))
            .then((code) => {
              ingestStop = { code, line: stopping.output.join("").match(/stopped in \d+ ms/)?.[0] ?? "no stop line" };
              log(`${stopping.name} exited ${code}: ${ingestStop.line}`);
            });
        }
        if (!killed && elapsed >= killAt) {
          killed = true;
          killTime = Date.now();
          checkers[0]!.child.kill("SIGKILL");
          notifiers[0]!.child.kill("SIGKILL");
          log(`${elapsed} ms: SIGKILL ${checkers[0]!.name} and ${notifiers[0]!.name}`);
          const survivor = checkers[1]!;
          const seen = survivor.output.join("").length;
          void eventually(
            async () => {
              const text = survivor.output.join("").slice(seen);
              const shares = text.match(/monitors shared by \d+ checkers? \([^)]*\)/g);
              return shares && !shares.at(-1)!.includes(`${checkers[0]!.name}-`) ? true : null;
            },
            60_000,
            "the surviving checker to take over",
            20,
          ).then(() => {
            takeoverMs = Date.now() - killTime;
            log(`${checkers[1]!.name} took over after ${takeoverMs} ms`);
          });
          // replacements, as a Deployment would start them
          setTimeout(() => {
            start("checker-3", "checker");
            start("notifier-3", "notifier");
          }, 1000);
        }
      },
    });
    const { offered, acknowledged, acked, refused, latencies } = load;
    const loadMs = load.durationMs;
    log(`load done: ${offered} offered, ${acknowledged} acknowledged in ${loadMs} ms`);

    // Every dying monitor goes down and its alert is delivered; then nothing more happens.
    sql = await mysql.createConnection(db.url);
    const dyingIds = dying.map((m) => m.id);
    await eventually(
      async () => {
        const [rows] = await sql!.query("SELECT COUNT(*) AS n FROM monitors WHERE id IN (?) AND status = 'down'", [
          dyingIds,
        ]);
        return Number((rows as { n: number }[])[0]!.n) === dyingIds.length;
      },
      60_000,
      "every dying monitor to be down",
      250,
    );
    await eventually(
      async () => {
        const [rows] = await sql!.query("SELECT COUNT(*) AS n FROM deliveries WHERE state <> 'sent'");
        return Number((rows as { n: number }[])[0]!.n) === 0;
      },
      90_000,
      "every delivery to be sent",
      250,
    );
    await new Promise((r) => setTimeout(r, 2000));

    const [pingRows] = await sql.query(
      "SELECT m.code, COUNT(p.id) AS n FROM monitors m LEFT JOIN pings p ON p.monitor_id = m.id GROUP BY m.code",
    );
    const stored = new Map((pingRows as { code: string; n: number }[]).map((r) => [r.code, Number(r.n)]));
    const pingMismatches: string[] = [];
    acked.set(target.code, (acked.get(target.code) ?? 0) + sameMonitor.acknowledged);
    for (const code of order) {
      if ((stored.get(code) ?? 0) !== (acked.get(code) ?? 0))
        pingMismatches.push(`${code}: acknowledged ${acked.get(code) ?? 0}, stored ${stored.get(code) ?? 0}`);
    }

    const [flipRows] = await sql.query(
      "SELECT f.monitor_id, f.id, f.to_status, f.reason, f.flipped_at, m.down_at, m.late_at FROM flips f JOIN monitors m ON m.id = f.monitor_id WHERE f.to_status IN ('down', 'late')",
    );
    const flips = flipRows as {
      monitor_id: number;
      id: number;
      to_status: string;
      reason: string;
      flipped_at: number;
      down_at: number;
      late_at: number;
    }[];
    const dyingSet = new Set(dyingIds);
    const downs = new Map<number, typeof flips>();
    const flipErrors: string[] = [];
    for (const f of flips) {
      if (!dyingSet.has(Number(f.monitor_id)))
        flipErrors.push(`steady monitor ${f.monitor_id} flipped ${f.to_status} (${f.reason})`);
      else if (f.to_status === "down") downs.set(Number(f.monitor_id), [...(downs.get(Number(f.monitor_id)) ?? []), f]);
    }
    const lates = new Map<number, number>();
    for (const f of flips)
      if (f.to_status === "late") lates.set(Number(f.monitor_id), (lates.get(Number(f.monitor_id)) ?? 0) + 1);
    for (const id of dyingIds) {
      const d = downs.get(id) ?? [];
      if (d.length !== 1) flipErrors.push(`dying monitor ${id}: ${d.length} down flips`);
      else if (d[0]!.reason !== "no-ping") flipErrors.push(`dying monitor ${id}: down for ${d[0]!.reason}`);
      if ((lates.get(id) ?? 0) > 1) flipErrors.push(`dying monitor ${id}: ${lates.get(id)} late flips`);
    }
    const delays = [...downs.values()]
      .flat()
      .map((f) => ({ delay: Number(f.flipped_at) - Number(f.down_at), deadline: Number(f.down_at) }));
    const sorted = delays.map((d) => d.delay).sort((x, y) => x - y);
    const inTakeover = delays.filter(
      (d) => d.deadline >= killTime && d.deadline <= killTime + (Number.isNaN(takeoverMs) ? 60_000 : takeoverMs),
    );

    // Deliveries: one per down flip per channel, identified by the Idempotency-Key hb-<flip>-<channel>.
    const expectedKeys = new Set([...downs.values()].flat().map((f) => `hb-${f.id}-${ch.body.id}`));
    const byKey = rx.byKey();
    let missing = 0;
    for (const k of expectedKeys) if (!byKey.has(k)) missing++;
    let unexpected = 0;
    for (const k of byKey.keys()) if (!expectedKeys.has(k)) unexpected++;
    const requests = [...byKey.values()].reduce((s, n) => s + n, 0);
    const repeatedKeys = [...byKey.values()].filter((n) => n > 1).length;

    const checkerShares = procs
      .filter((p) => p.name.startsWith("checker") && p.child.exitCode === null && p.child.signalCode === null)
      .map(
        (p) =>
          `${p.name}: ${
            p.output
              .join("")
              .match(
                /monitors shared by \d+ checkers? \([^)]*\): this one watches \d+|checker watching \d+ monitors \(\d+ checkers? live\)/g,
              )
              ?.at(-1) ?? "no share line"
          }`,
      );

    latencies.sort((x, y) => x - y);
    return {
      offered,
      acknowledged,
      refused,
      // the load's pings: the burst is reported on its own
      stored: [...stored.values()].reduce((s, n) => s + n, 0) - sameMonitor.stored,
      pingMismatches,
      achievedRate: Math.round((acknowledged / loadMs) * 1000),
      ackLatencyMs: { p50: Math.round(q(latencies, 0.5)), p99: Math.round(q(latencies, 0.99)) },
      dying: dyingIds.length,
      downFlips: [...downs.values()].reduce((s, d) => s + d.length, 0),
      flipErrors,
      detectionMs: { min: sorted[0] ?? NaN, p50: q(sorted, 0.5), p99: q(sorted, 0.99), max: sorted.at(-1) ?? NaN },
      detectionDuringTakeoverMs: { count: inTakeover.length, max: Math.max(0, ...inTakeover.map((d) => d.delay)) },
      takeoverMs,
      deliveries: {
        expected: expectedKeys.size,
        distinctKeys: byKey.size,
        requests,
        repeatedKeys,
        missing,
        unexpected,
      },
      checkerShares,
      sameMonitor,
      ingestStop,
    };
  } finally {
    await sql?.end();
    await Promise.all(procs.map((p) => stopProcess(p)));
    await rx.close();
    await db.drop();
  }
}
