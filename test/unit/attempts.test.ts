import { test } from "node:test";
import assert from "node:assert/strict";
import {
  afterFailure,
  attemptKeys,
  refusalOf,
  type AttemptCount,
  type LimiterOptions,
  type LockoutStart,
} from "../../core/security/attempts.ts";

/** The rules over an in-memory table, as core/db/signin-attempts.ts applies them over the database's. */
function limiter(opts: LimiterOptions) {
  const counts = new Map<string, AttemptCount>();
  return {
    refused: (user: string | null, ip: string | null, now: number) =>
      refusalOf(
        attemptKeys(user, ip).map(([scope, who]) => [scope, counts.get(`${scope}:${who}`)]),
        now,
      ),
    failed(user: string | null, ip: string | null, now: number): LockoutStart[] {
      const started: LockoutStart[] = [];
      for (const [scope, who] of attemptKeys(user, ip)) {
        const r = afterFailure(counts.get(`${scope}:${who}`), scope, now, opts);
        counts.set(`${scope}:${who}`, r.count);
        if (r.started) started.push({ scope, who, failures: r.count.failures });
      }
      return started;
    },
    succeeded: (user: string) => counts.delete(`user:${user}`),
  };
}

test("a user is locked at the limit for the lockout time, once, and a success clears the user's count", () => {
  const l = limiter({ maxPerUser: 3, maxPerIp: 100, lockMs: 60_000 });
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
  const l = limiter({ maxPerUser: 100, maxPerIp: 2, lockMs: 10_000 });
  l.failed("a", "203.0.113.1", 0);
  assert.deepEqual(l.failed("b", "203.0.113.1", 1), [{ scope: "ip", who: "203.0.113.1", failures: 2 }]);
  assert.equal(l.refused("c", "203.0.113.1", 5)?.scope, "ip");
  assert.equal(l.refused("c", "203.0.113.2", 5), null);
  l.failed("a", "198.51.100.1", 0);
  assert.deepEqual(l.failed("a", "198.51.100.1", 10_001), [], "a window later, the count started over");
});

test("a window that ends during a lockout does not end the lockout", () => {
  const opts = { maxPerUser: 2, maxPerIp: 100, lockMs: 10_000 };
  const first = afterFailure(undefined, "user", 0, opts).count;
  const locked = afterFailure(first, "user", 9_000, opts);
  assert.equal(locked.started, true);
  assert.equal(locked.count.lockedUntil, 19_000);
  // 10 s after the window began, still locked: one more failure keeps the lock, starts nothing.
  const during = afterFailure(locked.count, "user", 12_000, opts);
  assert.equal(during.started, false);
  assert.equal(during.count.lockedUntil, 19_000);
  assert.deepEqual(refusalOf([["user", during.count]], 12_000), { scope: "user", retryAfterMs: 7_000 });
});
