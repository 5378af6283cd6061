// PING_AUTH=none: the unguessable code alone authenticates a ping (as healthchecks.io does);
// the management API still needs credentials.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { api } from "../support/api.ts";

let proc: Proc;
let dir: string;
let base: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-noauth-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = startProcess("no-ping-auth", {
    PORT: String(port), HOST: "127.0.0.1", DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: "root", ADMIN_PASSWORD: "admin-password", PING_AUTH: "none",
  });
  await waitReady(`${base}/readyz`, [proc]);
});

after(async () => {
  if (proc) await stopProcess(proc);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("pings need no credentials, only the code; the API still does", async () => {
  const client = api(base, ["root", "admin-password"]);
  const m = (await client.call("POST", "/api/v1/monitors", { name: "open", schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 } })).body;
  assert.equal((await fetch(`${base}/ping/${m.code}`)).status, 200);
  assert.equal((await fetch(`${base}/api/pings/?service=${m.code}`, { method: "POST" })).status, 200);
  assert.equal((await fetch(`${base}/ping/${m.code}x`)).status, 404);
  assert.equal((await client.call("GET", `/api/v1/monitors/${m.id}`)).body.status, "up");
  assert.equal((await client.call("GET", "/api/v1/monitors", undefined, null)).status, 401);
});
