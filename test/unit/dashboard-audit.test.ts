import { test } from "node:test";
import assert from "node:assert/strict";
import { changeLines } from "../../dashboard/src/app/audit/change-lines.ts";

test("an audit entry's changes read as one line per field: from → to, the value made or deleted, or a secret's word", () => {
  assert.deepEqual(
    changeLines({
      name: { from: "backup", to: "nightly backup" },
      "schedule.periodSeconds": { from: 60, to: 3600 },
      tags: { to: ["db"] },
      email: { from: null, to: "ops@example.com" },
      port: { from: 22 },
      "config.url": "(changed)",
      password: "(set)",
    }),
    [
      'name: "backup" → "nightly backup"',
      "schedule.periodSeconds: 60 → 3600",
      'tags: ["db"]',
      'email: null → "ops@example.com"',
      "port: 22",
      "config.url: (changed)",
      "password: (set)",
    ],
  );
  assert.deepEqual(changeLines(null), []);
});
