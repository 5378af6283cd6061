// PING_AUTH=none: the unguessable code alone authenticates a ping (as healthchecks.io does);
// the management API still needs credentials.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";

let server: Server;
let base: string;

before(async () => {
  server = await startServer("no-ping-auth", { PING_AUTH: "none" }, { admin: ["root", "admin-password"] });
  base = server.base;
});

after(() => server?.stop());

test("pings need no credentials, only the code; the API still does", async () => {
  const client = api(base, ["root", "admin-password"]);
  const m = (
    await client.call("POST", "/api/v1/monitors", {
      name: "open",
      schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
    })
  ).body;
  assert.equal((await fetch(`${base}/ping/${m.code}`)).status, 200);
  assert.equal((await fetch(`${base}/api/pings/?service=${m.code}`, { method: "POST" })).status, 200);
  assert.equal((await fetch(`${base}/ping/${m.code}x`)).status, 404);
  assert.equal((await client.call("GET", `/api/v1/monitors/${m.id}`)).body.status, "up");
  assert.equal((await client.call("GET", "/api/v1/monitors", undefined, null)).status, 401);
});
