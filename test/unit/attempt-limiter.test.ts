import { test } from "node:test";
import assert from "node:assert/strict";
import { AttemptLimiter } from "../../gateway/attempt-limiter.ts";

test("a user is locked at the limit for the lockout time, once, and a success clears the user's count", () => {
  const l = new AttemptLimiter({ maxPerUser: 3, maxPerIp: 100, lockMs: 60_000 });
  assert.deepEqual(l.failed("alice", "10.0.0.1", 0), []);
  assert.deepEqual(l.failed("alice", "10.0.0.2", 1), []);
  assert.equal(l.refused("alice", "10.0.0.3", 2), null);
  assert.deepEqual(l.failed("alice", "10.0.0.3", 2), [{ scope: "user", who: "alice", failures: 3 }]);
  assert.deepEqual(l.refused("alice", "10.0.0.9", 1_002), { scope: "user", retryAfterMs: 60_000 - 1_000 });
  // Further failures while locked do not start a second lockout (one notice).
  assert.deepEqual(l.failed("alice", "10.0.0.3", 3), []);
  assert.equal(l.refused("bob", "10.0.0.1", 1_002), null);
  assert.equal(l.refused("alice", null, 60_002), null, "the lockout ends");
  l.failed("carol", null, 0);
  l.failed("carol", null, 0);
  l.succeeded("carol");
  assert.deepEqual(l.failed("carol", null, 1), [], "counting starts again after a success");
});

test("an address is locked whatever user it names; failures older than the window are forgotten", () => {
  const l = new AttemptLimiter({ maxPerUser: 100, maxPerIp: 2, lockMs: 10_000 });
  l.failed("a", "203.0.113.1", 0);
  assert.deepEqual(l.failed("b", "203.0.113.1", 1), [{ scope: "ip", who: "203.0.113.1", failures: 2 }]);
  assert.equal(l.refused("c", "203.0.113.1", 5)?.scope, "ip");
  assert.equal(l.refused("c", "203.0.113.2", 5), null);
  l.failed("a", "198.51.100.1", 0);
  assert.deepEqual(l.failed("a", "198.51.100.1", 10_001), [], "a window later, the count started over");
});

test("memory stays bounded when every attempt names a new user, and the flooding address stays counted", () => {
  const l = new AttemptLimiter({ maxPerUser: 2, maxPerIp: 40_000, lockMs: 60_000, maxKeys: 1_000 });
  for (let i = 0; i < 50_000; i++) l.failed(`u${i}`, "192.0.2.1", i);
  assert.ok((l as unknown as { counts: Map<string, unknown> }).counts.size <= 1_000);
  assert.equal(l.refused("anyone", "192.0.2.1", 50_000)?.scope, "ip");
});
