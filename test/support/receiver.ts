// A real HTTP server on 127.0.0.1 for channel tests: it records every request as it arrived
// (raw body included, so signatures can be checked) and answers as each test programs it,
// including the hostile answers a notifier must survive: hanging, or streaming without end.

import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedRequest {
  method: string;
  /** path with query, as sent */
  path: string;
  /** lower-case names, as node:http gives them */
  headers: http.IncomingHttpHeaders;
  raw: string;
  /** the parsed body when it was JSON, else undefined */
  json: any;
  at: number;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** an object is sent as JSON */
  body?: unknown;
  delayMs?: number;
  /** never answer */
  hang?: boolean;
  /** answer 200 and stream this many bytes of body, as fast as the client reads */
  streamBytes?: number;
}

export type Responder = Reply | ((req: ReceivedRequest) => Reply);

export interface Receiver {
  /** http://<host>:<port>, no trailing slash */
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** bytes written by streamBytes answers so far */
  streamed: number;
  /** how to answer `path` (matched without the query; "*" for anything unmatched) */
  respond(path: string, responder: Responder): void;
  /** requests counted by a header value (default Idempotency-Key) or by any key function */
  byKey(key?: string | ((r: ReceivedRequest) => string | undefined)): Map<string, number>;
  close(): Promise<void>;
}

const CHUNK = Buffer.alloc(64 * 1024, "x");

/** `port`: listen there (a receiver coming back where it was); 0: any free port. */
export async function startReceiver(port = 0, host = "127.0.0.1"): Promise<Receiver> {
  const responders = new Map<string, Responder>();
  const requests: ReceivedRequest[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    // A sender killed mid-request (a SIGKILLed notifier) resets the socket: not the receiver's failure.
    req.on("error", () => {});
    res.on("error", () => {});
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      let json: unknown;
      try {
        json = raw ? JSON.parse(raw) : undefined;
      } catch {
        json = undefined;
      }
      const entry: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        raw,
        json,
        at: Date.now(),
      };
      requests.push(entry);
      const pathname = (req.url ?? "/").split("?")[0];
      const responder = responders.get(pathname) ?? responders.get("*") ?? { status: 200, body: "ok" };
      const reply = typeof responder === "function" ? responder(entry) : responder;
      if (reply.hang) return;
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      if (reply.streamBytes !== undefined) return stream(res, reply.streamBytes);
      const isJson = reply.body !== undefined && typeof reply.body !== "string";
      const body = reply.body === undefined ? "" : isJson ? JSON.stringify(reply.body) : String(reply.body);
      res.writeHead(reply.status ?? 200, {
        ...(isJson ? { "content-type": "application/json" } : {}),
        ...reply.headers,
      });
      res.end(body);
    });
  });

  const receiver: Receiver = {
    url: "",
    port: 0,
    requests,
    streamed: 0,
    respond(path, responder) {
      responders.set(path, responder);
    },
    byKey(key = "idempotency-key") {
      const counts = new Map<string, number>();
      for (const r of requests) {
        const k = typeof key === "function" ? key(r) : (r.headers[key.toLowerCase()] as string | undefined);
        if (k !== undefined) counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      return counts;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function stream(res: http.ServerResponse, total: number) {
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(total) });
    let sent = 0;
    while (sent < total && !res.destroyed) {
      const piece = total - sent >= CHUNK.length ? CHUNK : CHUNK.subarray(0, total - sent);
      sent += piece.length;
      receiver.streamed += piece.length;
      // Wait for the client to read: a client that stops reading stops the stream.
      if (!res.write(piece))
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          res.once("close", resolve);
        });
    }
    if (!res.destroyed) res.end();
  }

  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  receiver.port = (server.address() as AddressInfo).port;
  receiver.url = `http://${host}:${receiver.port}`;
  return receiver;
}
