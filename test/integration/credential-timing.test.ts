// Credential checks take as long whether the user exists or not, and whether a wrong password
// is nearly right or wholly wrong: the time of an answer tells an attacker nothing. Measured
// interleaved on a real database, compared by medians with a wide band: a check that skipped
// the hash for unknown users would answer ~100× faster and fall far outside it.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { checkCredentials, createUser } from "../../core/db/users.ts";
import { csrfOk } from "../../gateway/session.ts";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

test("unknown user, wrong password and nearly-right password cost the same time", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-timing-"));
  const db = await openDatabase(`sqlite:${path.join(dir, "hb.sqlite")}`);
  try {
    await migrate(db);
    const password = "correct horse battery staple";
    await createUser(db, "alice", password, "viewer");
    const kinds = {
      unknownUser: () => checkCredentials(db, "nobody-here", password),
      wrongPassword: () => checkCredentials(db, "alice", "x"),
      nearlyRight: () => checkCredentials(db, "alice", password.slice(0, -1) + "f"),
    };
    const times: Record<keyof typeof kinds, number[]> = { unknownUser: [], wrongPassword: [], nearlyRight: [] };
    for (let i = 0; i < 15; i++) {
      for (const k of Object.keys(kinds) as (keyof typeof kinds)[]) times[k].push(await timed(kinds[k]));
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)])) as Record<
      keyof typeof kinds,
      number
    >;
    t.diagnostic(
      `median ms: unknown user ${m.unknownUser.toFixed(1)}, wrong password ${m.wrongPassword.toFixed(1)}, nearly right ${m.nearlyRight.toFixed(1)}`,
    );
    for (const k of ["unknownUser", "nearlyRight"] as const) {
      const ratio = m[k] / m.wrongPassword;
      assert.ok(ratio > 0.5 && ratio < 2, `${k} takes ${ratio.toFixed(2)}× a wrong password's time`);
    }
    assert.equal(await kinds.nearlyRight(), null);
    assert.ok(await checkCredentials(db, "alice", password));
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("CSRF tokens are compared whole, never by a prefix or a type trick", () => {
  const token = "a".repeat(43);
  assert.equal(csrfOk("POST", token, token), true);
  for (const sent of [token.slice(0, -1), token + "a", "b" + token.slice(1), "", ["a".repeat(43)], undefined]) {
    assert.equal(csrfOk("POST", sent, token), false, JSON.stringify(sent));
  }
});
