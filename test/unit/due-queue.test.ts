import { test } from "node:test";
import assert from "node:assert/strict";
import { DueQueue } from "../../core/checker/due-queue.ts";

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
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
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
      assert.deepEqual(
        popped.map((i) => model.get(i)),
        expected.map(([, at]) => at),
      );
      for (const i of popped) model.delete(i);
    }
    assert.equal(q.size, model.size);
  }
});

test("typed-array queue: random sets, moves, deletes, gets and pops agree with a reference model", () => {
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const [span, steps] of [
    [50, 20_000],
    [5_000, 60_000],
    [2 ** 31 - 1, 30_000],
  ] as const) {
    const q = new DueQueue();
    const model = new Map<number, number>();
    // Ids near each other, far apart, and in runs (auto-increment ids) collide in the table.
    const idOf = () => (rnd() < 0.5 ? Math.floor(rnd() * Math.min(span, 4096)) : Math.floor(rnd() * span));
    for (let step = 0; step < steps; step++) {
      const r = rnd();
      if (r < 0.55) {
        const id = idOf();
        // Few distinct deadlines: ties must be handled too.
        const at = rnd() < 0.3 ? Math.floor(rnd() * 20) : Math.floor(rnd() * 1e6);
        q.set(id, at);
        model.set(id, at);
      } else if (r < 0.75) {
        const id = rnd() < 0.8 && model.size ? [...model.keys()][Math.floor(rnd() * model.size)]! : idOf();
        if (rnd() < 0.5) q.delete(id);
        else q.set(id, null);
        model.delete(id);
      } else if (r < 0.9) {
        const id = rnd() < 0.8 && model.size ? [...model.keys()][Math.floor(rnd() * model.size)]! : idOf();
        assert.equal(q.get(id), model.get(id) ?? null);
      } else if (r < 0.999) {
        const now = Math.floor(rnd() * 1e6);
        const max = rnd() < 0.5 ? Infinity : 1 + Math.floor(rnd() * 20);
        const popped = q.popDue(now, max);
        const expected = [...model]
          .filter(([, at]) => at <= now)
          .sort((a, b) => a[1] - b[1])
          .slice(0, max);
        assert.deepEqual(
          popped.map((i) => model.get(i)),
          expected.map(([, at]) => at),
        );
        assert.equal(new Set(popped).size, popped.length);
        for (const i of popped) {
          assert.ok(model.has(i));
          model.delete(i);
          assert.equal(q.get(i), null);
        }
      } else {
        q.clear();
        model.clear();
      }
      assert.equal(q.size, model.size);
      assert.equal(q.peek(), model.size ? Math.min(...model.values()) : null);
    }
    for (const [id, at] of model) assert.equal(q.get(id), at);
  }
});

test("typed-array queue: a million monitors in a few dozen bytes each; ids outside [0, 2^31) are refused", () => {
  const q = new DueQueue();
  const n = 1_000_000;
  for (let id = 1; id <= n; id++) q.set(id, (id * 7919) % 60_000);
  assert.equal(q.size, n);
  assert.ok(q.bytes / n <= 80, `${q.bytes / n} bytes per monitor`);
  let last = -1;
  let count = 0;
  for (let due = q.popDue(60_000, 1000); due.length; due = q.popDue(60_000, 1000)) {
    for (const id of due) {
      const at = (id * 7919) % 60_000;
      assert.ok(at >= last);
      last = at;
      count++;
    }
  }
  assert.equal(count, n);
  assert.throws(() => q.set(-1, 1), RangeError);
  assert.throws(() => q.set(2 ** 31, 1), RangeError);
  assert.throws(() => q.set(1.5, 1), RangeError);
});
