// An open-loop ping load for fault and scale tests: offers `rate` pings per second, paced by
// the clock (not by timer ticks, which drift late under load), whatever the server answers,
// and keeps what a job would know: which pings were acknowledged (2xx) and what the others got.

import http from "node:http";

export interface PingLoadOptions {
  base: string;
  rate: number;
  seconds: number;
  /** the code to ping next at `elapsed` ms, or null for none this time */
  next(elapsed: number): string | null;
  /** called on every tick with the elapsed ms (for faults at a moment of the run) */
  onTick?(elapsed: number): void;
  /** offered pings beyond this many unanswered are counted as refused ("backlog") */
  maxOutstanding?: number;
}

export interface PingLoadResult {
  offered: number;
  /** when the load began (epoch ms): elapsed times count from here */
  startedAt: number;
  acknowledged: number;
  /** acknowledged pings per code */
  acked: Map<string, number>;
  /** non-2xx answers and transport errors, by status or message */
  refused: Record<string, number>;
  /** refusals that carried a Retry-After header */
  retryAfter: number;
  /** latency of each acknowledged ping, ms, in the order they came */
  latencies: number[];
  /** [elapsed ms at the answer, status or error, elapsed ms when it was sent] of every answer, for timelines */
  answers: [number, string, number][];
  durationMs: number;
}

export async function runPingLoad(opts: PingLoadOptions): Promise<PingLoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const r: PingLoadResult = {
    startedAt: Date.now(),
    offered: 0,
    acknowledged: 0,
    acked: new Map(),
    refused: {},
    retryAfter: 0,
    latencies: [],
    answers: [],
    durationMs: 0,
  };
  const max = opts.maxOutstanding ?? 1000;
  let outstanding = 0;
  const t0 = r.startedAt;
  const refuse = (why: string, sentAt: number) => {
    r.refused[why] = (r.refused[why] ?? 0) + 1;
    r.answers.push([Date.now() - t0, why, sentAt]);
  };
  const ping = (code: string) => {
    r.offered++;
    outstanding++;
    const sent = performance.now();
    const sentAt = Date.now() - t0;
    const req = http.request(`${opts.base}/ping/${code}`, { method: "POST", agent, timeout: 30_000 }, (res) => {
      res.resume();
      res.on("end", () => {
        outstanding--;
        const status = res.statusCode!;
        if (status >= 200 && status < 300) {
          r.acknowledged++;
          r.acked.set(code, (r.acked.get(code) ?? 0) + 1);
          r.latencies.push(performance.now() - sent);
          r.answers.push([Date.now() - t0, String(status), sentAt]);
        } else {
          if (res.headers["retry-after"]) r.retryAfter++;
          refuse(String(status), sentAt);
        }
      });
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", (err) => {
      outstanding--;
      refuse(err.message, sentAt);
    });
    req.end();
  };
  let scheduled = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = Date.now() - t0;
      if (elapsed >= opts.seconds * 1000) {
        clearInterval(timer);
        resolve();
        return;
      }
      const target = Math.floor((opts.rate * elapsed) / 1000);
      while (scheduled < target) {
        scheduled++;
        if (outstanding > max) {
          r.offered++;
          refuse("backlog", elapsed);
          continue;
        }
        const code = opts.next(elapsed);
        if (code !== null) ping(code);
      }
      opts.onTick?.(elapsed);
    }, 20);
  });
  r.durationMs = Date.now() - t0;
  const until = Date.now() + 40_000;
  while (outstanding > 0 && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
  agent.destroy();
  if (outstanding > 0) throw new Error(`${outstanding} pings still unanswered 40 s after the load ended`);
  return r;
}
