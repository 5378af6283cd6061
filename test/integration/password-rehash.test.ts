// A password hashed at the old cost (scrypt N=2^14) still signs in, and is stored back at
// today's (2^17) by that sign-in, on SQLite and on MariaDB; a wrong password changes nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { scrypt, randomBytes } from "node:crypto";
import { openDatabase, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { checkCredentials, createUser } from "../../core/db/users.ts";
import { SCRYPT_COST } from "../../core/security/password.ts";
import { needs, scratchDatabase } from "../support/services.ts";

const password = "correct horse battery staple";

/** The stored form the previous release wrote: scrypt at N=2^14. */
async function oldHash(pw: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await new Promise<Buffer>((resolve, reject) =>
    scrypt(pw, salt, 32, { N: 16384, r: 8, p: 1 }, (err, k) => (err ? reject(err) : resolve(k))),
  );
  return `scrypt$16384$8$1$${salt.toString("base64")}$${key.toString("base64")}`;
}

const storedHash = async (db: Database, username: string) =>
  ((await db.models.User.findOne({ where: { username } }))!.get() as { password_hash: string }).password_hash;

async function rehashes(db: Database): Promise<void> {
  await migrate(db);
  await createUser(db, "legacy", "placeholder password", "viewer");
  const old = await oldHash(password);
  await db.write((t) =>
    db.models.User.update({ password_hash: old }, { where: { username: "legacy" }, transaction: t }),
  );

  assert.equal(await checkCredentials(db, "legacy", "wrong password"), null);
  assert.equal(await storedHash(db, "legacy"), old, "a failed sign-in leaves the hash alone");

  assert.equal((await checkCredentials(db, "legacy", password))?.username, "legacy");
  const now = await storedHash(db, "legacy");
  assert.notEqual(now, old);
  assert.match(now, new RegExp(`^scrypt\\$${SCRYPT_COST.N}\\$${SCRYPT_COST.r}\\$${SCRYPT_COST.p}\\$`));
  assert.equal((await checkCredentials(db, "legacy", password))?.username, "legacy", "the new hash verifies");
  assert.equal(await storedHash(db, "legacy"), now, "and is not hashed again");
  assert.match(await storedHash(db, "legacy"), /^scrypt\$131072\$/);
}

test("an old-cost hash signs in and is stored back at today's cost, on SQLite", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-rehash-"));
  const db = await openDatabase(`sqlite:${path.join(dir, "hb.sqlite")}`);
  try {
    await rehashes(db);
  } finally {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an old-cost hash signs in and is stored back at today's cost, on MariaDB", async (t) => {
  const missing = await needs(["mariadb"]);
  if (missing) return t.skip(missing);
  const scratch = await scratchDatabase();
  const db = await openDatabase(scratch.url);
  try {
    await rehashes(db);
  } finally {
    await db.close();
    await scratch.drop();
  }
});
