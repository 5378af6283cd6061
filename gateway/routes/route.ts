// What every route module of the gateway shares: the shape of a route, the request as a route's
// handlers see it, and the guard that lets a function alias be async.

import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Context, Service, ServiceBroker, ServiceSettingSchema } from "moleculer";
import type { ApiSettingsSchema } from "moleculer-web";
import type { RouteNeed } from "../auth.ts";
import type { LiveHub } from "../live.ts";
import type { AliasDoc, RouteLike } from "../openapi.ts";
import type { PingBodyRequest } from "../ping-body.ts";

/** The gateway service as a route's handlers find it in req.$service (moleculer-web sets it). */
export interface RouteHost {
  broker: ServiceBroker;
  settings: { routes: RouteLike[] };
  /** the dashboard's live updates, while the gateway runs */
  live?: LiveHub | null;
}

export type Req = IncomingMessage &
  PingBodyRequest & {
    $params: Record<string, unknown>;
    $route?: { opts: { need: RouteNeed } };
    $alias?: { path?: string; action?: string };
    parsedUrl?: string;
    $service: RouteHost;
  };

type Next = (err?: unknown) => void;

/** A moleculer-web route, with what the gateway adds: the role it needs and the docs of its aliases. */
export interface GatewayRoute extends RouteLike {
  name: string;
  need?: RouteNeed;
  authorization?: boolean;
  bodyParsers: {
    json:
      false | { limit: number; strict: boolean; verify(req: IncomingMessage, res: ServerResponse, buf: Buffer): void };
    urlencoded: false;
  };
  mappingPolicy: "restrict";
  use?: ((req: Req, res: ServerResponse, next: Next) => void)[];
  docs?: Record<string, AliasDoc>;
  onBeforeCall?(ctx: Context, route: unknown, req: Req): void;
  onAfterCall?(ctx: Context, route: unknown, req: Req, res: ServerResponse, data: Record<string, unknown>): unknown;
}

/** Routes anyone may call, that read no body. */
export const OPEN_ROUTE = {
  authentication: false,
  bodyParsers: { json: false, urlencoded: false },
  mappingPolicy: "restrict",
} as const;

/**
 * moleculer-web runs a function alias as middleware (req, res, next) and does not catch what an
 * async one throws: that would crash the process. Errors go to next(), which answers with them.
 */
export function guarded(fn: (req: Req, res: ServerResponse) => Promise<void> | void) {
  return function (req: Req, res: ServerResponse, next: Next) {
    Promise.resolve()
      .then(() => fn(req, res))
      .catch((err) => next(err));
  };
}

/** The gateway's settings (moleculer-web's that it sets) and what it keeps on `this`, set up in created(). */
export interface Gateway {
  settings: ServiceSettingSchema &
    Pick<
      ApiSettingsSchema,
      | "port"
      | "ip"
      | "logRequest"
      | "logResponse"
      | "logRequestParams"
      | "logResponseData"
      | "log4XXResponses"
      | "httpServerTimeout"
      | "assets"
    > & {
      routes?: GatewayRoute[];
      onError?(this: Service, req: Req, res: ServerResponse, err: Error & Record<string, unknown>): void;
    };
  state: {
    live?: LiveHub | null;
    fastPath?: (req: Req, res: ServerResponse) => boolean;
    server?: Server;
    _trackedContexts?: unknown[];
  };
}
