// Size limits on every route, the routes enumerated from the gateway's own schema (not a hand
// list, so a new route is covered the day it is added): a header block past Node's limit is a
// 431, a body announced past REQUEST_BODY_LIMIT a 413 before any route runs, a chunked body
// that grows past it a 413 where the route reads bodies — and never a 5xx, never a change.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { basic, type Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import gatewayService from "../../gateway/api.service.ts";
import { loadConfig } from "../../core/config.ts";
import { systemClock } from "../../core/checker/clock.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const LIMIT = 4096;

/** Every alias of every route of the gateway, as METHOD and path template. */
function gatewayRoutes(): { method: string; path: string }[] {
  const schema = gatewayService({ config: loadConfig({}), clock: systemClock }) as {
    settings: { routes: { path: string; aliases: Record<string, unknown> }[] };
  };
  return schema.settings.routes.flatMap((r) =>
    Object.keys(r.aliases).map((key) => {
      const [method, p] = key.trim().split(/\s+/) as [string, string];
      return {
        method,
        path: `/${r.path}/${p}`.replace(/\/+/g, "/").replace(/(.)\/$/, r.path === "/api/pings" ? "$1/" : "$1"),
      };
    }),
  );
}

type Answer = { status: number } | "reset";

function send(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: { chunked: boolean; bytes: number },
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const h: Record<string, string> = { ...headers };
    if (body && !body.chunked) h["content-length"] = String(body.bytes);
    if (body?.chunked) h["transfer-encoding"] = "chunked";
    const req = http.request(
      { host: "127.0.0.1", port, method, path: target, headers: h, agent: false, timeout: 20_000 },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode! }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${target}`)));
    // The server may answer 413/431 and close before reading all of a request that is too big.
    req.on("error", (err: NodeJS.ErrnoException) =>
      err.code === "ECONNRESET" || err.code === "EPIPE" ? resolve("reset") : reject(err),
    );
    if (!body) return void req.end();
    const piece = Buffer.alloc(1024, "a");
    let sent = 0;
    const more = () => {
      while (sent < body.bytes) {
        sent += piece.length;
        if (!req.write(piece)) return void req.once("drain", more);
      }
      req.end();
    };
    more();
  });
}

describe("size limits on every route", () => {
  let server: Server;
  let dbFile: string;
  let port: number;
  let a: Api;
  const ids: Record<string, string> = {};

  before(async () => {
    server = await startServer("limits", { REQUEST_BODY_LIMIT: String(LIMIT), PING_BODY_LIMIT: "1024" }, { admin });
    dbFile = path.join(server.dir, "hb.sqlite");
    port = Number(new URL(server.base).port);
    a = server.api;
    const m = await a.call("POST", "/api/v1/monitors", {
      name: "kept",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    const c = await a.call("POST", "/api/v1/channels", {
      name: "hook",
      type: "webhook",
      config: { url: "https://hooks.example.com/x" },
    });
    await a.call("POST", "/api/v1/users", { username: "looks", password: "viewer password 1", role: "viewer" });
    Object.assign(ids, {
      id: String(m.body.id),
      code: m.body.code,
      signal: "start",
      username: "looks",
      channel: String(c.body.id),
    });
  });

  after(() => server?.stop());

  function tables(): string {
    const db = new DatabaseSync(dbFile, { readOnly: true });
    try {
      // (Not pings: the original tool's ping URL takes its data from the query and never reads a
      // body, so a POST there with any body is a valid ping.)
      return ["monitors", "channels", "users", "hosts", "api_keys", "sessions"]
        .map((t) => JSON.stringify(db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get()))
        .join();
    } finally {
      db.close();
    }
  }

  test("431 for oversized headers, 413 for oversized bodies, on every route; nothing changes", async (t) => {
    const routes = gatewayRoutes();
    assert.ok(routes.length >= 40, `the gateway has ${routes.length} routes`);
    const before = tables();
    const bad: string[] = [];
    const auth = { authorization: basic(...admin) };
    for (const r of routes) {
      const target =
        r.path.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(ids[name] ?? ids.id!)) +
        (r.path === "/api/pings/" ? `?service=${ids.code}` : "");
      const bigHeader = await send(port, r.method, target, { ...auth, "x-padding": "a".repeat(64 * 1024) });
      if (bigHeader !== "reset" && bigHeader.status !== 431)
        bad.push(`${r.method} ${target} with a 64 KiB header: ${bigHeader.status}`);
      const longUrl = await send(
        port,
        r.method,
        `${target}${target.includes("?") ? "&" : "?"}pad=${"b".repeat(20 * 1024)}`,
        auth,
      );
      if (longUrl !== "reset" && longUrl.status !== 431)
        bad.push(`${r.method} ${target} with a 20 KiB URL: ${longUrl.status}`);
      if (r.method === "GET" && /events$/.test(r.path)) continue; // a stream: its body answers are below
      const announced = await send(
        port,
        r.method,
        target,
        { ...auth, "content-type": "application/json" },
        { chunked: false, bytes: LIMIT + 1024 },
      );
      if (announced !== "reset" && announced.status !== 413)
        bad.push(`${r.method} ${target} announcing ${LIMIT + 1024} bytes: ${announced.status}`);
      const chunked = await send(
        port,
        r.method,
        target,
        { ...auth, "content-type": "application/json" },
        { chunked: true, bytes: LIMIT + 1024 },
      );
      // Routes that read bodies refuse it; the others never read it at all — neither may fail.
      if (chunked !== "reset" && chunked.status >= 500)
        bad.push(`${r.method} ${target} with a chunked ${LIMIT + 1024}-byte body: ${chunked.status}`);
      if (
        chunked !== "reset" &&
        ["POST", "PATCH", "PUT"].includes(r.method) &&
        chunked.status !== 413 &&
        !/\/(pause|resume|check|test)$/.test(r.path) &&
        r.path !== "/api/pings/"
      ) {
        bad.push(`${r.method} ${target} read a chunked ${LIMIT + 1024}-byte body: ${chunked.status}`);
      }
    }
    t.diagnostic(`${routes.length} routes × 4 oversized requests`);
    assert.deepEqual(bad, []);
    assert.equal(tables(), before, "no oversized request changed anything");
    assert.equal((await a.call("GET", `/api/v1/monitors/${ids.id}`)).status, 200);
    assert.equal(server.proc.child.exitCode, null, "the server is alive");
  });

  test("an idle connection stays open past Node's 5 s and says for how long: a ping on it is not reset", async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ping = () =>
      new Promise<{ status: number; keepAlive: string | undefined; reused: boolean }>((resolve, reject) => {
        const req = http.request(
          {
            host: "127.0.0.1",
            port,
            method: "POST",
            path: `/ping/${ids.code}`,
            agent,
            headers: { authorization: basic(...admin) },
          },
          (res) => {
            res.resume();
            res.on("end", () =>
              resolve({
                status: res.statusCode!,
                keepAlive: res.headers["keep-alive"] as string | undefined,
                reused: req.reusedSocket,
              }),
            );
          },
        );
        req.on("error", reject);
        req.end();
      });
    try {
      const first = await ping();
      assert.equal(first.status, 200);
      assert.equal(
        first.keepAlive,
        "timeout=65",
        "longer than the 60 s a proxy in front usually keeps an idle connection",
      );
      // With Node's 5 s the server would have closed it (and the client, told 5 s, dropped it at 4 s).
      await new Promise((r) => setTimeout(r, 6000));
      const second = await ping();
      assert.equal(second.status, 200);
      assert.ok(second.reused, "the second ping went over the same connection");
    } finally {
      agent.destroy();
    }
  });
});
