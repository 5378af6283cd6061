// checker: owns the deadlines. Checker replicas share the monitors among themselves and flip each
// change exactly once; the engine (due-engine.ts: the heap of wake-ups, the flip loop, the sweep,
// the resync, the rebalance) does the work, this schema hands it Moleculer's events and lifecycle.

import type { Context, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { DueEngine, type PingedMonitor } from "./due-engine.ts";

export default function checkerService(deps: ServiceDeps): ServiceSchema {
  const engine = new DueEngine(deps);
  return {
    name: "checker",

    actions: {
      status: {
        description: "This checker's share: the live checkers it sees, the monitors it watches, its rebalances.",
        visibility: "public",
        handler() {
          return engine.status();
        },
      },
    },

    events: {
      /** Pings moved these monitors' deadlines. */
      "monitor.pinged": {
        handler(ctx: Context<{ monitors: PingedMonitor[] }>) {
          engine.pinged(ctx.params.monitors);
        },
      },
      /** A node came, went or changed its services: if the checkers changed, re-share. */
      "$services.changed": {
        handler() {
          engine.membershipChanged();
        },
      },
      /**
       * Events broadcast before this node and the registry/ingest nodes knew each other were
       * never delivered here: look again at everything changed lately.
       */
      "$node.connected": {
        handler() {
          engine.resyncInBackground();
        },
      },
      /** A monitor was created, edited or deleted. */
      "monitor.changed": {
        handler(ctx: Context<{ id: number; deleted?: boolean }>) {
          return engine.changed(ctx.params.id, ctx.params.deleted);
        },
      },
    },

    created() {
      engine.attach(this.broker, this.logger);
    },

    started() {
      return engine.start();
    },

    stopped() {
      return engine.stop();
    },
  };
}
