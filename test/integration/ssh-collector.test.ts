// The SSH collector against a real OpenSSH sshd: metrics, key and passphrase handling,
// host-key pinning, and the failure kinds a report depends on.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { collectOverSsh, type CollectResult, type SshTarget } from "../../agent/collector.ts";
import { freePort } from "../support/system.ts";
import { sshdAvailable, startSshd, type TestSshd } from "../support/sshd.ts";

const skip = sshdAvailable();
let sshd: TestSshd;

before(async () => {
  if (!skip) sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
});

function target(over: Partial<SshTarget> = {}): SshTarget {
  return {
    host: "127.0.0.1",
    port: sshd.port,
    username: sshd.user,
    privateKey: sshd.clientKey,
    hostKeyFingerprint: sshd.hostKeyFingerprint,
    connectTimeoutMs: 5000,
    commandTimeoutMs: 15000,
    processes: ["sshd", "no-such-process-xyz"],
    ...over,
  };
}

function noSecrets(r: CollectResult, ...secrets: string[]): void {
  const text = JSON.stringify(r);
  for (const s of secrets) {
    for (const line of s.split("\n").filter((l) => l.length > 16 && !l.startsWith("-----")))
      assert.ok(!text.includes(line), "result contains key material");
  }
}

test("collects real metrics over one SSH connection", { skip }, async () => {
  const r = await collectOverSsh(target());
  assert.ok(r.ok, JSON.stringify(r));
  const m = r.metrics;
  assert.ok(m.cpuPercent >= 0 && m.cpuPercent <= 100);
  assert.ok(m.memoryPercent > 0 && m.memoryPercent < 100);
  assert.ok(m.load.every((l) => l >= 0));
  assert.ok(m.disks.some((d) => d.mount === "/" && d.sizeKb > 0));
  assert.ok(m.processes.sshd >= 1);
  assert.equal(m.processes["no-such-process-xyz"], 0);
  assert.equal(r.hostKeyFingerprint, sshd.hostKeyFingerprint);
  assert.ok(r.durationMs >= 1000 && r.durationMs < 10_000, `took ${r.durationMs} ms`);
  console.log(`collection over SSH took ${r.durationMs} ms`);
});

test("a key with a passphrase works; a wrong passphrase is an auth error without secrets", { skip }, async () => {
  const { key, passphrase } = sshd.clientKeyWithPassphrase;
  const good = await collectOverSsh(target({ privateKey: key, passphrase }));
  assert.ok(good.ok, JSON.stringify(good));
  const bad = await collectOverSsh(target({ privateKey: key, passphrase: "wrong passphrase" }));
  assert.equal(bad.ok, false);
  if (!bad.ok) assert.equal(bad.kind, "auth");
  noSecrets(bad, key, "wrong passphrase", passphrase);
  assert.ok(!JSON.stringify(bad).includes("wrong passphrase"));
});

test("an unauthorised key is 'authentication failed'", { skip }, async () => {
  const r = await collectOverSsh(target({ privateKey: sshd.otherKey }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.kind, "auth");
    assert.equal(r.error, "authentication failed");
  }
  noSecrets(r, sshd.otherKey);
});

test("a garbled key is an auth error that does not echo the key", { skip }, async () => {
  const garbled = sshd.clientKey.replace(/[A-Za-z]{20}/, "!!!!!!!!!!!!!!!!!!!!");
  const r = await collectOverSsh(target({ privateKey: garbled }));
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.kind, "auth");
  noSecrets(r, garbled, sshd.clientKey);
});

test("no pin and no trust on first use: refused, with the seen fingerprint reported", { skip }, async () => {
  const r = await collectOverSsh(target({ hostKeyFingerprint: null }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.kind, "hostkey");
    assert.equal(r.hostKeyFingerprint, sshd.hostKeyFingerprint);
    assert.match(r.error, /not pinned/);
  }
});

test("trust on first use accepts and reports the fingerprint", { skip }, async () => {
  const r = await collectOverSsh(target({ hostKeyFingerprint: null, trustOnFirstUse: true }));
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.hostKeyFingerprint, sshd.hostKeyFingerprint);
});

test("closed port: unreachable, fast", { skip }, async () => {
  const port = await freePort();
  const t0 = Date.now();
  const r = await collectOverSsh(target({ port }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.kind, "unreachable");
    assert.match(r.error, /ECONNREFUSED/);
  }
  assert.ok(Date.now() - t0 < 1000);
});

test("a TCP peer that never speaks SSH: timeout within connectTimeoutMs + slack", { skip }, async () => {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  try {
    const t0 = Date.now();
    const r = await collectOverSsh(
      target({ port: (silent.address() as net.AddressInfo).port, connectTimeoutMs: 1500 }),
    );
    const took = Date.now() - t0;
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.kind, "timeout");
    assert.ok(took >= 1400 && took < 2500, `took ${took} ms`);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => silent.close(r));
  }
});

// Last: it changes the server's host key.
test("pinned fingerprint mismatch after the host key changes: hostkey, nothing run", { skip }, async () => {
  const old = sshd.hostKeyFingerprint;
  const fresh = await sshd.restartWithNewHostKey();
  assert.notEqual(fresh, old);
  const r = await collectOverSsh(target({ hostKeyFingerprint: old }));
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.kind, "hostkey");
    assert.equal(r.error, `host key changed: expected ${old}, got ${fresh}`);
    assert.equal(r.hostKeyFingerprint, fresh);
    // Refused during key exchange, before authentication: no command can have run.
    assert.ok(r.durationMs < 1000);
  }
});
