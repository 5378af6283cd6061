// The ping URLs without moleculer-web: a plain node:http handler that the gateway puts in front
// of moleculer-web's for /ping/CODE[/SIGNAL] and /api/pings/?service=CODE. It does what the two
// ping routes do, in the same order and with the same answers — route match, body, the ingest
// endpoint, the parameters, authentication, the call, the answer — only without a context per
// request, the alias table, the middleware chain and the per-request log lines.
//
// It takes only what it can answer exactly as the routes would. Anything else (another method,
// an upper-case or doubled-slash path, a parameter that is not valid percent-encoding, a
// conditional request) returns false, and moleculer-web handles it as before.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

export type PingRoute = { route: "ping"; code: string; signal: string | undefined } | { route: "original" };

/** Which ping route a request is for, as moleculer-web's aliases would match it; null: not ours. */
export function matchPingRoute(method: string | undefined, url: string | undefined): PingRoute | null {
  if (method !== "GET" && method !== "POST" && method !== "HEAD") return null;
  if (url === undefined) return null;
  const q = url.indexOf("?", 1);
  let path = q < 0 ? url : url.slice(0, q);
  // moleculer-web trims one trailing slash, and its path patterns accept one more.
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  if (path === "/api/pings" || path === "/api/pings/") return { route: "original" };
  const m = PING_PATH.exec(path);
  if (!m) return null;
  const code = decode(m[1]!);
  const signal = m[2] === undefined ? undefined : decode(m[2]);
  if (code === null || signal === null) return null; // moleculer-web answers 400 for these
  return { route: "ping", code, signal };
}

const PING_PATH = /^\/ping\/([^/]+)(?:\/([^/]+))?\/?$/;

function decode(s: string): string | null {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

/** The request id moleculer-web gives a request (and sends back as X-Request-ID). */
export function requestIdOf(req: IncomingMessage): string | string[] | undefined {
  let id: string | string[] | undefined = req.headers["x-request-id"];
  if (req.headers["x-correlation-id"]) id = req.headers["x-correlation-id"];
  return id ?? randomUUID();
}

export interface PingFastPathDeps<U, E> {
  /** the /ping route's body reader (gateway/ping-body.ts) */
  readBody(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /** the ingest.ping endpoint, or the error moleculer-web would raise for it */
  endpoint(): E | Error;
  /** the routes' onBeforeCall: ingest.ping's parameters, or a thrown client error */
  originalParams(req: IncomingMessage): Record<string, unknown>;
  pingParams(req: IncomingMessage, code: string | undefined, signal: string | undefined): Record<string, unknown>;
  /** null when PING_AUTH=none */
  authenticate: ((req: IncomingMessage) => Promise<U>) | null;
  authorize(user: U | null | undefined, req: IncomingMessage): void;
  call(endpoint: E, params: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** the original route's onAfterCall */
  originalAnswer(req: IncomingMessage, params: Record<string, unknown>, data: Record<string, unknown>): unknown;
  /** moleculer-web's errorHandler + the gateway's onError */
  fail(req: IncomingMessage, res: ServerResponse, err: unknown): void;
  /** counts a request in flight, so that a graceful stop waits for it as it did for moleculer-web's */
  track?(): () => void;
}

export function pingFastPath<U, E>(deps: PingFastPathDeps<U, E>) {
  async function serve(
    req: IncomingMessage & { parsedUrl?: string },
    res: ServerResponse,
    found: PingRoute,
  ): Promise<void> {
    if (found.route === "ping") {
      const err = await new Promise<unknown>((resolve) => deps.readBody(req, res, resolve));
      if (err) throw err;
    }
    const endpoint = deps.endpoint();
    if (endpoint instanceof Error) throw endpoint;
    const params = found.route === "ping" ? deps.pingParams(req, found.code, found.signal) : deps.originalParams(req);
    if (deps.authenticate) {
      const user = await deps.authenticate(req);
      deps.authorize(user, req);
    }
    const data = await deps.call(endpoint, params);
    if (res.headersSent) return;
    let chunk: string;
    if (found.route === "ping") {
      res.setHeader("Content-Type", "text/plain; charset=utf-8");
      chunk = "OK";
    } else {
      res.setHeader("Content-Type", "application/json; charset=utf-8");
      chunk = JSON.stringify(deps.originalAnswer(req, params, data));
    }
    if (req.method === "HEAD") res.end();
    else res.end(chunk);
  }

  /** Serves the request and returns true when it is a ping moleculer-web would route; false otherwise. */
  return function handle(req: IncomingMessage & { parsedUrl?: string }, res: ServerResponse): boolean {
    // Conditional requests go through moleculer-web, whose freshness check may answer 304.
    if (req.headers["if-none-match"] !== undefined || req.headers["if-modified-since"] !== undefined) return false;
    const found = matchPingRoute(req.method, req.url);
    if (!found) return false;
    const q = req.url!.indexOf("?", 1);
    const path = q < 0 ? req.url! : req.url!.slice(0, q);
    req.parsedUrl = path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
    const id = requestIdOf(req);
    if (id) res.setHeader("X-Request-ID", id);
    const done = deps.track?.();
    serve(req, res, found)
      .catch((err) => deps.fail(req, res, err))
      .finally(() => done?.());
    return true;
  };
}

/**
 * Collects the items asked for in one turn of the event loop and sends them in one call
 * (ingest.pings: one message each way over the transporter instead of one per ping).
 */
export function callBatcher<P, R>(send: (items: P[]) => Promise<R[]>): (item: P) => Promise<R> {
  let pending: { item: P; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  const flush = () => {
    const batch = pending;
    pending = [];
    send(batch.map((b) => b.item)).then(
      (results) => {
        batch.forEach((b, i) =>
          i < results.length ? b.resolve(results[i]!) : b.reject(new Error("no answer for this ping in the batch")),
        );
      },
      (err) => {
        for (const b of batch) b.reject(err);
      },
    );
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (!pending.length) setImmediate(flush);
      pending.push({ item, resolve, reject });
    });
}
