// The original tool's ping history, for `heartbeats import heartbeats-mysql --pings`: read in
// batches by id (a keyset query a batch, never the whole table in memory) and written a batch a
// transaction through registry.importPings, with a progress line on stderr.

import type { Connection } from "mysql2/promise";
import type { ServiceBroker } from "moleculer";
import { originalPing, type OriginalPing } from "../core/import/heartbeats-mysql.ts";
import type { CodedPing } from "../core/import/plan.ts";

/** Rows read (and written) at a time. */
export const PING_BATCH = 5000;

export interface PingTotals {
  read: number;
  imported: number;
}

/**
 * Streams the pings of the services in `codeOf` (service id → monitor code) into their monitors;
 * a dry run reads and counts them and writes nothing.
 */
export async function importOriginalPings(
  conn: Connection,
  broker: ServiceBroker,
  codeOf: Map<number, string>,
  dryRun: boolean,
): Promise<PingTotals> {
  const totals: PingTotals = { read: 0, imported: 0 };
  const progress = progressLine(dryRun ? "would import" : "imported");
  let after = 0;
  for (;;) {
    const [rows] = await conn.query(
      "SELECT id, service_id, remote_addr, ua, data, created FROM ping WHERE id > ? ORDER BY id LIMIT ?",
      [after, PING_BATCH],
    );
    const batch = rows as (OriginalPing & { id: number })[];
    if (!batch.length) break;
    after = Number(batch[batch.length - 1].id);
    const pings: CodedPing[] = [];
    for (const row of batch) {
      const code = codeOf.get(Number(row.service_id));
      if (code !== undefined) pings.push({ code, ...originalPing(row) });
    }
    totals.read += batch.length;
    if (dryRun) totals.imported += pings.length;
    else if (pings.length)
      totals.imported += (
        await broker.call<{ inserted: number }, { pings: CodedPing[] }>("registry.importPings", { pings })
      ).inserted;
    progress(totals);
  }
  progress(totals, true);
  return totals;
}

/**
 * Reports the totals after each batch: on a terminal one line rewritten in place, otherwise (a log,
 * a CI job) a line a batch, so that a long import shows it is moving either way.
 */
function progressLine(verb: string): (t: PingTotals, last?: boolean) => void {
  const tty = process.stderr.isTTY === true;
  return (t, last = false) => {
    const line = `pings: ${t.read} read, ${t.imported} ${verb}`;
    if (tty) process.stderr.write(`\r${line}${last ? "\n" : ""}`);
    else if (!last) process.stderr.write(`${line}\n`);
  };
}
