// Live updates for the dashboard: Server-Sent Events fed by the services' events. Changes are
// gathered for a moment and sent as one batch of fresh monitor views, so a burst of pings costs
// one registry read, and nothing is read at all while no browser listens.

import type { ServerResponse } from "node:http";

export interface MonitorLike {
  id: number;
}

export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private changed = new Set<number>();
  private deleted = new Set<number>();
  private timer: NodeJS.Timeout | null = null;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly views: (ids: number[]) => Promise<MonitorLike[]>;
  private readonly flushMs: number;
  private readonly onError: (err: Error) => void;

  constructor(views: (ids: number[]) => Promise<MonitorLike[]>, onError: (err: Error) => void, flushMs = 200) {
    this.views = views;
    this.onError = onError;
    this.flushMs = flushMs;
    // Proxies close idle connections; a comment every 15 s keeps the stream open.
    this.keepAlive = setInterval(() => this.broadcast(": keep-alive\n\n"), 15_000);
    this.keepAlive.unref();
  }

  get size(): number {
    return this.clients.size;
  }

  add(res: ServerResponse): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 3000\n\n");
    this.clients.add(res);
    res.on("close", () => this.clients.delete(res));
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
    for (const res of this.clients) res.write(text);
  }

  close(): void {
    clearInterval(this.keepAlive);
    if (this.timer) clearTimeout(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
