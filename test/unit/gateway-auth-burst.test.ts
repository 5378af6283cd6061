// A burst of requests with the same password that no gateway cache holds yet (a job's first
// pings after a restart) costs one check in the registry, not one scrypt hash each; different
// passwords are checked each on their own, and a wrong one is refused to every request.

import { test } from "node:test";
import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { GatewayAuth } from "../../gateway/auth.ts";
import { loadConfig } from "../../core/config.ts";
import { systemClock } from "../../core/checker/clock.ts";

const req = (user: string, password: string) =>
  ({
    headers: { authorization: "Basic " + Buffer.from(`${user}:${password}`).toString("base64") },
    socket: { remoteAddress: "10.0.0.1" },
  }) as unknown as IncomingMessage;

/** The registry's side, counting its password checks; each takes a while, as scrypt does. */
function registry() {
  const checks: string[] = [];
  const call = async (action: string, params: Record<string, unknown>) => {
    if (action === "registry.authenticate") {
      checks.push(String(params.password));
      await new Promise((r) => setTimeout(r, 50));
      return params.password === "right" ? { id: 1, username: String(params.username), role: "pinger" } : null;
    }
    return action === "registry.signin.failed" ? [] : null;
  };
  return { checks, call };
}

test("ten concurrent requests with one uncached password share one check", async () => {
  const auth = new GatewayAuth(loadConfig({}), systemClock);
  const r = registry();
  const users = await Promise.all(Array.from({ length: 10 }, () => auth.user(r.call, req("job", "right"))));
  assert.equal(r.checks.length, 1);
  assert.ok(users.every((u) => u.username === "job"));
  await auth.user(r.call, req("job", "right"));
  assert.equal(r.checks.length, 1, "and the next one is served from the cache");
});

test("different passwords are each checked; a wrong one is refused to every request that sent it", async () => {
  const auth = new GatewayAuth(loadConfig({}), systemClock);
  const r = registry();
  const answers = await Promise.allSettled([
    auth.user(r.call, req("job", "wrong")),
    auth.user(r.call, req("job", "wrong")),
    auth.user(r.call, req("job", "right")),
  ]);
  assert.deepEqual(r.checks.sort(), ["right", "wrong"]);
  assert.deepEqual(
    answers.map((a) => a.status),
    ["rejected", "rejected", "fulfilled"],
  );
});
