// TOTP against its references: RFC 4226's and RFC 6238's published vectors, and oathtool (the
// OATH Toolkit's command-line generator) for random secrets and times, when it is installed
// (.ci/run installs it).

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import {
  base32Decode,
  base32Encode,
  hotp,
  matchTotp,
  normalizeTotpCode,
  otpauthUri,
  totp,
  totpStep,
} from "../../core/security/totp.ts";
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from "../../core/security/recovery-codes.ts";

const RFC_SECRET = Buffer.from("12345678901234567890");

test("HOTP: RFC 4226 appendix D, counters 0 to 9", () => {
  const expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"];
  assert.deepEqual(
    expected.map((_, c) => hotp(RFC_SECRET, c)),
    expected,
  );
});

test("TOTP: RFC 6238 appendix B, SHA-1, 8 digits", () => {
  const vectors: [number, string][] = [
    [59, "94287082"],
    [1111111109, "07081804"],
    [1111111111, "14050471"],
    [1234567890, "89005924"],
    [2000000000, "69279037"],
    [20000000000, "65353130"],
  ];
  for (const [t, code] of vectors) assert.equal(totp(RFC_SECRET, t * 1000, 8), code, `T=${t}`);
});

test("base32: RFC 4648 section 10 vectors, both ways, any case and spacing read", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];
  for (const [plain, b32] of vectors) {
    assert.equal(base32Encode(Buffer.from(plain)), b32);
    assert.equal(base32Decode(b32)?.toString(), plain);
  }
  assert.equal(base32Decode("mzxw 6ytb oi======")?.toString(), "foobar");
  assert.equal(base32Decode("MZXW1"), null, "1 is not base32");
});

function oathtool(): boolean {
  try {
    execFileSync("oathtool", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

test(
  "TOTP equals oathtool's for 50 random secrets and times",
  { skip: !oathtool() && "oathtool is not installed" },
  () => {
    for (let i = 0; i < 50; i++) {
      const secret = randomBytes(20);
      const t = randomInt(0, 4_000_000_000);
      const theirs = execFileSync("oathtool", ["--totp", "-b", base32Encode(secret), "-N", `@${t}`], {
        encoding: "utf8",
      }).trim();
      assert.equal(totp(secret, t * 1000), theirs, `secret ${base32Encode(secret)} at ${t}`);
    }
  },
);

test("a code matches its step and the steps either side, never an earlier or equal step than the last taken", () => {
  const secret = randomBytes(20);
  const now = 1_700_000_000_000;
  const step = totpStep(now);
  assert.equal(matchTotp(secret, hotp(secret, step), now, null), step);
  assert.equal(matchTotp(secret, hotp(secret, step - 1), now, null), step - 1, "the previous step (typing time)");
  assert.equal(matchTotp(secret, hotp(secret, step + 1), now, null), step + 1, "a phone a little ahead");
  assert.equal(matchTotp(secret, hotp(secret, step - 2), now, null), null, "two steps old");
  assert.equal(matchTotp(secret, hotp(secret, step + 2), now, null), null);
  assert.equal(matchTotp(secret, hotp(secret, step), now, step), null, "the same code again");
  assert.equal(matchTotp(secret, hotp(secret, step - 1), now, step), null, "an older code after a newer one");
  assert.equal(matchTotp(secret, hotp(secret, step + 1), now, step), step + 1);
  const c = hotp(secret, step);
  assert.equal(matchTotp(secret, `${c.slice(0, 3)} ${c.slice(3)}`, now, null), step, "typed with a space");
  assert.equal(matchTotp(secret, "12345", now, null), null);
  assert.equal(normalizeTotpCode("12a456"), null);
});

test("the otpauth URI carries the base32 secret, issuer and account, as authenticator apps read it", () => {
  const secret = Buffer.from("12345678901234567890");
  const u = new URL(otpauthUri(secret, "Heartbeats", "ops@example.com"));
  assert.equal(u.protocol, "otpauth:");
  assert.equal(u.host, "totp");
  assert.equal(decodeURIComponent(u.pathname), "/Heartbeats:ops@example.com");
  assert.equal(u.searchParams.get("secret"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  assert.equal(u.searchParams.get("issuer"), "Heartbeats");
  assert.equal(u.searchParams.get("digits"), "6");
  assert.equal(u.searchParams.get("period"), "30");
});

test("recovery codes: ten distinct, read back in any case with or without the dash, hashed", () => {
  const codes = newRecoveryCodes();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  for (const c of codes) {
    assert.match(c, /^[a-z2-7]{5}-[a-z2-7]{5}$/);
    assert.equal(normalizeRecoveryCode(c.toUpperCase().replace("-", " ")), c.replace("-", ""));
  }
  assert.equal(normalizeRecoveryCode("abc"), null);
  assert.match(hashRecoveryCode("abcdefghij"), /^[0-9a-f]{64}$/);
});
