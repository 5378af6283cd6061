// The client every HTTP channel sends through (plugins/http.ts), against a real local receiver:
// retries by status, redirects (at most 3, each hop vetted), a time limit, 64 KiB answers, private addresses refused,
// secrets out of error messages.

import { test } from "node:test";
import assert from "node:assert/strict";
import type dns from "node:dns";
import type { SendResult } from "../../../plugins/channel.ts";
import { createHttpIO, MAX_RESPONSE_BYTES } from "../../../plugins/http.ts";
import * as webhook from "../../../plugins/webhook.ts";
import * as slack from "../../../plugins/slack.ts";
import * as discord from "../../../plugins/discord.ts";
import * as teams from "../../../plugins/teams.ts";
import * as telegram from "../../../plugins/telegram.ts";
import * as ntfy from "../../../plugins/ntfy.ts";
import * as gotify from "../../../plugins/gotify.ts";
import * as pagerduty from "../../../plugins/pagerduty.ts";
import * as opsgenie from "../../../plugins/opsgenie.ts";
import { startReceiver } from "../../support/receiver.ts";
import { down, io, receiver, assertOk, assertFailed, BOT, ROUTING, GENIE } from "../../support/channels.ts";

test("client: 429/503/408 are retried, 400/404 are final, the answer is quoted on one line", async (t) => {
  const rx = await receiver(t);
  const send = () => webhook.send(down(), { url: `${rx.url}/h` }, io);
  for (const status of [429, 503, 408, 500]) {
    rx.respond("*", { status, body: "busy" });
    assertFailed(await send(), true, new RegExp(`^the webhook answered ${status}: busy$`));
  }
  for (const status of [400, 404, 401, 410]) {
    rx.respond("*", { status, body: `line one\n\n  line two ${"z".repeat(400)}` });
    const e = assertFailed(await send(), false, new RegExp(`^the webhook answered ${status}: line one line two z+…$`));
    assert.ok(e.length < 260);
  }
});

test("client: a redirect is followed (a POST after a 301 becomes a GET); one without a location is a permanent failure", async (t) => {
  const rx = await receiver(t);
  rx.respond("/old", { status: 301, headers: { location: `${rx.url}/new?token=SEKRIT` } });
  rx.respond("/new", { status: 404, body: "gone" });
  const e = assertFailed(await webhook.send(down(), { url: `${rx.url}/old` }, io), false, /answered 404: gone$/);
  assert.ok(!e.includes("SEKRIT"));
  assert.deepEqual(
    rx.requests.map((r) => `${r.method} ${r.path.split("?")[0]}`),
    ["POST /old", "GET /new"],
  );
  rx.respond("/nowhere", { status: 302 });
  assertFailed(
    await webhook.send(down(), { url: `${rx.url}/nowhere` }, io),
    false,
    /answered 302: a redirect without a usable location \(none\)$/,
  );
});

test("client: a receiver that never answers is a retryable timeout within the time limit", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { hang: true });
  const fast = createHttpIO({ timeoutMs: 300, allowPrivate: true });
  const started = Date.now();
  const e = assertFailed(
    await webhook.send(down(), { url: `${rx.url}/h/PATHSECRET` }, fast),
    true,
    /timed out after 300 ms/,
  );
  const took = Date.now() - started;
  assert.ok(took >= 290 && took < 1000, `${took} ms`);
  assert.ok(!e.includes("PATHSECRET") && e.includes(`http://127.0.0.1:${rx.port}`), e);
});

test("client: a receiver streaming 50 MB is cut off at 64 KiB, quickly and without the memory", async (t) => {
  const rx = await receiver(t);
  rx.respond("*", { streamBytes: 50 * 1024 * 1024 });
  const rssBefore = process.memoryUsage().rss;
  const started = Date.now();
  const res = await io.request({ method: "POST", url: `${rx.url}/big`, body: { a: 1 } });
  assert.equal(res.status, 200);
  assert.equal(res.body.length, MAX_RESPONSE_BYTES);
  assertOk(await webhook.send(down(), { url: `${rx.url}/big` }, io));
  const took = Date.now() - started;
  const grown = process.memoryUsage().rss - rssBefore;
  assert.ok(took < 1500, `${took} ms`);
  assert.ok(grown < 20 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(1)} MB`);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(rx.streamed < 10 * 1024 * 1024, `receiver got to write ${rx.streamed} bytes`);
});

test("client: private addresses are refused before any request unless allowed", async (t) => {
  const rx = await receiver(t);
  const strict = createHttpIO({ timeoutMs: 2000, allowPrivate: false });
  const e = assertFailed(
    await webhook.send(down(), { url: `${rx.url}/h` }, strict),
    false,
    /127\.0\.0\.1 resolves to a private address.*ALLOW_PRIVATE_WEBHOOKS/,
  );
  assert.ok(!e.includes("/h"));
  assertFailed(await webhook.send(down(), { url: `http://[::1]:${rx.port}/h` }, strict), false, /private address/);
  assertFailed(await webhook.send(down(), { url: `http://0x7f000001:${rx.port}/h` }, strict), false, /private address/);
  assertFailed(
    await webhook.send(down(), { url: `http://localhost:${rx.port}/h` }, strict),
    false,
    /localhost resolves to a private address/,
  );
  await assert.rejects(
    strict.request({ url: "file:///etc/passwd" }),
    (err: Error & { retryable?: boolean }) => err.retryable === false && /only http: and https:/.test(err.message),
  );
  await assert.rejects(strict.request({ url: "not a url with TOKEN" }), (err: Error) => !err.message.includes("TOKEN"));
  assert.equal(rx.requests.length, 0);
});

test("client: the address is vetted inside the lookup, every resolved address counts, and the socket uses it", async (t) => {
  const rx = await receiver(t);
  const calls: string[] = [];
  const fakeLookup = (answers: string[]) =>
    ((
      host: string,
      options: dns.LookupAllOptions,
      cb: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
    ) => {
      calls.push(`${host} all=${options.all}`);
      cb(
        null,
        answers.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
      );
    }) as unknown as typeof dns.lookup;

  const rebind = createHttpIO({ timeoutMs: 2000, allowPrivate: false, lookup: fakeLookup(["127.0.0.1"]) });
  assertFailed(
    await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, rebind),
    false,
    /^the webhook: hooks\.example\.test resolves to a private address \(127\.0\.0\.1\).*ALLOW_PRIVATE_WEBHOOKS/,
  );
  const mixed = createHttpIO({
    timeoutMs: 2000,
    allowPrivate: false,
    lookup: fakeLookup(["93.184.215.14", "169.254.169.254"]),
  });
  assertFailed(
    await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, mixed),
    false,
    /169\.254\.169\.254/,
  );
  assert.equal(rx.requests.length, 0);

  // Allowed: the connection goes to the address the lookup vetted, not to a second resolution.
  const allowed = createHttpIO({ timeoutMs: 2000, allowPrivate: true, lookup: fakeLookup(["127.0.0.1"]) });
  assertOk(await webhook.send(down(), { url: `http://hooks.example.test:${rx.port}/h` }, allowed));
  assert.equal(rx.requests.length, 1);
  assert.equal(rx.requests[0].headers.host, `hooks.example.test:${rx.port}`);
  assert.ok(calls.every((c) => c.startsWith("hooks.example.test all=")));
  assert.equal(calls.length, 3, "one lookup per connection");
});

test("client: no channel puts a secret in an error message, whatever the receiver echoes", async (t) => {
  const rx = await receiver(t);
  // A hostile (or merely chatty) receiver: the error body repeats everything it was sent.
  rx.respond("*", (req) => ({
    status: 500,
    body: `${req.path} ${req.headers.authorization ?? ""} ${req.headers["x-gotify-key"] ?? ""} ${req.raw.slice(0, 120)}`,
  }));
  const closed = await startReceiver();
  await closed.close();
  const cases: [string, (base: string) => Promise<SendResult>][] = [
    [
      "WEBHOOKPATHTOKEN123",
      (b) =>
        webhook.send(
          down(),
          {
            url: `${b}/in/WEBHOOKPATHTOKEN123`,
            headers: { Authorization: "Bearer HDRSECRET0123456" },
            secret: "signing-secret-0123",
          },
          io,
        ),
    ],
    [
      "HDRSECRET0123456",
      (b) => webhook.send(down(), { url: `${b}/in`, headers: { Authorization: "Bearer HDRSECRET0123456" } }, io),
    ],
    [
      "SLACKTOKEN0123456789abcd",
      (b) => slack.send(down(), { url: `${b}/services/T0/B0/SLACKTOKEN0123456789abcd` }, io),
    ],
    [
      "DISCORDTOKEN-abcdefghijklmnopqrstuvwxyz",
      (b) => discord.send(down(), { url: `${b}/api/webhooks/1/DISCORDTOKEN-abcdefghijklmnopqrstuvwxyz` }, io),
    ],
    [
      "TEAMSSIG0123456789abcdef",
      (b) => teams.send(down(), { url: `${b}/workflows/x/invoke?api-version=1&sig=TEAMSSIG0123456789abcdef` }, io),
    ],
    [BOT, (b) => telegram.send(down(), { botToken: BOT, chatId: "1", apiUrl: b }, io)],
    ["tk_NTFYTOKEN123", (b) => ntfy.send(down(), { server: b, topic: "t", token: "tk_NTFYTOKEN123" }, io)],
    [
      "ntfy-pass-word",
      (b) => ntfy.send(down(), { server: b, topic: "t", username: "u", password: "ntfy-pass-word" }, io),
    ],
    ["AbCdEfGhIjKlMnO", (b) => gotify.send(down(), { server: b, appToken: "AbCdEfGhIjKlMnO" }, io)],
    [ROUTING, (b) => pagerduty.send(down(), { routingKey: ROUTING, eventsUrl: `${b}/v2/enqueue` }, io)],
    [GENIE, (b) => opsgenie.send(down(), { apiKey: GENIE, apiUrl: b }, io)],
  ];
  for (const [secret, run] of cases) {
    for (const base of [rx.url, closed.url]) {
      const e = assertFailed(await run(base), true);
      assert.ok(!e.includes(secret), `${secret} leaked: ${e}`);
    }
  }
  assert.ok(rx.requests.length >= cases.length);
});

test("client: a header value that would split the request is refused without quoting it", async (t) => {
  const rx = await receiver(t);
  const e = assertFailed(
    await webhook.send(down(), { url: `${rx.url}/h`, headers: { "X-Token": "HDRVALUE\r\nX-Evil: 1" } }, io),
    false,
    /could not be built/,
  );
  assert.ok(!e.includes("HDRVALUE"));
  assert.equal(rx.requests.length, 0);
});
