// Every chat and incident plugin against a real local receiver with an alert that was held back
// and released: each says what held it ("Held back while parent db server was down"), as the
// webhook does in its `held` field (webhook.test.ts) and the email in its text (test/e2e/alert-holds).

import { test } from "node:test";
import assert from "node:assert/strict";
import * as slack from "../../../plugins/slack.ts";
import * as discord from "../../../plugins/discord.ts";
import * as teams from "../../../plugins/teams.ts";
import * as telegram from "../../../plugins/telegram.ts";
import * as ntfy from "../../../plugins/ntfy.ts";
import * as gotify from "../../../plugins/gotify.ts";
import * as pagerduty from "../../../plugins/pagerduty.ts";
import * as opsgenie from "../../../plugins/opsgenie.ts";
import { BOT, GENIE, ROUTING, io, receiver, assertOk, released } from "../../support/channels.ts";

test("every plugin shows the hold of a released alert", async (t) => {
  const rx = await receiver(t);
  const b = rx.url;
  rx.respond(`/telegram/bot${BOT}/sendMessage`, { status: 200, body: { ok: true, result: { message_id: 1 } } });
  const sends: [string, () => ReturnType<typeof slack.send>][] = [
    ["slack", () => slack.send(released(), { url: `${b}/slack` }, io)],
    ["discord", () => discord.send(released(), { url: `${b}/discord` }, io)],
    ["teams", () => teams.send(released(), { url: `${b}/teams` }, io)],
    ["telegram", () => telegram.send(released(), { botToken: BOT, chatId: "1", apiUrl: `${b}/telegram` }, io)],
    ["ntfy", () => ntfy.send(released(), { server: `${b}/ntfy`, topic: "t" }, io)],
    ["gotify", () => gotify.send(released(), { server: `${b}/gotify`, appToken: "AbCdEfGhIjKlMnO" }, io)],
    ["pagerduty", () => pagerduty.send(released(), { routingKey: ROUTING, eventsUrl: `${b}/pagerduty` }, io)],
    ["opsgenie", () => opsgenie.send(released(), { apiKey: GENIE, apiUrl: `${b}/opsgenie` }, io)],
  ];
  for (const [name, send] of sends) {
    const before = rx.requests.length;
    assertOk(await send());
    const bodies = rx.requests.slice(before).map((r) => r.raw);
    assert.ok(bodies.length >= 1, `${name} sent`);
    assert.ok(
      bodies.some((raw) => /Held back/.test(raw) && /while parent db server was down/.test(raw)),
      `${name} shows the hold: ${bodies.join("\n").slice(0, 400)}`,
    );
  }
});
