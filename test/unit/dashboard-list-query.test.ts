import { test } from "node:test";
import assert from "node:assert/strict";
import { listParamsOf, listQueryOf, listStateOf } from "../../dashboard/src/app/monitors/list-query.ts";

const stateOf = (search: string) => listStateOf(new URLSearchParams(search));

test("the list's URL gives its state; unknown statuses, sorts and pages count as none", () => {
  assert.deepEqual(stateOf(""), {
    filters: { tags: "", q: "", status: "" },
    sort: { active: "", direction: "" },
    pageIndex: 0,
  });
  assert.deepEqual(stateOf("tags=a,b&q=db&status=down&sort=uptime&order=desc&page=3"), {
    filters: { tags: "a,b", q: "db", status: "down" },
    sort: { active: "uptime", direction: "desc" },
    pageIndex: 2,
  });
  assert.deepEqual(stateOf("status=sideways&sort=colour&page=-4"), stateOf(""));
  assert.equal(stateOf("page=abc").pageIndex, 0);
  assert.deepEqual(stateOf("sort=name").sort, { active: "name", direction: "asc" });
});

test("a state asks for its page, with the query parameters always in one order", () => {
  const q = listQueryOf(stateOf("page=2&order=desc&sort=name&status=up&q=%20db%20&tags=B,%20a,b"));
  assert.deepEqual(q, { tags: ["b", "a"], q: "db", status: "up", limit: 50, offset: 50, sort: "name", order: "desc" });
  assert.deepEqual(listParamsOf(q), [
    ["limit", "50"],
    ["offset", "50"],
    ["tags", "b,a"],
    ["q", "db"],
    ["status", "up"],
    ["sort", "name"],
    ["order", "desc"],
  ]);
  assert.deepEqual(listParamsOf(listQueryOf(stateOf(""))), [
    ["limit", "50"],
    ["offset", "0"],
  ]);
  // An order without a sort asks for no order.
  assert.deepEqual(listParamsOf(listQueryOf(stateOf("order=desc"))), [
    ["limit", "50"],
    ["offset", "0"],
  ]);
});
