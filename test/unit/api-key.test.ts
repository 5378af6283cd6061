import { test } from "node:test";
import assert from "node:assert/strict";
import { newApiKey, hashApiKey, looksLikeApiKey, prefixOf, sameHash } from "../../core/security/api-key.ts";

test("a new key has its readable prefix, its hash, and is recognised as a key", () => {
  const k = newApiKey();
  assert.match(k.key, /^hbk_[A-Za-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
  assert.ok(k.key.startsWith(k.prefix + "_"));
  assert.equal(prefixOf(k.key), k.prefix);
  assert.equal(k.hash, hashApiKey(k.key));
  assert.ok(looksLikeApiKey(k.key));
  assert.ok(!k.hash.includes(k.key.slice(13)), "the hash does not contain the secret part");
});

test("keys are unique and their hashes compare in constant time", () => {
  const a = newApiKey();
  const b = newApiKey();
  assert.notEqual(a.key, b.key);
  assert.ok(sameHash(a.hash, hashApiKey(a.key)));
  assert.ok(!sameHash(a.hash, b.hash));
  assert.ok(!sameHash(a.hash, ""));
});

test("passwords and near-misses are not taken for keys", () => {
  for (const s of [
    "correct horse battery",
    "hbk_short_x",
    "hbk_AbCd1234_" + "x".repeat(42),
    "xbk_AbCd1234_" + "x".repeat(43),
  ]) {
    assert.ok(!looksLikeApiKey(s), s);
    assert.equal(prefixOf(s), null);
  }
});
