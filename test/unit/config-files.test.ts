// X_FILE variants of the secrets (as Kubernetes and compose mount them), and the variables a
// process is given but none of its services reads.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../core/config.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-config-files-"));
function secretFile(name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

test("each X_FILE is read, less one trailing newline", () => {
  const c = loadConfig({
    DATABASE_URL_FILE: secretFile("db", "mysql://hb:s3cret@db:3306/hb\n"),
    SECRET_KEY_FILE: secretFile("key", "0123456789abcdef0123456789abcdef\n\n"),
    SMTP_URL_FILE: secretFile("smtp", "smtp://u:p@mail:587\r\n"),
    ALERT_TO: "ops@example.org",
    ADMIN_USERNAME: "admin",
    ADMIN_PASSWORD_FILE: secretFile("admin", "pass word "),
  });
  assert.equal(c.databaseUrl, "mysql://hb:s3cret@db:3306/hb");
  // only one newline goes: the second is part of the key
  assert.equal(c.secretKey, "0123456789abcdef0123456789abcdef\n");
  assert.equal(c.smtp?.url, "smtp://u:p@mail:587");
  assert.deepEqual(c.admin, { username: "admin", password: "pass word" });
});

test("a file's value passes the same checks as the variable's", () => {
  assert.throws(
    () => loadConfig({ SECRET_KEY_FILE: secretFile("short", "short\n") }),
    /SECRET_KEY must be at least 16/,
  );
  assert.throws(() => loadConfig({ SMTP_URL_FILE: secretFile("http", "http://x\n"), ALERT_TO: "a@b.c" }), /SMTP_URL/);
  // an empty file is an unset variable, as an empty variable is
  assert.equal(loadConfig({ SMTP_URL_FILE: secretFile("empty", "\n") }).smtp, null);
});

test("X and X_FILE both set: a start-up error naming both", () => {
  for (const name of ["DATABASE_URL", "SECRET_KEY", "SMTP_URL", "ADMIN_PASSWORD"]) {
    assert.throws(
      () => loadConfig({ [name]: "x".repeat(20), [`${name}_FILE`]: secretFile(`both-${name}`, "y".repeat(20)) }),
      (e: Error) => e instanceof ConfigError && e.message.includes(name) && e.message.includes(`${name}_FILE`),
    );
  }
});

test("an unreadable file: an error naming the variable and the path, never the content", () => {
  const missing = path.join(dir, "does-not-exist");
  assert.throws(
    () => loadConfig({ DATABASE_URL_FILE: missing }),
    (e: Error) => e instanceof ConfigError && e.message.includes("DATABASE_URL_FILE") && e.message.includes(missing),
  );
  const unreadable = secretFile("unreadable", "mysql://root:topsecret@db/x");
  fs.chmodSync(unreadable, 0o000);
  const readable = (() => {
    try {
      fs.readFileSync(unreadable);
      return true; // root reads it anyway
    } catch {
      return false;
    }
  })();
  if (!readable) {
    assert.throws(
      () => loadConfig({ DATABASE_URL_FILE: unreadable }),
      (e: Error) => /DATABASE_URL_FILE/.test(e.message) && !e.message.includes("topsecret"),
    );
  }
  // a directory is not a secret file either
  assert.throws(
    () => loadConfig({ ADMIN_PASSWORD_FILE: dir, ADMIN_USERNAME: "a" }),
    /ADMIN_PASSWORD_FILE: cannot read/,
  );
});

test("LOG_FORMAT: text by default, json on request, anything else refused", () => {
  assert.equal(loadConfig({}).logFormat, "text");
  assert.equal(loadConfig({ LOG_FORMAT: "JSON" }).logFormat, "json");
  assert.throws(() => loadConfig({ LOG_FORMAT: "xml" }), /LOG_FORMAT must be one of text, json/);
});

test("unread variables: the first admin on a gateway-only process, the database on a gateway", () => {
  const admin = { ADMIN_USERNAME: "admin", ADMIN_PASSWORD: "secret-password" };
  assert.deepEqual(loadConfig({ ...admin, SERVICES: "gateway" }).unreadVariables, ["ADMIN_USERNAME", "ADMIN_PASSWORD"]);
  assert.deepEqual(loadConfig({ ...admin, SERVICES: "gateway,registry" }).unreadVariables, []);
  assert.deepEqual(loadConfig({ ...admin }).unreadVariables, []);
  const fromFile = { ADMIN_USERNAME: "admin", ADMIN_PASSWORD_FILE: secretFile("pw", "secret-password\n") };
  assert.deepEqual(loadConfig({ ...fromFile, SERVICES: "ingest" }).unreadVariables, [
    "ADMIN_USERNAME",
    "ADMIN_PASSWORD",
  ]);
  assert.deepEqual(
    loadConfig({ SERVICES: "gateway", DATABASE_URL: "mysql://x@y/z", PING_RETENTION: "5", LOG_LEVEL: "warn" })
      .unreadVariables,
    ["DATABASE_URL", "PING_RETENTION"],
  );
  // set but empty is unset
  assert.deepEqual(loadConfig({ SERVICES: "gateway", SMTP_URL: "" }).unreadVariables, []);
});
