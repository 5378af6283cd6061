import { test } from "node:test";
import assert from "node:assert/strict";
import { CheckerShare } from "../../core/checker/checker-share.ts";

const ids = Array.from({ length: 30_000 }, (_, i) => i + 1);

test("every monitor has exactly one owner, and every node agrees on it", () => {
  const nodes = ["checker-a", "checker-b", "checker-c"];
  const views = nodes.map((self) => new CheckerShare(nodes, self));
  for (const id of ids) {
    const owners = views.filter((v) => v.owns(id));
    assert.equal(owners.length, 1, `monitor ${id}`);
    assert.equal(views[0]!.owner(id), views[2]!.owner(id));
  }
});

test("the share is even: each of three nodes holds about a third", () => {
  const nodes = ["pod-7f9c-x1", "pod-7f9c-x2", "pod-7f9c-x3"];
  const counts = nodes.map((self) => ids.filter((id) => new CheckerShare(nodes, self).owns(id)).length);
  for (const c of counts) assert.ok(Math.abs(c - ids.length / 3) < ids.length * 0.03, `counts ${counts}`);
});

test("when a node dies only its monitors move, and they spread over the survivors", () => {
  const before = new CheckerShare(["a", "b", "c"], "a");
  const after = new CheckerShare(["a", "c"], "a");
  let moved = 0;
  const gained = { a: 0, c: 0 };
  for (const id of ids) {
    const was = before.owner(id);
    const is = after.owner(id);
    if (was !== "b") assert.equal(is, was, `monitor ${id} moved from a live node`);
    else {
      moved++;
      gained[is as "a" | "c"]++;
    }
  }
  assert.ok(moved > ids.length / 4 && moved < ids.length / 2.5);
  assert.ok(gained.a > moved / 3 && gained.c > moved / 3, JSON.stringify(gained));
});

test("a node joining takes monitors only for itself", () => {
  const before = new CheckerShare(["a", "b"], "a");
  const after = new CheckerShare(["a", "b", "d"], "a");
  for (const id of ids) {
    const is = after.owner(id);
    if (is !== "d") assert.equal(is, before.owner(id));
  }
});

test("alone, a checker owns everything; self is always counted as live", () => {
  const alone = new CheckerShare([], "solo");
  assert.deepEqual(alone.nodes, ["solo"]);
  assert.ok(ids.every((id) => alone.owns(id)));
  const share = new CheckerShare(["b"], "a");
  assert.deepEqual(share.nodes, ["a", "b"]);
  assert.ok(share.sameNodes(["a", "b"], "a"));
  assert.ok(share.sameNodes(["b"], "a"));
  assert.ok(!share.sameNodes(["b", "c"], "a"));
});
