// What the fault tests share: monitors under load plus a "victim" whose deadline passes during
// the outage, an outage scheduled inside the ping load, and the checks of what must survive it.

import assert from "node:assert/strict";
import type mysql from "mysql2/promise";
import type { Api } from "./api.ts";
import type { Receiver } from "./receiver.ts";
import { eventually } from "./system.ts";

export interface FaultMonitors {
  codes: string[];
  victimId: number;
}

/** `n` monitors far from any deadline, and a never-pinged victim due 8 s from now; one webhook on all. */
export async function faultMonitors(a: Api, rx: Receiver, n: number): Promise<FaultMonitors> {
  const ch = (
    await a.call("POST", "/api/v1/channels", { name: "hook", type: "webhook", config: { url: `${rx.url}/alerts` } })
  ).body;
  const codes: string[] = [];
  for (let i = 0; i < n; i += 20) {
    const made = await Promise.all(
      Array.from({ length: Math.min(20, n - i) }, (_, j) =>
        a.call("POST", "/api/v1/monitors", {
          name: `load-${i + j}`,
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
          channels: [ch.id],
        }),
      ),
    );
    codes.push(...made.map((m) => m.body.code as string));
  }
  const victim = (
    await a.call("POST", "/api/v1/monitors", {
      name: "victim",
      schedule: { kind: "interval", periodSeconds: 4, graceSeconds: 4 },
      channels: [ch.id],
    })
  ).body;
  return { codes, victimId: victim.id };
}

/** An outage inside the load: `stop` at `downAt` ms, `start` at `upAt` ms; `state()` tells where it is. */
export function outage(downAt: number, upAt: number, stop: () => Promise<void>, start: () => Promise<void>) {
  let state: "up" | "down" | "restarting" | "restarted" = "up";
  return {
    state: () => state,
    onTick(elapsed: number) {
      if (state === "up" && elapsed >= downAt) {
        state = "down";
        void stop();
      }
      if (state === "down" && elapsed >= upAt) {
        state = "restarting";
        void start().then(() => (state = "restarted"));
      }
    },
  };
}

/** Stored pings per monitor against acknowledged ones: the codes with fewer stored than acknowledged, and the surplus. */
export async function lostPings(
  sql: mysql.Connection,
  codes: string[],
  acked: Map<string, number>,
): Promise<{ lost: string[]; stored: number; surplus: number }> {
  const [rows] = await sql.query(
    "SELECT m.code, COUNT(p.id) AS n FROM monitors m LEFT JOIN pings p ON p.monitor_id = m.id GROUP BY m.code",
  );
  const stored = new Map((rows as { code: string; n: number }[]).map((r) => [r.code, Number(r.n)]));
  return {
    lost: codes.filter((c) => (stored.get(c) ?? 0) < (acked.get(c) ?? 0)),
    stored: [...stored.values()].reduce((s, n) => s + n, 0),
    surplus: codes.reduce((s, c) => s + Math.max(0, (stored.get(c) ?? 0) - (acked.get(c) ?? 0)), 0),
  };
}

/** The victim went down once and its alert reached the receiver once. */
export async function victimAlertedOnce(a: Api, sql: mysql.Connection, rx: Receiver, victimId: number): Promise<void> {
  await eventually(
    async () => (await a.call("GET", `/api/v1/monitors/${victimId}`)).body.status === "down",
    30_000,
    "the victim to go down",
  );
  const isVictim = (r: Receiver["requests"][number]) => r.json?.monitor?.name === "victim";
  await eventually(async () => rx.requests.some(isVictim), 30_000, "the victim's alert");
  await new Promise((r) => setTimeout(r, 2000));
  const [flips] = await sql.query("SELECT COUNT(*) AS n FROM flips WHERE monitor_id = ? AND to_status = 'down'", [
    victimId,
  ]);
  assert.equal(Number((flips as { n: number }[])[0]!.n), 1, "one down flip");
  assert.equal(rx.requests.filter(isVictim).length, 1, "one alert");
}
