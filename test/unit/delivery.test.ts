import { test } from "node:test";
import assert from "node:assert/strict";
import { retryDelayMs, FIRST_RETRY_MS, MAX_RETRY_MS } from "../../core/delivery.ts";

test("retries back off exponentially from 5 s to a one-hour cap, jittered by ±20 %", () => {
  assert.equal(retryDelayMs(1, () => 0.5), FIRST_RETRY_MS);
  assert.equal(retryDelayMs(2, () => 0.5), 2 * FIRST_RETRY_MS);
  assert.equal(retryDelayMs(4, () => 0.5), 8 * FIRST_RETRY_MS);
  assert.equal(retryDelayMs(40, () => 0.5), MAX_RETRY_MS);
  assert.equal(retryDelayMs(1, () => 0), 0.8 * FIRST_RETRY_MS);
  assert.equal(retryDelayMs(1, () => 1), 1.2 * FIRST_RETRY_MS);
});
