// The Gotify plugin against a real local receiver: POST /message with the app token.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as gotify from "../../../plugins/gotify.ts";
import { DASHBOARD, down, up, testAlert, io, receiver, assertOk, assertFailed } from "../../support/channels.ts";

test("gotify: POST /message with X-Gotify-Key, priority and the markdown/click extras", async (t) => {
  const rx = await receiver(t);
  const config = { server: `${rx.url}/gotify/`, appToken: "AbCdEfGhIjKlMnO" };
  assertOk(await gotify.send(down(), config, io));
  const r = rx.requests[0];
  assert.equal(r.path, "/gotify/message");
  assert.equal(r.headers["x-gotify-key"], "AbCdEfGhIjKlMnO");
  assert.equal(r.json.title, "DOWN: nightly-backup");
  assert.equal(r.json.priority, 8);
  assert.deepEqual(r.json.extras, {
    "client::display": { contentType: "text/markdown" },
    "client::notification": { click: { url: DASHBOARD } },
  });
  assert.ok(r.json.message.startsWith("no ping arrived before the deadline\n\n**Monitor:**"));

  assertOk(await gotify.send(up(), config, io));
  assert.equal(rx.requests[1].json.priority, 4);
  assertOk(await gotify.send(testAlert(), config, io));
  assert.deepEqual(rx.requests[2].json.extras, { "client::display": { contentType: "text/markdown" } });

  rx.respond("*", {
    status: 401,
    body: {
      error: "Unauthorized",
      errorCode: 401,
      errorDescription: "you need to provide a valid access token or user credentials to access this api",
    },
  });
  const e = assertFailed(await gotify.send(down(), config, io), false, /^Gotify answered 401: /);
  assert.ok(!e.includes(config.appToken));
});
