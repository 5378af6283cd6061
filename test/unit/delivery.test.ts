import { test } from "node:test";
import assert from "node:assert/strict";
import { retryDelayMs, afterAttempt, DEFAULT_RETRY } from "../../core/alerts/delivery.ts";

const half = () => 0.5;

test("retries back off exponentially from the first delay, capped, with ±20 % jitter", () => {
  const first = DEFAULT_RETRY.firstDelayMs;
  assert.equal(retryDelayMs(1, DEFAULT_RETRY, half), first);
  assert.equal(retryDelayMs(2, DEFAULT_RETRY, half), 2 * first);
  assert.equal(retryDelayMs(4, DEFAULT_RETRY, half), 8 * first);
  assert.equal(retryDelayMs(40, DEFAULT_RETRY, half), DEFAULT_RETRY.maxDelayMs);
  assert.equal(retryDelayMs(10_000, DEFAULT_RETRY, half), DEFAULT_RETRY.maxDelayMs);
  assert.equal(
    retryDelayMs(1, DEFAULT_RETRY, () => 0),
    0.8 * first,
  );
  assert.equal(
    retryDelayMs(1, DEFAULT_RETRY, () => 1),
    1.2 * first,
  );
});

test("the policy is configurable", () => {
  const p = { firstDelayMs: 100, maxDelayMs: 1_000, windowMs: 10_000 };
  assert.equal(retryDelayMs(3, p, half), 400);
  assert.equal(retryDelayMs(9, p, half), 1_000);
});

test("after an attempt: sent, given up on a permanent error, retried within the window, given up past it", () => {
  const p = { firstDelayMs: 1_000, maxDelayMs: 60_000, windowMs: 3_600_000 };
  assert.deepEqual(afterAttempt({ ok: true }, 1, 0, 5, p, half), { state: "sent" });
  assert.deepEqual(afterAttempt({ ok: false, retryable: false }, 1, 0, 5, p, half), { state: "failed" });
  assert.deepEqual(afterAttempt({ ok: false, retryable: true }, 1, 0, 5, p, half), {
    state: "pending",
    nextAttemptAt: 1_005,
  });
  // the 100th attempt an hour after the alert: its next wait would leave the window
  assert.deepEqual(afterAttempt({ ok: false, retryable: true }, 100, 0, 3_590_000, p, half), { state: "failed" });
});
