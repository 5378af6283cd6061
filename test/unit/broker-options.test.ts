// The broker options built from the config: NATS reconnects every half second (after a NATS
// restart the processes should come back close together); other transporters pass as given.

import { test } from "node:test";
import assert from "node:assert/strict";
import { brokerOptions } from "../../moleculer.config.ts";
import { loadConfig } from "../../core/config.ts";

test("TRANSPORTER: nats:// gets a 0.5 s reconnect wait, others pass as given, none is one process", () => {
  assert.deepEqual(brokerOptions(loadConfig({ TRANSPORTER: "nats://a:4222,nats://b:4222" })).transporter, {
    type: "NATS",
    options: { url: "nats://a:4222,nats://b:4222", reconnectTimeWait: 500 },
  });
  assert.equal(
    brokerOptions(loadConfig({ TRANSPORTER: "redis://localhost:6379" })).transporter,
    "redis://localhost:6379",
  );
  assert.equal(brokerOptions(loadConfig({})).transporter, undefined);
});
