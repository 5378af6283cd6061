import { test } from "node:test";
import assert from "node:assert/strict";
import { hashPassword, needsRehash, verifyPassword, SCRYPT_COST } from "../../core/security/password.ts";

test("passwords are hashed at OWASP's scrypt cost and verify", async () => {
  assert.deepEqual(SCRYPT_COST, { N: 131072, r: 8, p: 1 });
  const h = await hashPassword("correct horse battery staple");
  assert.match(h, /^scrypt\$131072\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
  assert.equal(await verifyPassword("correct horse battery staple", h), true);
  assert.equal(await verifyPassword("correct horse battery stapl", h), false);
  assert.equal(needsRehash(h), false);
});

test("a hash below today's cost, or not one of ours, is to be made again", () => {
  const salt = "AAAAAAAAAAAAAAAAAAAAAA==";
  const key = "A".repeat(43) + "=";
  assert.equal(needsRehash(`scrypt$16384$8$1$${salt}$${key}`), true);
  assert.equal(needsRehash(`scrypt$131072$4$1$${salt}$${key}`), true);
  assert.equal(needsRehash(`scrypt$131072$8$1$${salt}$AAAA`), true, "a short key");
  assert.equal(needsRehash(`scrypt$131072$8$1$${salt}$${key}`), false);
  assert.equal(needsRehash(`scrypt$262144$8$1$${salt}$${key}`), false, "a higher cost is kept");
  for (const bad of ["", "md5$x", "scrypt$1$2$3", `bcrypt$131072$8$1$${salt}$${key}`])
    assert.equal(needsRehash(bad), true, bad);
});

test("stored parameters are not trusted: an absurd cost is refused without hashing", async () => {
  const salt = "AAAAAAAAAAAAAAAAAAAAAA==";
  const key = "A".repeat(43) + "=";
  const t0 = Date.now();
  for (const stored of [
    `scrypt$1073741824$8$1$${salt}$${key}`, // 2^30: a terabyte of memory
    `scrypt$100000$8$1$${salt}$${key}`, // not a power of two
    `scrypt$131072$8$100$${salt}$${key}`,
    `scrypt$-1$8$1$${salt}$${key}`,
    `scrypt$131072$8$1$${salt}$`,
  ])
    assert.equal(await verifyPassword("x", stored), false, stored);
  assert.ok(Date.now() - t0 < 2000);
});
