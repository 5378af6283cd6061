// The ntfy plugin against a real local receiver: JSON publishing, auth, the 4096-byte limit.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as ntfy from "../../../plugins/ntfy.ts";
import { DASHBOARD, up, failure, testAlert, io, receiver, assertOk } from "../../support/channels.ts";

test("ntfy: JSON publishing to the server root with priority, tags, click and Bearer auth", async (t) => {
  const rx = await receiver(t);
  rx.respond("/", { status: 200, body: { id: "abc", event: "message" } });
  assertOk(await ntfy.send(failure(), { server: rx.url, topic: "hb-alerts", token: "tk_secretsecret123" }, io));
  const r = rx.requests[0];
  assert.equal(r.method, "POST");
  assert.equal(r.path, "/");
  assert.equal(r.headers.authorization, "Bearer tk_secretsecret123");
  assert.equal(r.json.topic, "hb-alerts");
  assert.equal(r.json.title, "FAILED: nightly-backup");
  assert.equal(r.json.markdown, true);
  assert.equal(r.json.priority, 5);
  assert.deepEqual(r.json.tags, ["rotating_light"]);
  assert.equal(r.json.click, DASHBOARD);
  assert.ok(r.json.message.includes("**Monitor:** nightly\\-backup \\(abcDEF123456\\)"));
  assert.ok(r.json.message.includes("```\ndisk <b>full</b>"));

  assertOk(await ntfy.send(up(), { server: `${rx.url}/`, topic: "hb-alerts", username: "ops", password: "pa:ss" }, io));
  assert.equal(rx.requests[1].headers.authorization, "Basic " + Buffer.from("ops:pa:ss").toString("base64"));
  assert.equal(rx.requests[1].json.priority, 3);
  assert.deepEqual(rx.requests[1].json.tags, ["white_check_mark"]);
  assertOk(await ntfy.send(testAlert(), { server: rx.url, topic: "hb-alerts" }, io));
  assert.equal(rx.requests[2].headers.authorization, undefined);
  assert.deepEqual(
    [rx.requests[2].json.priority, rx.requests[2].json.tags, rx.requests[2].json.click],
    [3, ["test_tube"], undefined],
  );
});

test("ntfy: the message stays within 4096 bytes of UTF-8", async (t) => {
  const rx = await receiver(t);
  assertOk(await ntfy.send(failure("é€😀".repeat(3000)), { server: rx.url, topic: "t" }, io));
  const message: string = rx.requests[0].json.message;
  const bytes = Buffer.byteLength(message);
  assert.ok(bytes <= 4096 && bytes > 3800, `${bytes} bytes`);
  assert.ok(message.endsWith("…\n```"));
  assert.ok(!message.includes("\ufffd"));
});
