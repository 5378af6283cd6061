// Live updates for the dashboard: Server-Sent Events fed by the services' events. Changes are
// gathered for a moment and sent as one batch of fresh monitor views, so a burst of pings costs
// one registry read, and nothing is read at all while no browser listens. A stream opened with a
// session cookie lives only as long as its session: twice a second the hub asks which of its
// streams' sessions are still live, and ends the others with `event: session-ended`, so a logout,
// a password or role change, or a timeout on any gateway closes them within a second.

import type { ServerResponse } from "node:http";

export interface MonitorLike {
  id: number;
}

export class LiveHub {
  /** each open stream, with the session token it was opened with (null: basic auth or a key) */
  private readonly clients = new Map<ServerResponse, string | null>();
  private readonly sessionCheck: NodeJS.Timeout;
  private checking = false;
  private changed = new Set<number>();
  private deleted = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly views: (ids: number[]) => Promise<MonitorLike[]>;
  private readonly flushMs: number;
  private readonly onError: (err: Error) => void;

  constructor(
    views: (ids: number[]) => Promise<MonitorLike[]>,
    onError: (err: Error) => void,
    /** which of these session tokens are still live */
    alive: (tokens: string[]) => Promise<string[]> = async (tokens) => tokens,
    flushMs = 200,
    checkMs = 500,
  ) {
    this.views = views;
    this.onError = onError;
    this.flushMs = flushMs;
    this.sessionCheck = setInterval(() => {
      if (this.checking) return;
      this.checking = true;
      this.endDeadSessions(alive)
        .catch(this.onError)
        .finally(() => (this.checking = false));
    }, checkMs);
    this.sessionCheck.unref();
    // Proxies close idle connections; a comment every 15 s keeps the stream open.
    this.keepAlive = setInterval(() => this.broadcast(": keep-alive\n\n"), 15_000);
    this.keepAlive.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse, sessionToken: string | null = null): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 3000\n\n");
    this.clients.set(res, sessionToken);
    res.on("close", () => this.clients.delete(res));
  }

  private async endDeadSessions(alive: (tokens: string[]) => Promise<string[]>): Promise<void> {
    const tokens = [...new Set([...this.clients.values()].filter((t): t is string => t !== null))];
    if (!tokens.length) return;
    const checked = new Set(tokens);
    const live = new Set(await alive(tokens));
    for (const [res, token] of this.clients) {
      // A stream opened while the answer was on its way was not asked about: it waits for the next check.
      if (token === null || !checked.has(token) || live.has(token)) continue;
      this.clients.delete(res);
      res.end("event: session-ended\ndata: {}\n\n");
    }
  }

  changedMonitors(ids: Iterable<number>): void {
    if (!this.clients.size) return;
    for (const id of ids) this.changed.add(id);
    this.schedule();
  }

  deletedMonitor(id: number): void {
    if (!this.clients.size) return;
    this.deleted.add(id);
    this.changed.delete(id);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.flush().catch(this.onError);
    }, this.flushMs);
  }

  private async flush(): Promise<void> {
    const ids = [...this.changed].slice(0, 1000);
    for (const id of ids) this.changed.delete(id);
    if (this.changed.size) this.schedule();
    const gone = [...this.deleted];
    this.deleted.clear();
    let out = gone.map((id) => `event: monitor-deleted\ndata: ${JSON.stringify({ id })}\n\n`).join("");
    if (ids.length)
      out += (await this.views(ids)).map((m) => `event: monitor\ndata: ${JSON.stringify(m)}\n\n`).join("");
    if (out) this.broadcast(out);
  }

  private broadcast(text: string): void {
    for (const res of this.clients.keys()) res.write(text);
  }

  close(): void {
    clearInterval(this.keepAlive);
    clearInterval(this.sessionCheck);
    if (this.timer) clearTimeout(this.timer);
    for (const res of this.clients.keys()) res.end();
    this.clients.clear();
  }
}
