// The Telegram plugin against a real local receiver: sendMessage with limited HTML, Telegram's
// errors, and the bot token never in a message.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as telegram from "../../../plugins/telegram.ts";
import { startReceiver } from "../../support/receiver.ts";
import { down, failure, io, receiver, assertOk, assertFailed, BOT } from "../../support/channels.ts";

test("telegram: sendMessage on the bot-token path with HTML limited to b, a and pre", async (t) => {
  const rx = await receiver(t);
  rx.respond(`/bot${BOT}/sendMessage`, { status: 200, body: { ok: true, result: { message_id: 42 } } });
  const r0 = await telegram.send(
    failure(),
    { botToken: BOT, chatId: "-1001234567890", messageThreadId: 7, apiUrl: `${rx.url}/` },
    io,
  );
  assertOk(r0);
  const r = rx.requests[0];
  assert.equal(r.path, `/bot${BOT}/sendMessage`);
  assert.equal(r.json.chat_id, "-1001234567890");
  assert.equal(r.json.parse_mode, "HTML");
  assert.deepEqual(r.json.link_preview_options, { is_disabled: true });
  assert.equal(r.json.message_thread_id, 7);
  const text: string = r.json.text;
  assert.ok(text.startsWith('<b>FAILED: nightly-backup</b>\ndisk &lt;b&gt;full&lt;/b&gt; &amp; "quoted"'), text);
  assert.ok(text.includes("<b>Monitor:</b> nightly-backup (abcDEF123456)"));
  assert.ok(text.includes("<pre>disk &lt;b&gt;full&lt;/b&gt; &amp; \"quoted\" 'single'\n```\nrm -rf `pwd`"));
  assert.ok(text.endsWith(`<a href="https://hb.example.com/monitors/7?tab=flips&amp;x=1">Open in Heartbeats</a>`));
  const stripped = text.replace(/<\/?(b|pre)>|<a href="[^"<>]*">|<\/a>/g, "");
  assert.ok(!/[<>]/.test(stripped), "no other tags, every < and > escaped");
  assert.ok(!/&(?!(amp|lt|gt|quot);)/.test(stripped), "every & escaped");
});

test("telegram: 4096 characters after entity parsing, with the markup kept whole", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { status: 200, body: { ok: true, result: { message_id: 1 } } });
  assertOk(
    await telegram.send(failure("<&>".repeat(5000)), { botToken: BOT, chatId: "@heartbeats_ops", apiUrl: rx.url }, io),
  );
  const text: string = rx.requests[0].json.text;
  const visible = text
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
  assert.ok(visible.length <= 4096 && visible.length > 4000, `visible ${visible.length}`);
  assert.equal(text.match(/<pre>/g)!.length, 1);
  assert.equal(text.match(/<\/pre>/g)!.length, 1);
  assert.ok(text.endsWith("Open in Heartbeats</a>"));
});

test("telegram: Telegram's own errors are reported, 429 retried, and the token is never in a message", async (t) => {
  const rx = await receiver(t);
  const config = { botToken: BOT, chatId: "1", apiUrl: rx.url };
  rx.respond("*", { status: 400, body: { ok: false, error_code: 400, description: "Bad Request: chat not found" } });
  const e1 = assertFailed(
    await telegram.send(down(), config, io),
    false,
    /^Telegram answered 400: Bad Request: chat not found$/,
  );
  rx.respond("*", {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: "Too Many Requests: retry after 5",
      parameters: { retry_after: 5 },
    },
  });
  const e2 = assertFailed(await telegram.send(down(), config, io), true, /Too Many Requests/);
  rx.respond("*", (req) => ({ status: 401, body: `Unauthorized for ${req.path}` }));
  const e3 = assertFailed(await telegram.send(down(), config, io), false);
  rx.respond("*", { status: 200, body: "<html>proxy says hi</html>" });
  const e4 = assertFailed(await telegram.send(down(), config, io), false);
  const closed = await startReceiver();
  await closed.close();
  const e5 = assertFailed(await telegram.send(down(), { ...config, apiUrl: closed.url }, io), true, /ECONNREFUSED/);
  for (const e of [e1, e2, e3, e4, e5]) {
    assert.ok(!e.includes(BOT) && !e.includes(BOT.split(":")[1]), e);
  }
});
