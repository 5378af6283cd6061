// The embedded default runs with the sqlite3 package out of reach: SQLite is node:sqlite only
// (core/db/node-sqlite-driver.ts under sequelize, the inline writer beside it). The server starts,
// migrates, stores a monitor and a ping, in a process where resolving or loading sqlite3 throws.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { ROOT } from "../support/system.ts";
import { startServer, type Server } from "../support/server.ts";
import { basic } from "../support/api.ts";

const hook = path.join(ROOT, "test/support/forbid-sqlite3.ts");
const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;

before(async () => {
  server = await startServer("no-sqlite3", { NODE_OPTIONS: `--import ${hook}` }, { admin });
});

after(async () => {
  await server?.stop();
});

test("the guard has teeth: with it, require('sqlite3') fails although node_modules holds the package", () => {
  const r = spawnSync(process.execPath, ["--import", hook, "-e", "require('sqlite3')"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /sqlite3 must not be loaded/);
});

test("the server runs on SQLite without sqlite3: migrated, a monitor created, a ping stored", async () => {
  assert.match(server.proc.output.join(""), /forbid-sqlite3: active/, "the guard was loaded in the server");
  const created = await server.api.call("POST", "/api/v1/monitors", {
    name: "no sqlite3",
    schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const ping = await fetch(`${server.base}/ping/${created.body.code}`, { headers: { authorization: basic(...admin) } });
  assert.equal(ping.status, 200);
  const m = (await server.api.call("GET", `/api/v1/monitors/${created.body.id}`)).body;
  assert.equal(m.status, "up");
  const pings = (await server.api.call("GET", `/api/v1/monitors/${created.body.id}/pings`)).body;
  assert.equal(pings.items.length, 1);
  assert.doesNotMatch(server.proc.output.join(""), /sqlite3 must not be loaded/);
});
