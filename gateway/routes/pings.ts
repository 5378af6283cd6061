// The ping URLs: the original tool's /api/pings/?service=CODE&data=TEXT and healthchecks.io-style
// /ping/CODE[/SIGNAL]. Both are normally answered by the fast path (gateway/ping-fast-path.ts),
// which builds ingest.ping's parameters and answers with the functions below, as these routes do.

import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors, type Context } from "moleculer";
import type { Config } from "../../core/config.ts";
import {
  boundData,
  NotUtf8Error,
  originalSignal,
  parseSignal,
  queryParam,
  type PingSignal,
} from "../../core/monitor/ping.ts";
import { CODE_PATTERN } from "../../core/monitor/code.ts";
import { clientIp } from "../http.ts";
import { pingBodyReader, type PingBodyRequest } from "../ping-body.ts";
import type { GatewayRoute, Req } from "./route.ts";

const { MoleculerClientError } = Errors;

type Params = Record<string, unknown>;

/** A ping request read into ingest.ping's parameters, and the original tool's answer. */
export interface PingRequests {
  /** the /ping route's body reader: keeps PING_BODY_LIMIT bytes, refuses past REQUEST_BODY_LIMIT */
  readBody: ReturnType<typeof pingBodyReader>;
  /** /api/pings/?service=CODE&data=TEXT */
  originalParams(req: IncomingMessage): Params;
  /** /ping/CODE[/SIGNAL], its body already read */
  pingParams(req: PingBodyRequest, code: string | undefined, signal: string | undefined): Params;
  /** A ping URL's code, or the error the ping routes answer for it (422 missing, 404 malformed). */
  checkCode(code: unknown): string;
  /** Shaped like the original tool's answer (its PingSerializer), plus our status. */
  originalAnswer(params: Params, data: Params): unknown;
}

export function pingRequests(config: Config): PingRequests {
  /** Turns the raw request of a ping route into ingest.ping's parameters. */
  function signalParams(
    req: IncomingMessage,
    signal: PingSignal | null,
    rawData: Buffer | null,
    more: boolean,
  ): Params {
    if (!signal)
      throw new MoleculerClientError(
        "unknown ping signal: use start, fail, log or an exit status 0-255",
        404,
        "NOT_FOUND",
        { field: "signal" },
      );
    let bounded;
    try {
      bounded = boundData(rawData, config.pingBodyLimit, more);
    } catch (err) {
      if (err instanceof NotUtf8Error)
        throw new MoleculerClientError("data must be UTF-8 text", 422, "VALIDATION_ERROR", { field: "data" });
      throw err;
    }
    const ua = req.headers["user-agent"];
    return {
      kind: signal.kind,
      exitStatus: signal.exitStatus,
      data: bounded.data,
      dataTruncated: bounded.truncated,
      sourceIp: clientIp(req, config.trustProxy),
      userAgent: typeof ua === "string" ? ua : null,
    };
  }

  function checkCode(code: unknown): string {
    if (typeof code !== "string" || code === "")
      throw new MoleculerClientError("the monitor code is missing", 422, "VALIDATION_ERROR", { field: "service" });
    if (!CODE_PATTERN.test(code))
      throw new MoleculerClientError("no monitor has this code", 404, "NOT_FOUND", { field: "code" });
    return code;
  }

  /**
   * ?create=1 counts only with AUTO_PROVISION and PING_AUTH=basic, where every ping on this route
   * is authenticated (pinger role or a ping-scoped key) before ingest sees it.
   */
  function wantsCreate(req: IncomingMessage): boolean {
    if (!config.autoProvision || config.pingAuth !== "basic") return false;
    const q = (req.url ?? "").indexOf("?");
    return q >= 0 && queryParam(req.url!.slice(q + 1), "create")?.toString("utf8") === "1";
  }

  return {
    checkCode,
    readBody: pingBodyReader(config.pingBodyLimit, config.requestBodyLimit),
    originalParams(req) {
      const query = (req.url ?? "").split("?")[1] ?? "";
      const code = queryParam(query, "service")?.toString("utf8");
      const data = queryParam(query, "data");
      let text: string | null;
      try {
        text = data === null ? null : (boundData(data, Number.MAX_SAFE_INTEGER).data ?? null);
      } catch {
        throw new MoleculerClientError("data must be UTF-8 text", 422, "VALIDATION_ERROR", { field: "data" });
      }
      return { code: checkCode(code), ...signalParams(req, originalSignal(text), data, false) };
    },
    pingParams(req, code, signal) {
      const params = {
        code: checkCode(code),
        ...signalParams(req, parseSignal(signal), req.pingBody ?? null, req.pingBodyMore ?? false),
      };
      return wantsCreate(req) ? { ...params, create: true } : params;
    },
    originalAnswer(params, data) {
      const sent = params as { data: string | null; sourceIp: string | null; userAgent: string | null };
      return {
        id: data.id,
        service: data.code,
        data: sent.data ?? "",
        remote_addr: sent.sourceIp,
        ua: sent.userAgent ?? "",
        created: data.receivedAt,
        kind: data.kind,
        status: data.status,
      };
    },
  };
}

/** What both ping routes are: with PING_AUTH=basic a ping needs the pinger role (or a ping-scoped key); no body parser. */
function pingRoute(config: Config) {
  const auth = config.pingAuth === "basic";
  return {
    need: "pinger",
    authentication: auth,
    authorization: auth,
    bodyParsers: { json: false, urlencoded: false },
    mappingPolicy: "restrict",
  } as const;
}

/** The original tool's ping URL, unchanged: /api/pings/?service=CODE&data=TEXT with basic auth. */
export function originalPingsRoute(config: Config, pings: PingRequests): GatewayRoute {
  return {
    name: "original-pings",
    path: "/api/pings",
    ...pingRoute(config),
    aliases: { "GET /": "ingest.ping", "POST /": "ingest.ping", "HEAD /": "ingest.ping" },
    // The hooks below build ingest.ping's params from the URL: the request is this.
    docs: Object.fromEntries(
      ["GET /", "POST /", "HEAD /"].map((k) => [
        k,
        {
          summary: "the original tool's ping: success, or a failure report when data is not empty",
          query: {
            service: { type: "string", max: 32, description: "the monitor's code" },
            data: { type: "string", optional: true, description: "failure text; empty or absent for success" },
          },
        },
      ]),
    ),
    // Normally served by the fast path (gateway/ping-fast-path.ts); these hooks do the same.
    onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
      req.$params = pings.originalParams(req);
    },
    onAfterCall(_ctx: Context, _route: unknown, req: Req, _res: ServerResponse, data: Params) {
      return pings.originalAnswer(req.$params, data);
    },
  };
}

/** healthchecks.io-style URLs: /ping/CODE, /ping/CODE/start|fail|log|<exit status>. */
export function pingsRoute(config: Config, pings: PingRequests): GatewayRoute {
  return {
    name: "pings",
    path: "/ping",
    ...pingRoute(config),
    use: [pings.readBody],
    aliases: {
      "GET /:code": "ingest.ping",
      "HEAD /:code": "ingest.ping",
      "POST /:code": "ingest.ping",
      "GET /:code/:signal": "ingest.ping",
      "HEAD /:code/:signal": "ingest.ping",
      "POST /:code/:signal": "ingest.ping",
      "GET /:code/snooze/:duration": "ingest.snooze",
      "HEAD /:code/snooze/:duration": "ingest.snooze",
      "POST /:code/snooze/:duration": "ingest.snooze",
    },
    // The hooks below build ingest.ping's params from the URL and body: the request is this.
    docs: Object.fromEntries(
      ["GET", "HEAD", "POST"].flatMap((m) => [
        [`${m} /:code`, { summary: "success ping; a body is stored as the ping's data", produces: "text/plain" }],
        [
          `${m} /:code/:signal`,
          { summary: "signal: start, fail, log or an exit status 0-255 (0 is success)", produces: "text/plain" },
        ],
        [
          `${m} /:code/snooze/:duration`,
          { summary: "snoozes the monitor: its alerts are held for 30m, 2h, 1d… (at most 7d)", produces: "text/plain" },
        ],
      ]),
    ),
    // Normally served by the fast path (gateway/ping-fast-path.ts); these hooks do the same.
    onBeforeCall(_ctx: Context, _route: unknown, req: Req) {
      const { code, signal, duration } = req.$params as { code?: string; signal?: string; duration?: string };
      // A snooze is no ping: its code and duration go to ingest.snooze as they are.
      if (req.$alias?.action === "ingest.snooze") req.$params = { code: pings.checkCode(code), duration };
      else req.$params = pings.pingParams(req, code, signal);
    },
    onAfterCall(ctx: Context) {
      (ctx.meta as Record<string, unknown>).$responseType = "text/plain; charset=utf-8";
      return "OK";
    },
  };
}
