// The Opsgenie plugin against a real local receiver: create and close by alias.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as opsgenie from "../../../plugins/opsgenie.ts";
import {
  NASTY,
  downFacts,
  alertOf,
  down,
  up,
  failure,
  testAlert,
  io,
  receiver,
  assertOk,
  assertFailed,
  GENIE,
} from "../../support/channels.ts";

test("opsgenie: create with GenieKey, alias and limits; up closes by alias", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 202, body: { result: "Request will be processed", took: 0.302, requestId: "43a29c5c" } });
  const config = { apiKey: GENIE, apiUrl: rx.url };
  const tags = Array.from({ length: 30 }, (_, i) => `tag-${i}-`.padEnd(80, "x"));
  const d = alertOf({ ...downFacts, monitor: { ...downFacts.monitor, name: "a".repeat(300), tags } });
  assertOk(await opsgenie.send(d, config, io));
  const c = rx.requests[0];
  assert.equal(c.method, "POST");
  assert.equal(c.path, "/v2/alerts");
  assert.equal(c.headers.authorization, `GenieKey ${GENIE}`);
  assert.ok(c.json.message.length <= 130 && c.json.message.startsWith("DOWN: aaa"));
  assert.equal(c.json.alias, d.incidentKey);
  assert.equal(c.json.source, "Heartbeats");
  assert.equal(c.json.priority, "P1");
  assert.equal(c.json.entity, "a".repeat(300));
  assert.equal(c.json.tags.length, 20);
  for (const tag of c.json.tags) assert.ok(tag.length <= 50);
  assert.equal(c.json.description, d.rendered.text);
  assert.equal(c.json.details.Status, "late → down");
  for (const v of Object.values(c.json.details)) assert.equal(typeof v, "string");

  const u = up();
  assertOk(await opsgenie.send(u, config, io));
  const close = rx.requests[1];
  assert.equal(close.path, `/v2/alerts/${encodeURIComponent(u.incidentKey)}/close?identifierType=alias`);
  assert.equal(close.path, "/v2/alerts/hb-7-11%2Fch%203/close?identifierType=alias");
  assert.equal(close.headers.authorization, `GenieKey ${GENIE}`);
  assert.deepEqual(Object.keys(close.json).sort(), ["note", "source"]);
  assert.equal(close.json.source, "Heartbeats");

  assertOk(await opsgenie.send(testAlert(), { ...config, priority: "P2" as const }, io));
  assert.equal(rx.requests[2].json.priority, "P3");
  assertOk(await opsgenie.send(failure(), { ...config, priority: "P2" as const }, io));
  assert.equal(rx.requests[3].json.priority, "P2");
  assert.ok(rx.requests[3].json.description.includes(NASTY));

  rx.respond("*", {
    status: 422,
    body: {
      message: "Request body is not processable. Please check the errors.",
      errors: { message: "Message can not be empty." },
      took: 0.1,
      requestId: "x",
    },
  });
  assertFailed(
    await opsgenie.send(down(), config, io),
    false,
    /^Opsgenie answered 422: Request body is not processable/,
  );
  rx.respond("*", (req) => ({ status: 401, body: { message: `Key ${req.headers.authorization} is invalid` } }));
  const e = assertFailed(await opsgenie.send(down(), config, io), false);
  assert.ok(!e.includes(GENIE), e);
});
