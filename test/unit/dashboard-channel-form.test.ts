// The dashboard's channel form without a browser: fields generated from a channel type (kinds,
// required, labels), values to and from the API (lists, header records, numbers), write-only
// secrets (a stored one is disabled, empty and left out of an update; a cleared optional field
// is sent as null), and API errors under the right field.

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  SECRET_MASK,
  applyChannelApiErrors,
  configToApi,
  createChannelForm,
  fieldSpecs,
  formToApi,
  labelOf,
  setConfigControls,
  storedSecrets,
  toApiValue,
  toControlValue,
} from "../../dashboard/src/app/channels/channel-form-model.ts";
import type { Channel, ChannelType } from "../../dashboard/src/app/api/models.ts";

const webhook: ChannelType = {
  type: "webhook",
  title: "Webhook",
  fields: {
    url: { type: "url", secret: true, description: "where" },
    headers: { type: "record", optional: true, secret: true },
    secret: { type: "string", optional: true, secret: true, min: 16 },
  },
};
const email: ChannelType = {
  type: "email",
  title: "Email",
  fields: {
    host: { type: "string", optional: true },
    port: { type: "number", optional: true, min: 1, max: 65535 },
    security: { type: "enum", values: ["starttls", "tls", "none"], default: "starttls" },
    rejectUnauthorized: { type: "boolean", optional: true },
    to: { type: "array", min: 1, items: { type: "email" } },
    odd: { type: "custom-thing" },
  },
};

test("fields come from the type: kind, required, secret, label", () => {
  const specs = fieldSpecs(email);
  assert.deepEqual(
    specs.map((s) => [s.key, s.kind, s.required]),
    [
      ["host", "text", false],
      ["port", "number", false],
      ["security", "enum", false],
      ["rejectUnauthorized", "boolean", false],
      ["to", "list", true],
      ["odd", "text", true],
    ],
  );
  assert.deepEqual(specs[2]!.values, ["starttls", "tls", "none"]);
  assert.deepEqual(
    fieldSpecs(webhook).map((s) => [s.key, s.kind, s.secret, s.required]),
    [
      ["url", "url", true, true],
      ["headers", "record", true, false],
      ["secret", "text", true, false],
    ],
  );
  assert.deepEqual(["botToken", "url", "messageThreadId", "apiUrl", "rejectUnauthorized"].map(labelOf), [
    "Bot token",
    "URL",
    "Message thread ID",
    "API URL",
    "Reject unauthorized",
  ]);
});

test("values round-trip between the API and the inputs", () => {
  const [, port, , tls, to] = fieldSpecs(email);
  const headers = fieldSpecs(webhook)[1]!;
  assert.equal(toControlValue(to!, ["a@x.org", "b@x.org"]), "a@x.org\nb@x.org");
  assert.deepEqual(toApiValue(to!, " a@x.org, b@x.org \n\n c@x.org "), ["a@x.org", "b@x.org", "c@x.org"]);
  assert.equal(toControlValue(headers, { Authorization: "Bearer a:b" }), "Authorization: Bearer a:b");
  assert.deepEqual(toApiValue(headers, "Authorization: Bearer a:b\n X-Team : ops "), {
    Authorization: "Bearer a:b",
    "X-Team": "ops",
  });
  assert.equal(toApiValue(port!, "2525"), 2525);
  assert.equal(toApiValue(port!, "  "), undefined);
  assert.equal(toApiValue(tls!, false), false);
  assert.equal(toControlValue(tls!, undefined), false);
});

test("a stored secret is disabled and empty, kept out of an update; a cleared field is sent as null", () => {
  const specs = fieldSpecs(webhook);
  const shown = { url: SECRET_MASK, secret: SECRET_MASK };
  const form = createChannelForm();
  setConfigControls(form.controls.config, specs, shown);
  const c = form.controls.config.controls;
  assert.equal(c["url"]!.disabled, true);
  assert.equal(c["url"]!.value, "", "the mask is never put in an input");
  assert.equal(c["headers"]!.disabled, false, "not set: an ordinary empty field");
  assert.deepEqual([...storedSecrets(specs, shown)], ["url", "secret"]);
  assert.ok(form.controls.config.valid, "a kept required secret needs no value");
  assert.deepEqual(configToApi(form.controls.config, specs, true), { headers: null });
  // Replacing one sends it.
  c["secret"]!.enable();
  c["secret"]!.setValue("a-new-signing-secret");
  assert.deepEqual(configToApi(form.controls.config, specs, true), { headers: null, secret: "a-new-signing-secret" });
  // Creating: only what is filled, with the type.
  const fresh = createChannelForm();
  setConfigControls(fresh.controls.config, specs);
  assert.equal(fresh.controls.config.valid, false, "a new channel needs its URL");
  fresh.controls.name.setValue("  hooks ");
  fresh.controls.config.controls["url"]!.setValue("https://example.org/h");
  assert.deepEqual(formToApi(fresh, specs, null), {
    name: "hooks",
    type: "webhook",
    events: ["down", "up", "failure"],
    isDefault: false,
    enabled: true,
    locale: null,
    config: { url: "https://example.org/h" },
  });
  // The environment's channel: its settings are never sent.
  const managed = { managedBy: "environment" } as Channel;
  assert.equal("config" in formToApi(fresh, specs, managed), false);
});

test("API errors land under their field; the rest are returned", () => {
  const form = createChannelForm();
  setConfigControls(form.controls.config, fieldSpecs(webhook));
  const rest = applyChannelApiErrors(form, [
    { field: "config.url", message: "the URL must be public" },
    { field: "name", message: "is too long" },
    { field: "config", message: "whole config" },
    { field: "nope", message: "unknown" },
  ]);
  assert.equal(form.controls.config.controls["url"]!.getError("server"), "The URL must be public");
  assert.equal(form.controls.name.getError("server"), "Is too long");
  assert.deepEqual(
    rest.map((p) => p.field),
    ["config", "nope"],
  );
});
