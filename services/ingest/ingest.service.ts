// ingest: accepts pings. The batcher (ping-batcher.ts) resolves each code, stores the ping and
// its effect on the monitor in one transaction shared with the pings that arrived meanwhile
// (group commit), and only then answers: a 2xx means the ping, and any flip it caused, are stored.

import type { Context, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { PingBatcher } from "./ping-batcher.ts";
import { snoozeByCode, type SnoozeParams } from "./snooze.ts";
import { CODE_PATTERN } from "../../core/monitor/code.ts";
import { pingSchema, type PingAccepted, type PingOutcome, type PingParams } from "./ping-params.ts";

export type { PingAccepted, PingOutcome } from "./ping-params.ts";

export default function ingestService(deps: ServiceDeps): ServiceSchema {
  const batcher = new PingBatcher(deps);
  return {
    name: "ingest",

    actions: {
      ping: {
        description: "One ping: stored with its effect on the monitor, answered after the commit.",
        params: pingSchema(deps.config.pingBodyLimit),
        handler(ctx: Context<PingParams>): Promise<PingAccepted> {
          return batcher.accept(ctx.params);
        },
      },
      /**
       * Many pings in one call, as the gateway sends them: one message each way over the
       * transporter instead of one per ping. Each is validated against ingest.ping's schema and
       * answered on its own: {ok} or {error: what ping would have thrown}. Not a context per
       * ping: that cost a fifth of the ping's CPU; the call in flight is the batch's.
       */
      snooze: {
        description: "Snoozes the monitor of a code for a duration (30m, 2h, 1d; at most 7d): its alerts are held.",
        params: {
          code: { type: "string", pattern: CODE_PATTERN },
          duration: { type: "string", min: 1, max: 16 },
        },
        handler(ctx: Context<SnoozeParams>) {
          return snoozeByCode(deps, ctx);
        },
      },
      pings: {
        params: { pings: { type: "array", items: "object" } },
        handler(ctx: Context<{ pings: PingParams[] }>): Promise<PingOutcome[]> {
          return batcher.acceptAll(ctx.params.pings);
        },
      },
    },

    events: {
      /** A monitor was deleted: its code no longer resolves. */
      "monitor.changed": {
        handler(ctx: Context<{ id: number; deleted?: boolean }>) {
          if (ctx.params.deleted) batcher.forget(ctx.params.id);
        },
      },
    },

    created() {
      batcher.attach(this.broker, this.logger);
    },

    stopped() {
      // Let the pings already accepted into the queue reach the database before leaving.
      return batcher.drained();
    },
  };
}
