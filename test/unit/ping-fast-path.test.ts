// The gateway's fast path for pings: which requests it takes (exactly those moleculer-web's ping
// aliases would match), the request id it answers with, and the batching of calls to ingest.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { callBatcher, matchPingRoute, requestIdOf } from "../../gateway/ping-fast-path.ts";
import { placeholders } from "../../core/db/connect.ts";

test("the ping URLs are taken, with their code and signal decoded", () => {
  assert.deepEqual(matchPingRoute("GET", "/ping/abc"), { route: "ping", code: "abc", signal: undefined });
  assert.deepEqual(matchPingRoute("HEAD", "/ping/abc/"), { route: "ping", code: "abc", signal: undefined });
  assert.deepEqual(matchPingRoute("POST", "/ping/abc/fail"), { route: "ping", code: "abc", signal: "fail" });
  assert.deepEqual(matchPingRoute("POST", "/ping/abc/17/"), { route: "ping", code: "abc", signal: "17" });
  // moleculer-web trims one slash and its patterns accept one more
  assert.deepEqual(matchPingRoute("GET", "/ping/abc//"), { route: "ping", code: "abc", signal: undefined });
  assert.deepEqual(matchPingRoute("GET", "/ping/abc?rid=1&x=%FF"), { route: "ping", code: "abc", signal: undefined });
  assert.deepEqual(matchPingRoute("GET", "/ping/a%41c/st%61rt"), { route: "ping", code: "aAc", signal: "start" });
  assert.deepEqual(matchPingRoute("GET", "/ping/a%2Fb"), { route: "ping", code: "a/b", signal: undefined });
  assert.deepEqual(matchPingRoute("POST", "/api/pings/?service=abc&data=x"), { route: "original" });
  assert.deepEqual(matchPingRoute("GET", "/api/pings?service=abc"), { route: "original" });
  assert.deepEqual(matchPingRoute("HEAD", "/api/pings//?service=abc"), { route: "original" });
});

test("everything else is left to moleculer-web", () => {
  for (const [method, url] of [
    ["PUT", "/ping/abc"],
    ["DELETE", "/ping/abc"],
    ["OPTIONS", "/ping/abc"],
    ["GET", "/ping"],
    ["GET", "/ping/"],
    ["GET", "/ping/abc/start/extra"],
    ["GET", "/ping/abc///"],
    ["GET", "/PING/abc"],
    ["GET", "/pingx/abc"],
    ["GET", "/ping/%E0%A4%A"], // not percent-encoded UTF-8: moleculer-web answers 400
    ["GET", "/API/pings/?service=abc"],
    ["GET", "/api/pings/x?service=abc"],
    ["GET", "/api/pings///?service=abc"],
    ["GET", "/api/v1/monitors"],
    ["GET", "/healthz"],
  ] as const) {
    assert.equal(matchPingRoute(method, url), null, `${method} ${url}`);
  }
  assert.equal(matchPingRoute(undefined, "/ping/abc"), null);
  assert.equal(matchPingRoute("GET", undefined), null);
});

test("the request id: X-Correlation-ID, else X-Request-ID, else a new UUID", () => {
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
  assert.equal(requestIdOf(req({ "x-request-id": "r1" })), "r1");
  assert.equal(requestIdOf(req({ "x-request-id": "r1", "x-correlation-id": "c1" })), "c1");
  assert.equal(requestIdOf(req({ "x-request-id": "" })), ""); // moleculer-web sends no header then
  assert.match(String(requestIdOf(req({}))), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test("calls made in one turn go out as one batch, each answered with its own result", async () => {
  const sent: number[][] = [];
  const double = callBatcher<number, number>(async (items) => {
    sent.push(items);
    return items.map((n) => n * 2);
  });
  assert.deepEqual(await Promise.all([double(1), double(2), double(3)]), [2, 4, 6]);
  assert.deepEqual(await double(5), 10);
  assert.deepEqual(sent, [[1, 2, 3], [5]]);
});

test("a failed batch fails each of its calls", async () => {
  const failing = callBatcher<number, number>(async () => {
    throw new Error("ingest is gone");
  });
  const results = await Promise.allSettled([failing(1), failing(2)]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "rejected"],
  );
});

test("placeholders", () => {
  assert.equal(placeholders(0), "");
  assert.equal(placeholders(1), "?");
  assert.equal(placeholders(3), "?, ?, ?");
});
