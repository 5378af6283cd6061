// The webhook plugin against a real local receiver: one signed JSON POST with the documented
// payload and headers.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as webhook from "../../../plugins/webhook.ts";
import { DASHBOARD, NASTY, down, failure, io, receiver, assertOk, released } from "../../support/channels.ts";

test("webhook: one signed JSON POST with the documented payload and headers", async (t) => {
  const rx = await receiver(t);
  const secret = "whsec-0123456789abcdef";
  const config = {
    url: `${rx.url}/hooks/heartbeats?source=hb`,
    secret,
    headers: {
      "X-Custom": "yes",
      "content-type": "text/plain",
      "X-Heartbeats-Signature": "forged",
      "Idempotency-Key": "forged",
      Host: "evil",
    },
  };
  const a = down();
  assertOk(await webhook.send(a, config, io));
  assert.equal(rx.requests.length, 1);
  const r = rx.requests[0];
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/hooks/heartbeats?source=hb");
  assert.equal(r.headers["content-type"], "application/json");
  assert.equal(r.headers["content-length"], String(Buffer.byteLength(r.raw)));
  assert.equal(r.headers["idempotency-key"], a.idempotencyKey);
  assert.equal(r.headers["x-heartbeats-event"], "down");
  assert.equal(r.headers["x-custom"], "yes");
  assert.equal(r.headers.host, `127.0.0.1:${rx.port}`);
  assert.match(String(r.headers["user-agent"]), /^Heartbeats\/0\.1 /);
  const ts = String(r.headers["x-heartbeats-timestamp"]);
  assert.ok(Math.abs(Number(ts) - Date.now() / 1000) < 5);

  const sig = String(r.headers["x-heartbeats-signature"]);
  assert.match(sig, /^sha256=[0-9a-f]{64}$/);
  assert.equal(webhook.verifySignature(secret, ts, r.raw, sig), true);
  assert.equal(webhook.verifySignature("another-key-0123456789", ts, r.raw, sig), false);
  assert.equal(webhook.verifySignature(secret, ts, r.raw.replace("nightly", "nightlY"), sig), false);
  assert.equal(webhook.verifySignature(secret, String(Number(ts) + 1), r.raw, sig), false);
  assert.equal(
    webhook.verifySignature(secret, ts, r.raw, `sha256=${"0".repeat(64)}, ${sig}`),
    true,
    "key rotation: any listed signature",
  );
  assert.equal(
    webhook.verifySignature(secret, String(Number(ts) - 3600), r.raw, webhook.sign(secret, Number(ts) - 3600, r.raw)),
    false,
    "too old",
  );

  assert.deepEqual(r.json, {
    version: 1,
    event: "down",
    idempotencyKey: a.idempotencyKey,
    incidentKey: a.incidentKey,
    monitor: {
      id: 7,
      name: "nightly-backup",
      code: "abcDEF123456",
      tags: ["db", "prod"],
      timezone: "Asia/Shanghai",
      url: DASHBOARD,
    },
    flip: {
      id: 11,
      from: "late",
      to: "down",
      reason: "no-ping",
      at: "2026-11-24T08:05:00.000Z",
      expectedAt: "2026-11-24T07:55:00.000Z",
    },
    reminder: 0,
    lastPingAt: "2026-11-23T08:05:00.000Z",
    downSince: null,
    failure: null,
    run: null,
    rule: null,
    held: null,
    subject: a.rendered.subject,
    text: a.rendered.text,
    locale: "en",
  });
});

test("webhook: a released alert says what held it back", async (t) => {
  const rx = await receiver(t);
  assertOk(await webhook.send(released(), { url: `${rx.url}/h` }, io));
  const r = rx.requests[0]!;
  assert.deepEqual(r.json.held, {
    kind: "parent",
    detail: "db server",
    text: "Held back while parent db server was down",
  });
  assert.match(r.json.text, /Held back: +while parent db server was down/);
});

test("webhook: a failure report arrives byte for byte, and no secret means no signature", async (t) => {
  const rx = await receiver(t);
  assertOk(await webhook.send(failure(), { url: `${rx.url}/h` }, io));
  const r = rx.requests[0];
  assert.deepEqual(r.json.failure, { data: NASTY, exitStatus: 2, truncated: false });
  assert.equal(r.json.event, "failure");
  assert.equal(r.headers["x-heartbeats-signature"], undefined);
  assert.equal(rx.byKey().get(failure().idempotencyKey), 1);
});
