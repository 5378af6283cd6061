// The Discord plugin against a real local receiver: one embed within Discord's limits.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as discord from "../../../plugins/discord.ts";
import { DASHBOARD, down, failure, longName, io, receiver, assertOk } from "../../support/channels.ts";

test("discord: one embed with colour, fields, timestamp, link and no mentions; 204 is success", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 204 });
  const a = failure();
  assertOk(await discord.send(a, { url: `${rx.url}/api/webhooks/123/TOKEN`, username: "Heartbeats" }, io));
  const m = rx.requests[0].json;
  assert.equal(rx.requests[0].path, "/api/webhooks/123/TOKEN");
  assert.equal(m.username, "Heartbeats");
  assert.deepEqual(m.allowed_mentions, { parse: [] });
  const e = m.embeds[0];
  assert.equal(e.title, "FAILED: nightly-backup");
  assert.equal(e.color, 0xd93025);
  assert.equal(e.url, DASHBOARD);
  assert.equal(e.timestamp, "2026-11-24T08:05:00.000Z");
  assert.deepEqual(e.fields[0], { name: "Monitor", value: "nightly\\-backup \\(abcDEF123456\\)", inline: true });
  assert.ok(e.description.includes('```\ndisk <b>full</b> & "quoted"'), e.description);
  assert.ok(e.description.includes("`\u200b`\u200b`"), "backtick runs broken up");
  assert.equal(e.description.match(/```/g).length, 2);
});

test("discord: embed limits (title 256, description 4096, 25 fields of 256/1024, 6000 in all)", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 204 });
  const a = longName(failure("y".repeat(20_000)), "n".repeat(2000));
  a.rendered.rows.push(
    ...Array.from({ length: 40 }, (_, i): [string, string] => [`k${i}`.repeat(200), "v".repeat(5000)]),
  );
  assertOk(await discord.send(a, { url: `${rx.url}/w` }, io));
  const e = rx.requests[0].json.embeds[0];
  assert.ok(e.title.length <= 256);
  assert.ok(e.description.length <= 4096);
  assert.ok(e.fields.length <= 25 && e.fields.length >= 3);
  assert.equal(e.fields[0].name, "Monitor");
  for (const f of e.fields) assert.ok(f.name.length <= 256 && f.value.length <= 1024);
  const total =
    e.title.length +
    e.description.length +
    e.fields.reduce((n: number, f: any) => n + f.name.length + f.value.length, 0);
  assert.ok(total <= 6000, `total ${total}`);
  rx.requests.length = 0;
  const many = down();
  many.rendered.rows.push(...Array.from({ length: 40 }, (_, i): [string, string] => [`k${i}`, "v"]));
  assertOk(await discord.send(many, { url: `${rx.url}/w` }, io));
  assert.equal(rx.requests[0].json.embeds[0].fields.length, 25);
  const small = longName(failure("z".repeat(20_000)), "short");
  rx.requests.length = 0;
  assertOk(await discord.send(small, { url: `${rx.url}/w` }, io));
  const d = rx.requests[0].json.embeds[0].description as string;
  assert.ok(d.length <= 4096 && d.length > 3500 && d.endsWith("…\n```"), `${d.length}`);
});
