// The Microsoft Teams plugin against a real local receiver: an Adaptive Card message.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as teams from "../../../plugins/teams.ts";
import { DASHBOARD, NASTY, up, failure, testAlert, io, receiver, assertOk } from "../../support/channels.ts";

test("teams: an Adaptive Card message with title colour, facts, monospace report and link; 202 is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 202 });
  const url = `${rx.url}/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET`;
  assertOk(await teams.send(failure(), { url }, io));
  const r = rx.requests[0];
  assert.equal(r.path, "/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=SIGSECRET");
  assert.equal(r.json.type, "message");
  const att = r.json.attachments[0];
  assert.equal(att.contentType, "application/vnd.microsoft.card.adaptive");
  assert.equal(att.contentUrl, null);
  const card = att.content;
  assert.equal(card.$schema, "http://adaptivecards.io/schemas/adaptive-card.json");
  assert.equal(card.type, "AdaptiveCard");
  assert.equal(card.version, "1.4");
  assert.deepEqual(
    { type: card.body[0].type, text: card.body[0].text, weight: card.body[0].weight, color: card.body[0].color },
    { type: "TextBlock", text: "FAILED: nightly-backup", weight: "bolder", color: "attention" },
  );
  const facts = card.body.find((b: any) => b.type === "FactSet").facts;
  assert.deepEqual(facts[0], { title: "Monitor", value: "nightly-backup (abcDEF123456)" });
  const mono = card.body.find((b: any) => b.fontType === "monospace");
  assert.equal(mono.text, NASTY);
  assert.equal(mono.wrap, true);
  assert.deepEqual(card.actions, [{ type: "Action.OpenUrl", title: "Open in Heartbeats", url: DASHBOARD }]);

  rx.requests.length = 0;
  rx.respond("*", { status: 200 });
  assertOk(await teams.send(up(), { url }, io));
  assert.equal(rx.requests[0].json.attachments[0].content.body[0].color, "good");
  assertOk(await teams.send(testAlert(), { url }, io));
  assert.equal(rx.requests[1].json.attachments[0].content.actions, undefined);
});
