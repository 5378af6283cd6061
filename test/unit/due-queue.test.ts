import { test } from "node:test";
import assert from "node:assert/strict";
import { DueQueue } from "../../core/due-queue.ts";

test("pops due ids earliest first and leaves the rest", () => {
  const q = new DueQueue();
  q.set(1, 30);
  q.set(2, 10);
  q.set(3, 20);
  q.set(4, 40);
  assert.equal(q.peek(), 10);
  assert.deepEqual(q.popDue(25), [2, 3]);
  assert.equal(q.size, 2);
  assert.deepEqual(q.popDue(100), [1, 4]);
  assert.equal(q.peek(), null);
});

test("moving a deadline earlier or later reorders it; null removes it", () => {
  const q = new DueQueue();
  for (let i = 1; i <= 5; i++) q.set(i, i * 10);
  q.set(5, 1);
  q.set(1, 100);
  q.set(3, null);
  assert.equal(q.get(3), null);
  assert.deepEqual(q.popDue(1000), [5, 2, 4, 1]);
});

test("max limits how many are popped at once", () => {
  const q = new DueQueue();
  for (let i = 0; i < 10; i++) q.set(i, i);
  assert.equal(q.popDue(100, 3).length, 3);
  assert.equal(q.size, 7);
});

test("matches a sorted model under random operations", () => {
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const q = new DueQueue();
  const model = new Map<number, number>();
  for (let step = 0; step < 20_000; step++) {
    const id = Math.floor(rnd() * 500);
    const r = rnd();
    if (r < 0.7) {
      const at = Math.floor(rnd() * 1e6);
      q.set(id, at);
      model.set(id, at);
    } else if (r < 0.85) {
      q.delete(id);
      model.delete(id);
    } else {
      const now = Math.floor(rnd() * 1e6);
      const popped = q.popDue(now);
      const expected = [...model].filter(([, at]) => at <= now).sort((a, b) => a[1] - b[1]);
      assert.deepEqual(popped.map((i) => model.get(i)), expected.map(([, at]) => at));
      for (const i of popped) model.delete(i);
    }
    assert.equal(q.size, model.size);
  }
});
