// The HTTP plumbing the gateway's routes, its authentication and its ping fast path share: the
// JSON answer, the one error answer, the client's address, and the guards on what comes in.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Logger } from "moleculer";
import { errorBody, httpStatusOf } from "./errors.ts";
import { mayChallenge } from "./session.ts";

const { MoleculerClientError } = Errors;
const REALM = 'Basic realm="heartbeats", charset="UTF-8"';

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(body));
}

/**
 * Every error the gateway answers, whoever raised it: the JSON error shape, the Basic challenge on
 * a 401 where one may be made, Retry-After on a 503 and a sign-in lockout's 429.
 */
export function answerError(
  logger: Logger,
  req: IncomingMessage & { parsedUrl?: string },
  res: ServerResponse,
  err: Error & Record<string, unknown>,
): void {
  const status = httpStatusOf(err);
  if (status >= 500 && status !== 503) logger.error(`${req.method} ${req.parsedUrl ?? ""} failed:`, err.message);
  if (status === 401 && mayChallenge(req)) res.setHeader("WWW-Authenticate", REALM);
  if (status === 503) res.setHeader("Retry-After", "5");
  const retryAfter = (err.data as { retryAfter?: unknown } | undefined)?.retryAfter;
  if (status === 429 && typeof retryAfter === "number") res.setHeader("Retry-After", String(retryAfter));
  sendJson(res, status, errorBody(err, status));
}

/** The caller's address: the first X-Forwarded-For entry behind a trusted proxy, else the socket's. */
export function clientIp(req: IncomingMessage, trustProxy: boolean): string | null {
  if (trustProxy) {
    const xff = req.headers["x-forwarded-for"];
    const first = (Array.isArray(xff) ? xff[0] : xff)?.split(",")[0]?.trim();
    if (first) return first.slice(0, 64);
  }
  return req.socket.remoteAddress ?? null;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** body-parser would decode bad bytes to U+FFFD and store mangled text: refuse them instead. */
export function refuseNonUtf8(_req: IncomingMessage, _res: ServerResponse, buf: Buffer): void {
  try {
    utf8.decode(buf);
  } catch {
    // A MoleculerError passes through moleculer-web's middleware chain with its data intact.
    throw new MoleculerClientError("request body is not valid UTF-8", 422, "VALIDATION_ERROR", { field: "body" });
  }
}
