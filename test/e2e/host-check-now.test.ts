// test-runner: alone (it times real work against the machine: see test/run.ts)
// "Check now" on a host slower than the broker's 15 s request time-out: an address that accepts
// TCP and never speaks SSH, so the poll lasts the whole SSH connect time-out (18 s here) — and
// before it, the check waits out the first poll, started when the host was saved. The answer is
// the poll's result, a failure saying why, not a 503 from the broker giving up on the call.

import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { freePort } from "../support/system.ts";
import { startServer, type Server } from "../support/server.ts";
import { sshdAvailable, startSshd, type TestSshd } from "../support/sshd.ts";

const admin: [string, string] = ["root", "correct horse battery"];

test(
  "check now on a host slower than the broker's request time-out answers the poll's result",
  { skip: sshdAvailable(), timeout: 180_000 },
  async (t) => {
    const held: net.Socket[] = [];
    const tarpit = net.createServer((s) => held.push(s.on("error", () => undefined)));
    let sshd: TestSshd | null = null;
    let server: Server | null = null;
    try {
      sshd = await startSshd(); // for a valid key pair and fingerprint; the host points elsewhere
      const tarpitPort = await freePort();
      await new Promise<void>((resolve) => tarpit.listen(tarpitPort, "127.0.0.1", resolve));
      server = await startServer("check-now", { SSH_CONNECT_TIMEOUT: "18", SSH_COMMAND_TIMEOUT: "5" }, { admin });
      const a = server.api;
      const created = await a.call("POST", "/api/v1/hosts", {
        name: "tarpit",
        address: "127.0.0.1",
        port: tarpitPort,
        username: sshd.user,
        privateKey: sshd.clientKey,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
        intervalSeconds: 3600,
        graceSeconds: 3600,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const started = Date.now();
      const checked = await a.call("POST", `/api/v1/hosts/${created.body.id}/check`);
      const took = Date.now() - started;
      t.diagnostic(`answered ${checked.status} after ${took} ms: ${JSON.stringify(checked.body)}`);
      assert.ok(took > 15_000, `the check outlasted the broker's 15 s request time-out (${took} ms)`);
      assert.equal(checked.status, 200, JSON.stringify(checked.body));
      assert.equal(checked.body.ok, false);
      assert.match(String(checked.body.error), /time/i);
    } finally {
      await server?.stop();
      for (const s of held) s.destroy();
      tarpit.close();
      await sshd?.stop();
    }
  },
);
