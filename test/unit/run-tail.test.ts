// heartbeats run's pure parts: the output tail, the exit status of a signal death, the command line.

import { test } from "node:test";
import assert from "node:assert/strict";
import { TailBuffer } from "../../bin/run/tail.mjs";
import { exitStatusOf, parseRunArgs, UsageError } from "../../bin/run/wrap.mjs";

test("the tail keeps exactly the last N bytes across chunks, and whole characters", () => {
  const t = new TailBuffer(10);
  for (const c of ["abc", "defgh", "ijklmnop", "q"]) t.push(Buffer.from(c));
  assert.equal(t.text(), "hijklmnopq");
  assert.ok(t.chunks.length <= 3, "old chunks are dropped");
  const u = new TailBuffer(4);
  u.push(Buffer.from("aé€")); // a(1) é(2) €(3): the last 4 bytes start inside é
  assert.equal(u.text(), "€");
  const short = new TailBuffer(100);
  short.push(Buffer.from("é"));
  assert.equal(short.text(), "é");
});

test("a signal death is 128 + the signal's number, as a shell reports it", () => {
  assert.equal(exitStatusOf(3, null), 3);
  assert.equal(exitStatusOf(null, "SIGTERM"), 143);
  assert.equal(exitStatusOf(null, "SIGKILL"), 137);
});

test("options before the command, the command after -- or at the first plain word; environment fallbacks", () => {
  const env = {
    HEARTBEATS_CODE: "envcode",
    HEARTBEATS_SERVER: "http://h:1/",
    HEARTBEATS_USER: "u",
    HEARTBEATS_PASSWORD: "p",
  };
  const a = parseRunArgs(["--code", "abc", "--", "ls", "-l", "--code"], env);
  assert.deepEqual(
    [a.code, a.server, a.user, a.password, a.retries, a.command],
    ["abc", "http://h:1", "u", "p", 3, ["ls", "-l", "--code"]],
  );
  const b = parseRunArgs(["--retries=0", "backup.sh", "--full"], env);
  assert.deepEqual([b.code, b.retries, b.command], ["envcode", 0, ["backup.sh", "--full"]]);
  assert.throws(() => parseRunArgs(["--nope", "x", "--", "ls"], env), UsageError);
  assert.throws(() => parseRunArgs(["--"], env), /no command/);
  assert.throws(() => parseRunArgs(["ls"], {}), /no monitor code/);
  assert.throws(() => parseRunArgs(["--server", "ftp://x", "ls"], env), /--server/);
});
