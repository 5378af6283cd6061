// SSRF, for every outbound URL a user can set: each channel type's URL field (webhook, Slack,
// Discord, Teams, ntfy and Gotify servers, Telegram, PagerDuty and Opsgenie API endpoints),
// against every spelling of a private, loopback, link-local or metadata address, against a name
// that resolves to one, against DNS rebinding (a name that answers a public address first and a
// private one on the next look-up), and against a redirect to a private address. A real
// receiver on 127.0.0.1 stands in for the internal service: it must never see a request.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import type dns from "node:dns";
import { renderAlert, type AlertFacts } from "../../core/alerts/alert.ts";
import type { Alert, ChannelIO, SendResult } from "../../plugins/channel.ts";
import { createHttpIO } from "../../plugins/http.ts";
import { isPrivateAddress } from "../../core/security/network-address.ts";
import { BUILT_IN } from "../../plugins/catalog.ts";
import { startReceiver } from "../support/receiver.ts";

const at = Date.parse("2026-11-24T08:05:00Z");
const facts: AlertFacts = {
  event: "down",
  reminder: 0,
  raisedAt: at,
  monitor: { id: 1, name: "backup", code: "abcDEF123456", tags: [], timezone: "UTC" },
  flip: { id: 2, from: "up", to: "down", reason: "no-ping", at, expectedAt: at - 60_000 },
  lastPingAt: at - 120_000,
  failure: null,
  downSince: null,
  dashboardUrl: null,
};
const alert: Alert = { event: "down", idempotencyKey: "k", incidentKey: "i", facts, rendered: renderAlert(facts) };

const rx = await startReceiver();
after(() => rx.close());
const P = rx.port;

/** Each channel type with a URL a user sets, and a config putting `base` (scheme://host:port) there. */
const URL_FIELDS: [string, (base: string) => Record<string, unknown>][] = [
  ["webhook", (b) => ({ url: `${b}/hook` })],
  ["slack", (b) => ({ url: `${b}/services/T0/B0/x` })],
  ["discord", (b) => ({ url: `${b}/api/webhooks/1/x` })],
  ["teams", (b) => ({ url: `${b}/workflows/x?sig=y` })],
  ["ntfy", (b) => ({ server: b, topic: "alerts" })],
  ["gotify", (b) => ({ server: b, appToken: "AppToken123" })],
  ["telegram", (b) => ({ botToken: "123456:ABC-def", chatId: "42", apiUrl: b })],
  ["pagerduty", (b) => ({ routingKey: "R0UT1NGKEY0123456789abcdef012345", eventsUrl: `${b}/v2/enqueue` })],
  ["opsgenie", (b) => ({ apiKey: "key", apiUrl: b })],
];

const PRIVATE_SPELLINGS = [
  `http://127.0.0.1:${P}`,
  `http://127.1:${P}`,
  `http://2130706433:${P}`,
  `http://0x7f000001:${P}`,
  `http://0177.0.0.1:${P}`,
  `http://[::1]:${P}`,
  `http://[::ffff:127.0.0.1]:${P}`,
  `http://[::ffff:7f00:1]:${P}`,
  `http://0.0.0.0:${P}`,
  `http://localhost:${P}`,
  `http://LOCALHOST.:${P}`,
  `http://169.254.169.254:${P}`,
  `http://10.0.0.1:${P}`,
  `http://192.168.1.1:${P}`,
  `http://172.16.0.1:${P}`,
  `http://100.64.0.1:${P}`,
  `http://[fd00::1]:${P}`,
  `http://[fe80::1]:${P}`,
  `https://127.0.0.1:${P}`,
];

const strict = createHttpIO({ timeoutMs: 1500, allowPrivate: false });

function plugin(type: string) {
  const p = BUILT_IN.find((x) => x.type === type);
  assert.ok(p, type);
  return p;
}

/** Refused as private (final), or — a name no resolver knows, like "LOCALHOST." — not resolvable at all. */
function refusedBeforeSending(r: SendResult, what: string): void {
  assert.equal(r.ok, false, `${what}: sent`);
  if (r.ok) return;
  if (/ENOTFOUND/.test(r.error)) return;
  assert.equal(r.retryable, false, `${what}: a refusal is final, not retried: ${r.error}`);
  assert.match(r.error, /private address|not allowed/, `${what}: ${r.error}`);
}

test("every URL field of every channel type refuses every spelling of a private address, before any request", async () => {
  for (const [type, config] of URL_FIELDS) {
    for (const base of PRIVATE_SPELLINGS) {
      refusedBeforeSending(await plugin(type).send(alert, config(base), strict), `${type} → ${base}`);
    }
  }
  assert.equal(rx.requests.length, 0, "the internal service saw nothing");
});

/** A resolver under the test's control: each look-up of a name takes the next answer. */
function resolver(answers: string[][]): { lookup: typeof dns.lookup; calls: number } {
  const state = { calls: 0, lookup: null as unknown as typeof dns.lookup };
  state.lookup = ((
    _host: string,
    _opts: dns.LookupAllOptions,
    cb: (err: NodeJS.ErrnoException | null, a: dns.LookupAddress[]) => void,
  ) => {
    const answer = answers[Math.min(state.calls++, answers.length - 1)]!;
    cb(
      null,
      answer.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })),
    );
  }) as unknown as typeof dns.lookup;
  return state;
}

test("a name that resolves to a private address is refused for every channel type", async () => {
  for (const [type, config] of URL_FIELDS) {
    for (const answer of [
      ["127.0.0.1"],
      ["169.254.169.254"],
      ["::1"],
      ["::ffff:10.0.0.1"],
      ["93.184.215.14", "10.1.2.3"],
    ]) {
      const io: ChannelIO = createHttpIO({ timeoutMs: 1500, allowPrivate: false, lookup: resolver([answer]).lookup });
      refusedBeforeSending(
        await plugin(type).send(alert, config(`http://internal.example.test:${P}`), io),
        `${type} → ${answer}`,
      );
    }
  }
  assert.equal(rx.requests.length, 0);
});

test("DNS rebinding: public at the first look-up, private at the next — the connection that would reach it is refused", async () => {
  // The first answer is public (an address that cannot be reached here: the attempt fails on
  // its own); the second, a moment later, is the receiver's loopback address.
  const dnsAnswers = resolver([["93.184.215.14"], ["127.0.0.1"]]);
  const io = createHttpIO({ timeoutMs: 800, allowPrivate: false, lookup: dnsAnswers.lookup });
  const first = await plugin("webhook").send(alert, { url: `http://rebind.example.test:${P}/hook` }, io);
  assert.equal(first.ok, false);
  const second = await plugin("webhook").send(alert, { url: `http://rebind.example.test:${P}/hook` }, io);
  refusedBeforeSending(second, "second look-up");
  assert.equal(dnsAnswers.calls, 2, "each connection resolves once, inside the socket's own look-up");
  assert.equal(rx.requests.length, 0, "the private address was never connected to");
});

/** A receiver on 127.0.0.2 standing in for a public one: the address rule treats it as public, the rest as usual. */
async function publicReceiver() {
  const outside = await startReceiver(0, "127.0.0.2");
  const io = createHttpIO({
    timeoutMs: 1500,
    allowPrivate: false,
    privateAddress: (ip) => ip !== "127.0.0.2" && isPrivateAddress(ip),
    lookup: resolver([["127.0.0.1"]]).lookup, // any name: the internal service
  });
  return { outside, io };
}

test("each redirect hop is vetted like the first: towards a private address, by any spelling or name, it is refused", async () => {
  const { outside, io } = await publicReceiver();
  try {
    const targets = [
      ...PRIVATE_SPELLINGS.map((b) => `${b}/latest/meta-data/`),
      `http://internal.example.test:${P}/admin`,
      "http://169.254.169.254/latest/meta-data/",
    ];
    for (const [type, config] of URL_FIELDS) {
      for (const target of targets) {
        outside.respond("*", { status: 302, headers: { location: target } });
        const r = await plugin(type).send(alert, config(outside.url), io);
        refusedBeforeSending(r, `${type} → redirect to ${target}`);
      }
    }
    assert.ok(outside.requests.length >= URL_FIELDS.length * targets.length, "each first hop was sent");
    assert.equal(rx.requests.length, 0, "no redirect reached the internal service");
  } finally {
    await outside.close();
  }
});

test("up to 3 redirects are followed; a 4th is refused; crossing origins drops credentials", async () => {
  const { outside, io } = await publicReceiver();
  const other = await startReceiver(0, "127.0.0.2");
  try {
    outside.respond("/a", { status: 301, headers: { location: "/b" } });
    outside.respond("/b", { status: 307, headers: { location: `${other.url}/c` } });
    other.respond("/c", { status: 308, headers: { location: "/d" } });
    other.respond("/d", { status: 200, body: "ok" });
    const ok = await plugin("webhook").send(
      alert,
      { url: `${outside.url}/a`, headers: { Authorization: "Bearer SEKRIT-TOKEN-123" } },
      io,
    );
    assert.equal(ok.ok, true, JSON.stringify(ok));
    // 301 after a POST becomes a GET, as browsers do; 307 and 308 repeat the request.
    assert.deepEqual(
      [...outside.requests, ...other.requests].map((r) => `${r.method} ${r.path}`),
      ["POST /a", "GET /b", "GET /c", "GET /d"],
    );
    assert.equal(outside.requests[0]!.headers.authorization, "Bearer SEKRIT-TOKEN-123");
    for (const r of other.requests) assert.equal(r.headers.authorization, undefined, "no credential to another origin");

    other.respond("/d", { status: 302, headers: { location: "/e" } });
    other.respond("/e", { status: 200, body: "too far" });
    const far = await plugin("webhook").send(alert, { url: `${outside.url}/a` }, io);
    assert.equal(far.ok, false);
    if (!far.ok) {
      assert.equal(far.retryable, false);
      assert.match(far.error, /more than 3 redirects/);
    }
    assert.equal(other.requests.filter((r) => r.path === "/e").length, 0, "the 4th redirect was not followed");
  } finally {
    await outside.close();
    await other.close();
  }
});
