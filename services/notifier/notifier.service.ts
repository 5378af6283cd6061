// notifier: delivers the outbox. Every alerted flip left one delivery row per channel in the
// flip's own transaction; this service claims due rows with a lease, sends them through the
// channel plugins, and records the outcome — retrying with backoff, resuming after a restart.
// It also raises reminders and sends the weekly reports. The engine: ./outbox-worker.ts.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { OutboxWorker } from "./outbox-worker.ts";

export default function notifierService(deps: ServiceDeps): ServiceSchema {
  const outbox = new OutboxWorker(deps);
  return {
    name: "notifier",

    actions: {
      test: {
        description: "Sends a test alert through one channel now and reports what its target answered.",
        params: { id: { type: "number", convert: true, integer: true, positive: true } },
        async handler(ctx: Context<{ id: number }>) {
          const result = await outbox.sendTest(ctx.params.id);
          if (!result) throw new Errors.MoleculerClientError("channel not found", 404, "NOT_FOUND", { field: "id" });
          return result;
        },
      },
    },

    events: {
      "flip.recorded": {
        // A monitor leaving down may release its children's held alerts.
        handler(ctx: Context<{ alerted: boolean; from?: string }>) {
          if (ctx.params.alerted || ctx.params.from === "down") outbox.wake();
        },
      },
      /** A snooze ended or a monitor's parents changed: held alerts may go now. */
      "monitor.changed": {
        handler() {
          outbox.wake();
        },
      },
    },

    created() {
      outbox.attach(this.logger, this.broker);
    },

    started() {
      return outbox.start();
    },

    stopped() {
      return outbox.stop();
    },
  };
}
