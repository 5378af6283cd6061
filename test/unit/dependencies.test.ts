import { test } from "node:test";
import assert from "node:assert/strict";
import { checkDependsOn, MAX_PARENTS } from "../../core/monitor/dependencies.ts";

const known = new Set([1, 2, 3, 4, 5]);
// 2 depends on 1, 3 depends on 2, 5 depends on 4
const edges = [
  { monitor_id: 2, parent_id: 1 },
  { monitor_id: 3, parent_id: 2 },
  { monitor_id: 5, parent_id: 4 },
];

test("parents that exist and make no cycle are accepted", () => {
  assert.deepEqual(checkDependsOn(4, [1, 2], known, edges), []);
  assert.deepEqual(checkDependsOn(null, [3, 5], known, edges), [], "a new monitor cannot close a cycle");
  assert.deepEqual(checkDependsOn(1, [], known, edges), []);
  // 3 depends on 2 already; replacing 3's own parents by 1 is no cycle
  assert.deepEqual(checkDependsOn(3, [1], known, edges), []);
});

test("an unknown id is refused, naming dependsOn and the id", () => {
  const [e] = checkDependsOn(1, [2, 99], known, edges);
  assert.equal(e!.field, "dependsOn");
  assert.match(e!.message, /99/);
  assert.equal(checkDependsOn(null, [99], known, edges)[0]!.field, "dependsOn");
});

test("a monitor cannot depend on itself", () => {
  assert.deepEqual(checkDependsOn(2, [2], known, edges), [
    { field: "dependsOn", message: "a monitor cannot depend on itself" },
  ]);
});

test("cycles are refused, direct and through others", () => {
  // 1 → 2 would close 2 → 1
  const direct = checkDependsOn(1, [2], known, edges);
  assert.equal(direct[0]!.field, "dependsOn");
  assert.match(direct[0]!.message, /cycle/);
  // 1 → 3 would close 3 → 2 → 1
  assert.match(checkDependsOn(1, [4, 3], known, edges)[0]!.message, /monitor 3 already depends on monitor 1/);
  // 4 → 5 would close 5 → 4
  assert.equal(checkDependsOn(4, [5], known, edges).length, 1);
});

test("a diamond is no cycle", () => {
  const diamond = [
    { monitor_id: 2, parent_id: 1 },
    { monitor_id: 3, parent_id: 1 },
  ];
  assert.deepEqual(checkDependsOn(4, [2, 3], known, diamond), []);
});

test(`at most ${MAX_PARENTS} parents`, () => {
  const many = Array.from({ length: MAX_PARENTS + 1 }, (_, i) => i + 10);
  assert.equal(checkDependsOn(1, many, new Set(many), [])[0]!.field, "dependsOn");
});
