import { test } from "node:test";
import assert from "node:assert/strict";
import { secretBox, PLAIN_BOX, newSecretKey, SecretKeyError } from "../../core/security/secret-box.ts";

const box = secretBox("correct horse battery staple");

test("a sealed secret opens to itself and does not contain it", () => {
  for (const plain of [
    "xoxb-123-secret-token",
    "",
    "ключ 🔑",
    "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n",
  ]) {
    const sealed = box.seal(plain);
    assert.ok(box.isSealed(sealed));
    if (plain) assert.ok(!sealed.includes(plain));
    assert.equal(box.open(sealed), plain);
  }
});

test("sealing twice gives different texts (a fresh nonce each time)", () => {
  assert.notEqual(box.seal("same"), box.seal("same"));
});

test("a value stored before encryption passes through", () => {
  assert.equal(box.open('{"token":"legacy"}'), '{"token":"legacy"}');
});

test("another key, a damaged value and a missing key are clear errors", () => {
  const sealed = box.seal("secret");
  assert.throws(
    () => secretBox("another key of enough length").open(sealed),
    (e: Error) => e instanceof SecretKeyError && /another SECRET_KEY/.test(e.message),
  );
  const parts = sealed.split(":");
  parts[5] = Buffer.from("tampered").toString("base64url");
  assert.throws(() => box.open(parts.join(":")), /damaged/);
  assert.throws(() => PLAIN_BOX.open(sealed), /SECRET_KEY is not set/);
  assert.throws(() => secretBox("short"), /at least 16/);
});

test("without a key values are stored as they are", () => {
  assert.equal(PLAIN_BOX.seal("plain"), "plain");
  assert.equal(PLAIN_BOX.open("plain"), "plain");
  assert.equal(PLAIN_BOX.encrypts, false);
});

test("generated keys are long and random", () => {
  const a = newSecretKey();
  assert.ok(a.length >= 40);
  assert.notEqual(a, newSecretKey());
  assert.equal(secretBox(a).open(secretBox(a).seal("x")), "x");
});
