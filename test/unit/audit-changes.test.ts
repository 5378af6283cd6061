import { test } from "node:test";
import assert from "node:assert/strict";
import { auditChanges, flatten } from "../../core/audit/changes.ts";

const MASK = "********";

test("an update lists only the fields that moved, nested ones by their dotted path", () => {
  const before = {
    id: 3,
    name: "backup",
    schedule: { kind: "interval", periodSeconds: 60 },
    tags: ["a"],
    nextDueAt: 1,
  };
  const after = {
    id: 3,
    name: "nightly backup",
    schedule: { kind: "interval", periodSeconds: 3600 },
    tags: ["a"],
    nextDueAt: 2,
  };
  assert.deepEqual(auditChanges("update", before, after, { id: 3, name: "nightly backup" }, MASK), {
    name: { from: "backup", to: "nightly backup" },
    "schedule.periodSeconds": { from: 60, to: 3600 },
  });
});

test("a create lists what was given (as the record shows it); a delete what there was; ids, system times and empties left out", () => {
  const view = {
    id: 9,
    name: "db",
    createdAt: "2026-01-01T00:00:00Z",
    tags: ["x", "y"],
    description: null,
    channels: [],
    timezone: "UTC",
    lastPingAt: null,
  };
  // The record's own spelling wins (the tag list as stored), defaults nobody gave are not listed.
  assert.deepEqual(auditChanges("create", null, view, { name: "db", tags: ["y", "x"], description: "" }, MASK), {
    name: { to: "db" },
    tags: { to: ["x", "y"] },
  });
  assert.deepEqual(auditChanges("delete", view, null, { id: 9 }, MASK), {
    name: { from: "db" },
    tags: { from: ["x", "y"] },
    timezone: { from: "UTC" },
  });
});

test("secrets never appear: masked fields and secret names are only said to be set or changed, when given", () => {
  const before = { id: 1, name: "ops", config: { url: MASK, channel: "#ops", token: MASK } };
  const after = { id: 1, name: "ops", config: { url: MASK, channel: "#alerts", token: MASK } };
  const changed = auditChanges(
    "update",
    before,
    after,
    { id: 1, config: { url: "https://hooks.example.com/T0/B0/s3cr3t", channel: "#alerts", token: MASK } },
    MASK,
  );
  assert.deepEqual(changed, { "config.url": "(changed)", "config.channel": { from: "#ops", to: "#alerts" } });
  assert.ok(!JSON.stringify(changed).includes("s3cr3t"));
  // A user's password never shows in the record: named from the parameters.
  assert.deepEqual(
    auditChanges(
      "update",
      { username: "ann", role: "viewer" },
      { username: "ann", role: "admin" },
      {
        username: "ann",
        password: "hunter2 hunter2",
        role: "admin",
      },
      MASK,
    ),
    { role: { from: "viewer", to: "admin" }, password: "(changed)" },
  );
  // A new key: its secret in the answer is left out, its name and scope are shown.
  const made = auditChanges(
    "create",
    null,
    { id: 4, name: "ci", scope: "write", prefix: "hbk_ab", key: "hbk_ab_SECRET" },
    {
      name: "ci",
      scope: "write",
    },
    MASK,
  );
  assert.deepEqual(made, { name: { to: "ci" }, scope: { to: "write" } });
  // A host's key sent back masked means "keep": nothing to say.
  assert.deepEqual(
    auditChanges("update", { privateKey: MASK, port: 22 }, { privateKey: MASK, port: 22 }, { privateKey: MASK }, MASK),
    {},
  );
});

test("long values are cut; flatten leaves arrays whole", () => {
  const long = "x".repeat(1000);
  const c = auditChanges("create", null, { description: long }, { description: long }, MASK);
  assert.ok(String((c.description as { to: string }).to).length <= 301 + 2);
  assert.deepEqual(
    [...flatten({ a: { b: [1, { c: 2 }] }, d: null })],
    [
      ["a.b", [1, { c: 2 }]],
      ["d", null],
    ],
  );
});
