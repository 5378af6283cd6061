// The ping fast path (gateway/ping-fast-path.ts) wired to this gateway: ingest.ping's endpoint,
// the ping routes' own parameter builders and answer, the gateway's authentication, the pings of
// one event-loop turn sent to ingest in one ingest.pings call, and the one error answer.

import { Errors, type ActionEndpoint, type Logger, type ServiceBroker } from "moleculer";
import ApiGateway from "moleculer-web";
import type { Config } from "../core/config.ts";
import { authorizeUser, type AuthUser, type GatewayAuth } from "./auth.ts";
import { answerError } from "./http.ts";
import { callBatcher, pingFastPath } from "./ping-fast-path.ts";
import type { PingRequests } from "./routes/pings.ts";

// moleculer-web's error when a route's action is not registered at all (ServiceUnavailableError).
const { ServiceUnavailableError } = (ApiGateway as unknown as { Errors: { ServiceUnavailableError: new () => Error } })
  .Errors;

type Params = Record<string, unknown>;
type Outcome = { ok: Params; error?: undefined } | { ok?: undefined; error: Params };

/** What the fast path needs of the gateway service. */
export interface FastPathHost {
  broker: ServiceBroker;
  logger: Logger;
  /** moleculer-web's requests in flight, which a graceful stop waits for */
  _trackedContexts?: unknown[];
}

export interface FastPathParts {
  config: Config;
  auth: GatewayAuth;
  pings: PingRequests;
}

/** The ping URLs' own handler, for the gateway's httpHandler to put in front of moleculer-web's. */
export function gatewayFastPath(service: FastPathHost, { config, auth, pings }: FastPathParts) {
  const { broker, logger } = service;
  const batched = callBatcher<Params, Outcome>(
    (list) => broker.call("ingest.pings", { pings: list }) as Promise<Outcome[]>,
  );
  /** An error ingest.pings sent back for one ping, rebuilt as Moleculer rebuilds a call's error. */
  const restoreError = (plain: Params): Error => {
    const regenerator = broker.errorRegenerator as unknown as
      { restore(e: unknown, payload: unknown): Error } | undefined;
    if (regenerator) return regenerator.restore(plain, { sender: plain.nodeID });
    return Object.assign(new Error(String(plain.message)), plain);
  };
  return pingFastPath<AuthUser, ActionEndpoint>({
    readBody: pings.readBody,
    endpoint() {
      const ep = broker.findNextActionEndpoint("ingest.ping") as ActionEndpoint | Error;
      // moleculer-web's answer when no ingest service is registered at all.
      return ep instanceof Errors.ServiceNotFoundError ? new ServiceUnavailableError() : ep;
    },
    originalParams: (req) => pings.originalParams(req),
    pingParams: (req, code, signal) => pings.pingParams(req, code, signal),
    authenticate:
      config.pingAuth === "basic" ? (req) => auth.user((action, params) => broker.call(action, params), req) : null,
    authorize: (user) => authorizeUser(user, "pinger"),
    call(endpoint, params) {
      // The pings of one turn go to ingest as one call; an ingest without ingest.pings (an
      // older one, in a rolling update) gets them one by one.
      const batchable = broker.registry.getActionEndpoints("ingest.pings") as { hasAvailable(): boolean } | undefined;
      if (!batchable?.hasAvailable()) return broker.call(endpoint as unknown as string, params) as Promise<Params>;
      return batched(params).then((outcome) => {
        if (outcome.error) throw restoreError(outcome.error);
        return outcome.ok;
      });
    },
    originalAnswer: (_req, params, data) => pings.originalAnswer(params, data),
    fail(req, res, err) {
      const e = err as Error & Params;
      // As moleculer-web's errorHandler: anything but a client error is logged.
      if (!(typeof e?.code === "number" && e.code >= 400 && e.code < 500))
        logger.error("   Request error!", e?.name, ":", e?.message, "\n", e?.stack, "\nData:", e?.data);
      answerError(logger, req, res, e);
    },
    // moleculer-web's request context was tracked: a graceful stop waited for it. So for these.
    track() {
      const list = service._trackedContexts;
      if (!Array.isArray(list)) return () => {};
      const token = {};
      list.push(token);
      return () => {
        const i = list.indexOf(token);
        if (i !== -1) list.splice(i, 1);
      };
    },
  });
}
