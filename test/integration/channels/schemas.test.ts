// Every built-in plugin's config schema: it compiles as a fastest-validator object, accepts a real
// config, describes each field, and refuses the obvious mistakes.

import { test } from "node:test";
import assert from "node:assert/strict";
import ValidatorModule from "fastest-validator";
import * as webhook from "../../../plugins/webhook.ts";
import * as slack from "../../../plugins/slack.ts";
import * as discord from "../../../plugins/discord.ts";
import * as teams from "../../../plugins/teams.ts";
import * as telegram from "../../../plugins/telegram.ts";
import * as ntfy from "../../../plugins/ntfy.ts";
import * as gotify from "../../../plugins/gotify.ts";
import * as pagerduty from "../../../plugins/pagerduty.ts";
import * as opsgenie from "../../../plugins/opsgenie.ts";

test("every plugin's schema compiles as a fastest-validator object and accepts a real config", () => {
  const Validator = ValidatorModule as unknown as typeof ValidatorModule.default;
  const v = new Validator();
  const cases: [{ type: string; title: string; schema: Record<string, unknown> }, Record<string, unknown>][] = [
    [webhook, { url: "https://example.com/hook", headers: { Authorization: "Bearer x" }, secret: "0123456789abcdef" }],
    [slack, { url: "https://hooks.slack.com/services/T000/B000/XXXX" }],
    [discord, { url: "https://discord.com/api/webhooks/1/abc", username: "Heartbeats" }],
    [teams, { url: "https://prod-00.westus.logic.azure.com:443/workflows/x/triggers/manual/paths/invoke?sig=abc" }],
    [telegram, { botToken: "123456:ABC-def_GHI", chatId: "-1001234567890", messageThreadId: 5 }],
    [ntfy, { topic: "hb-alerts", token: "tk_abc" }],
    [gotify, { server: "https://gotify.example.com", appToken: "AbCdEfGhIjKlMnO" }],
    [pagerduty, { routingKey: "R0123456789abcdef0123456789ABCDE", severity: "warning" }],
    [
      opsgenie,
      { apiKey: "00000000-0000-0000-0000-000000000000", priority: "P2", apiUrl: "https://api.eu.opsgenie.com" },
    ],
  ];
  for (const [plugin, config] of cases) {
    const check = v.compile({ $$root: true, type: "object", strict: true, props: plugin.schema });
    assert.equal(check(config), true, `${plugin.type}: ${JSON.stringify(check(config))}`);
    assert.ok(plugin.title);
    for (const [name, rule] of Object.entries(plugin.schema))
      assert.ok((rule as { description?: string }).description, `${plugin.type}.${name} has a description`);
  }
  assert.notEqual(v.validate({ botToken: "not a token", chatId: "1" }, telegram.schema as never), true);
  assert.notEqual(v.validate({ routingKey: "short" }, pagerduty.schema as never), true);
  assert.deepEqual(
    ntfy.validate({ topic: "t", username: "u" }).map((p) => p.field),
    ["password"],
  );
});
