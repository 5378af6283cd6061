// Reads a ping's request body without ever holding more than the part that is kept:
// the first PING_BODY_LIMIT bytes (plus a few to finish a character). Longer bodies are
// truncated, not refused; only a body past REQUEST_BODY_LIMIT is refused with 413.

import type { IncomingMessage, ServerResponse } from "node:http";

export interface PingBodyRequest extends IncomingMessage {
  pingBody?: Buffer;
  pingBodyMore?: boolean;
}

export class BodyTooLargeError extends Error {
  readonly status = 413;
  readonly type = "PAYLOAD_TOO_LARGE";
}

export function pingBodyReader(keepBytes: number, maxBytes: number) {
  const keep = keepBytes + 4;
  return (req: PingBodyRequest, _res: ServerResponse, next: (err?: unknown) => void): void => {
    if (req.method === "GET" || req.method === "HEAD") {
      req.pingBody = Buffer.alloc(0);
      return next();
    }
    const declared = Number(req.headers["content-length"] ?? 0);
    if (declared > maxBytes) return next(new BodyTooLargeError(`request body over ${maxBytes} bytes`));
    const chunks: Buffer[] = [];
    let kept = 0;
    let total = 0;
    let done = false;
    const finish = (err?: unknown) => {
      if (done) return;
      done = true;
      req.pingBody = Buffer.concat(chunks);
      req.pingBodyMore = total > kept;
      next(err);
    };
    req.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) {
        req.removeAllListeners("data");
        req.resume();
        return finish(new BodyTooLargeError(`request body over ${maxBytes} bytes`));
      }
      if (kept < keep) {
        const part = chunk.subarray(0, keep - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    req.on("end", () => finish());
    req.on("error", (err) => finish(err));
  };
}
