// agent-collector: polls hosts over SSH on their own intervals and reports each result as a
// ping of the host's monitor, so host alerts take the ordinary checker → notifier path.
// Hosts are claimed with a lease on their row (like the notifier's deliveries): several
// collectors share them, and one host is never polled twice at once. The engine: ./poll-engine.ts.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { PollEngine } from "./poll-engine.ts";

export default function agentCollectorService(deps: ServiceDeps): ServiceSchema {
  const polls = new PollEngine(deps);
  return {
    name: "agent-collector",

    actions: {
      check: {
        description:
          "Polls one host now (also sending its ping) and answers the metrics; waits for a poll already running, 409 if it does not end.",
        // Waiting out a poll in flight and then polling can take two polls' time-outs, more than
        // the broker's 15 s request time-out: without its own, a slow host's check ended in a 503.
        timeout: deps.config.collector.checkNowTimeoutMs,
        params: { id: { type: "number", convert: true, integer: true, positive: true } },
        async handler(ctx: Context<{ id: number }>) {
          const outcome = await polls.checkNow(ctx.params.id);
          if (outcome === "not found")
            throw new Errors.MoleculerClientError("host not found", 404, "NOT_FOUND", { field: "id" });
          if (outcome === "busy")
            throw new Errors.MoleculerClientError(
              "this host is being polled right now; try again in a moment",
              409,
              "CONFLICT",
              { field: "id" },
            );
          return outcome;
        },
      },

      stats: {
        description: "How busy this collector is: polls in flight and the most at once since it started.",
        visibility: "public",
        handler() {
          return { inFlight: polls.inFlight.size, peak: polls.peak, concurrency: polls.concurrency };
        },
      },
    },

    events: {
      "host.changed"() {
        void polls.tick().catch(() => undefined);
      },
    },

    created() {
      polls.attach(this.logger, this.broker);
    },

    started() {
      return polls.start();
    },

    stopped() {
      return polls.stop();
    },
  };
}
