// The Slack plugin against a real local receiver: Block Kit within Slack's limits, Slack's errors.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as slack from "../../../plugins/slack.ts";
import { down, failure, longName, io, receiver, assertOk, assertFailed } from "../../support/channels.ts";

test("slack: Block Kit with header, fields, escaped code block and link; 'ok' is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("/services/T000/B000/XXXXSECRET", { status: 200, body: "ok" });
  const a = failure();
  assertOk(await slack.send(a, { url: `${rx.url}/services/T000/B000/XXXXSECRET` }, io));
  const m = rx.requests[0].json;
  assert.equal(rx.requests[0].headers["content-type"], "application/json");
  assert.equal(m.text, "[Heartbeats] FAILED: nightly-backup — disk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\" 'single'");
  assert.deepEqual(m.blocks[0], {
    type: "header",
    text: { type: "plain_text", text: "FAILED: nightly-backup", emoji: false },
  });
  const fields = m.blocks.filter((b: any) => b.fields).flatMap((b: any) => b.fields.map((f: any) => f.text));
  assert.ok(fields.includes("*Monitor*\nnightly-backup (abcDEF123456)"));
  assert.ok(fields.includes("*Exit status*\n2"));
  for (const b of m.blocks) if (b.fields) assert.ok(b.fields.length <= 10);
  const code = m.blocks.find((b: any) => b.text?.text?.includes("```")).text.text as string;
  assert.ok(code.includes('disk &lt;b&gt;full&lt;/b&gt; &amp; "quoted"'), code);
  assert.ok(!code.includes("<b>") && !code.includes("<@everyone>"));
  assert.equal(code.match(/```/g)!.length, 2, "the report's own fences cannot close the block");
  assert.equal(
    m.blocks.at(-1).elements[0].text,
    "<https://hb.example.com/monitors/7?tab=flips&amp;x=1|Open in Heartbeats>",
  );
});

test("slack: limits are Block Kit's (header 150, section 3000), and a Slack error is reported", async (t) => {
  const rx = await receiver(t);
  const a = longName(failure("x".repeat(10_000)), "n".repeat(400));
  assertOk(await slack.send(a, { url: `${rx.url}/s` }, io));
  const m = rx.requests[0].json;
  assert.ok(m.blocks[0].text.text.length <= 150);
  for (const b of m.blocks) {
    if (b.text) assert.ok(b.text.text.length <= 3000, `section ${b.text.text.length}`);
    for (const f of b.fields ?? []) assert.ok(f.text.length <= 2000);
  }
  assert.match(m.blocks.find((b: any) => b.text?.text?.includes("```")).text.text, /…```$/);
  rx.respond("*", { status: 404, body: "no_service" });
  assertFailed(await slack.send(down(), { url: `${rx.url}/s` }, io), false, /^Slack answered 404: no_service$/);
  rx.respond("*", { status: 429, body: "rate_limited" });
  assertFailed(await slack.send(down(), { url: `${rx.url}/s` }, io), true);
});
