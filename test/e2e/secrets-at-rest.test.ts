// Secrets at rest: channel secrets, SSH private keys and passphrases never reach the database
// file in the clear — with the embedded default's key file, with SECRET_KEY, and for values
// stored before encryption (sealed at the next start) — and alerts still go out signed with
// the real secret. A process with the wrong SECRET_KEY cannot read them and says so, without
// destroying them.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api, type Api } from "../support/api.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { verifySignature } from "../../plugins/webhook.ts";
import { base32Decode, totp } from "../../core/security/totp.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const HMAC = "whsec-at-rest-0123456789";
const KEY_TEXT =
  "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAtopsecretkeymaterial\n-----END OPENSSH PRIVATE KEY-----\n";
const PASSPHRASE = "passphrase-at-rest-42";
const TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

let dir: string;
let dbFile: string;
let rx: Receiver;
let proc: Proc | null = null;
const started: Proc[] = [];
let a: Api;
let base = "";

async function boot(env: Record<string, string> = {}): Promise<void> {
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = startProcess("at-rest", {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${dbFile}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    ALLOW_PRIVATE_WEBHOOKS: "true",
    ...env,
  });
  started.push(proc);
  await waitReady(`${base}/readyz`, [proc]);
  a = api(base, admin);
}

async function halt(): Promise<void> {
  if (proc) await stopProcess(proc);
  proc = null;
}

/** Every byte SQLite keeps: the database, its write-ahead log and shared memory. */
function storedBytes(): string {
  return ["", "-wal", "-shm"]
    .map((s) => (fs.existsSync(dbFile + s) ? fs.readFileSync(dbFile + s).toString("latin1") : ""))
    .join("");
}

async function testSend(channelId: number): Promise<{ status: number; body: any }> {
  const before = rx.requests.length;
  const res = await a.call("POST", `/api/v1/channels/${channelId}/test`, {});
  if (res.status === 200 && res.body.ok) {
    const got = rx.requests.slice(before).find((r) => r.path === "/hook");
    assert.ok(got, "the test alert arrived");
    assert.ok(
      verifySignature(
        HMAC,
        String(got.headers["x-heartbeats-timestamp"]),
        got.raw,
        String(got.headers["x-heartbeats-signature"]),
      ),
      "signed with the real secret",
    );
  }
  return res;
}

before(async () => {
  rx = await startReceiver();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-at-rest-"));
  dbFile = path.join(dir, "hb.sqlite");
});

after(async () => {
  // a failed test may have left its process running
  for (const p of started) await stopProcess(p);
  await rx?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("embedded default: a key file is made, and no secret is stored in the clear", async () => {
  await boot();
  const keyFile = path.join(dir, "secret.key");
  assert.ok(fs.existsSync(keyFile), "secret.key beside the database");
  assert.equal(fs.statSync(keyFile).mode & 0o777, 0o600, "readable by its owner only");

  const ch = await a.call("POST", "/api/v1/channels", {
    name: "signed",
    type: "webhook",
    config: { url: `${rx.url}/hook`, secret: HMAC },
  });
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  assert.equal(ch.body.config.secret, "********");
  const host = await a.call("POST", "/api/v1/hosts", {
    name: "db-1",
    address: "127.0.0.1",
    port: 1,
    username: "monitor",
    privateKey: KEY_TEXT,
    passphrase: PASSPHRASE,
    checks: ["disk:/ > 90"],
    enabled: false,
  });
  assert.equal(host.status, 201, JSON.stringify(host.body));
  assert.equal(host.body.privateKey, "********");

  assert.equal((await testSend(ch.body.id)).body.ok, true);
  await halt();
  const bytes = storedBytes();
  for (const secret of [HMAC, "topsecretkeymaterial", PASSPHRASE])
    assert.ok(!bytes.includes(secret), `${secret} is not in the database files`);
  assert.ok(bytes.includes("enc:v1:"), "sealed values are there instead");

  // The same data directory next time: the key file is reused and the alert still signs.
  await boot();
  assert.equal((await testSend(ch.body.id)).body.ok, true);
  await halt();
});

test("values stored before encryption are sealed at the next start", async () => {
  // As a database from before this version holds them: plain JSON.
  const raw = new DatabaseSync(dbFile);
  raw
    .prepare("UPDATE channels SET secrets = ? WHERE name = 'signed'")
    .run(JSON.stringify({ url: `${rx.url}/hook`, secret: HMAC }));
  raw.prepare("UPDATE hosts SET passphrase = ? WHERE name = 'db-1'").run(PASSPHRASE);
  // An authenticator app being added (unconfirmed, so root's password still opens the API).
  raw
    .prepare(
      "INSERT INTO user_factors (user_id, kind, name, secret, confirmed, created_at) SELECT id, 'totp', 'phone', ?, 0, 0 FROM users WHERE username = ?",
    )
    .run(TOTP_SECRET, admin[0]);
  raw.close();
  assert.ok(storedBytes().includes(HMAC));

  await boot();
  assert.match(proc!.output.join(""), /sealed 3 stored secrets/);
  // The sealed TOTP secret still opens: the app's code confirms it; then it is removed again.
  const login = await fetch(`${base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: admin[0], password: admin[1] }),
  });
  const session = {
    "content-type": "application/json",
    cookie: login.headers.get("set-cookie")!.split(";")[0]!,
    "x-csrf-token": ((await login.json()) as { csrfToken: string }).csrfToken,
  };
  const confirmed = await fetch(`${base}/api/v1/account/factors/totp/confirm`, {
    method: "POST",
    headers: session,
    body: JSON.stringify({ code: totp(base32Decode(TOTP_SECRET)!, Date.now()) }),
  });
  const confirmedText = await confirmed.text();
  assert.equal(confirmed.status, 200, confirmedText);
  const factorId = (JSON.parse(confirmedText) as { id: number }).id;
  const removed = await fetch(`${base}/api/v1/account/factors/${factorId}`, {
    method: "DELETE",
    headers: session,
    body: JSON.stringify({ password: admin[1] }),
  });
  assert.equal(removed.status, 204);
  const id = (await a.call("GET", "/api/v1/channels")).body.items.find((c: { name: string }) => c.name === "signed").id;
  const sent = await testSend(id);
  assert.equal(sent.body.ok, true, JSON.stringify(sent.body));
  await halt();
  const check = new DatabaseSync(dbFile);
  check.exec("PRAGMA wal_checkpoint(TRUNCATE); VACUUM;");
  check.close();
  const bytes = storedBytes();
  assert.ok(!bytes.includes(HMAC) && !bytes.includes(PASSPHRASE), "no plain copy left after a vacuum");
  assert.ok(!bytes.includes(TOTP_SECRET), "no plain TOTP secret left after a vacuum");
});

test("a wrong SECRET_KEY cannot read the secrets, says so, and destroys nothing", async () => {
  await boot({ SECRET_KEY: "not the key that sealed these values" });
  const list = await a.call("GET", "/api/v1/channels");
  assert.equal(list.status, 200);
  const ch = list.body.items.find((c: { name: string }) => c.name === "signed");
  assert.equal(ch.config.secret, "********", "still shown as set");
  const sent = await testSend(ch.id);
  assert.equal(sent.body.ok, false);
  assert.match(sent.body.error, /another SECRET_KEY/);
  // A rename leaves the secrets alone; a config change would rewrite them, and is refused.
  assert.equal((await a.call("PATCH", `/api/v1/channels/${ch.id}`, { name: "renamed" })).status, 200);
  const update = await a.call("PATCH", `/api/v1/channels/${ch.id}`, { config: { url: `${rx.url}/other` } });
  assert.equal(update.status, 503);
  assert.match(JSON.stringify(update.body), /SECRET_KEY/);
  await halt();

  // Back with the key file: everything intact.
  await boot();
  const again = (await a.call("GET", "/api/v1/channels")).body.items.find((c: { id: number }) => c.id === ch.id);
  assert.equal(again.name, "renamed");
  // still sent to /hook: the refused change stored nothing
  assert.equal((await testSend(ch.id)).body.ok, true);
  await halt();
});
