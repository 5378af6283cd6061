// Property-based fuzzing (fast-check) of every route and of the ping endpoints on a running
// system: malformed paths, query strings, bodies, content types, encodings, huge values, wrong
// types and garbage credentials. The properties: no answer is a 5xx, the process never dies,
// and a rejected (4xx) request leaves the stored state exactly as it was.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { createHash } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import fc from "fast-check";
import type { Proc } from "../support/system.ts";
import { basic, type Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import { SoftPasskey } from "../support/webauthn.ts";
import { base32Decode, hotp, totpStep } from "../../core/security/totp.ts";

const NO_LOCKOUT = { SIGNIN_MAX_FAILURES_PER_USER: "1000000", SIGNIN_MAX_FAILURES_PER_IP: "1000000" };
const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let proc: Proc;
let dbFile: string;
let port: number;
let a: Api;
let monitorId: number;
let code: string;
let channelId: number;
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);

/**
 * A digest of what requests change: every table the API writes, without the columns that the
 * services move on their own meanwhile (deadlines passing, deliveries retried, hosts polled).
 */
const MOVING = new Set([
  "status",
  "late_at",
  "down_at",
  "status_changed_at",
  "last_ping_at",
  "last_ping_kind",
  "last_start_at",
  "ping_count",
  "next_reminder_at",
  "reminders_sent",
  "updated_at",
  "last_poll_at",
  "next_poll_at",
  "lease_until",
  "claimed_by",
  "last_result",
  "host_key_fingerprint",
  "consecutive_failures",
  "consecutive_successes",
  "due_at",
  "run_deadline_at",
]);
/** Per table: a digest of its rows, and the rows themselves to say what changed. */
type State = Map<string, { digest: string; rows: string[] }>;
function stateDigest(): State {
  const db = new DatabaseSync(dbFile, { readOnly: true });
  try {
    const state: State = new Map();
    for (const table of [
      "monitors",
      "tags",
      "monitor_tags",
      "channels",
      "monitor_channels",
      "users",
      "hosts",
      "maintenance_windows",
    ]) {
      const rows = db
        .prepare(`SELECT * FROM ${table} ORDER BY 1`)
        .all()
        .map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).filter(([k]) => !MOVING.has(k)))));
      state.set(table, { digest: createHash("sha256").update(rows.join("\n")).digest("hex"), rows });
    }
    return state;
  } finally {
    db.close();
  }
}

/** "" when equal, else which table changed and how. */
function changed(before: State, after: State): string {
  for (const [table, b] of before) {
    const a = after.get(table)!;
    if (a.digest === b.digest) continue;
    const gone = b.rows.filter((r) => !a.rows.includes(r)).slice(0, 2);
    const added = a.rows.filter((r) => !b.rows.includes(r)).slice(0, 2);
    return `${table}: - ${gone.join(" ")} + ${added.join(" ")}`.slice(0, 1500);
  }
  return "";
}

interface Answer {
  status: number;
  body: string;
}

/**
 * One request and its answer. A server may answer 413/431 and close before it has read all of a
 * request that is too big; the client then sees the connection reset instead of the answer.
 * That is reported as `reset` (and allowed only for such requests).
 */
function send(
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Answer | "reset" | null> {
  // node:http frames DELETE and OPTIONS bodies with neither Content-Length nor chunking, so the
  // server would rightly read them as the next request; say the length, as any real client does.
  if (body !== undefined) headers = { ...headers, "content-length": String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      // A connection of its own: no request can be read as the tail of the one before.
      req = http.request(
        { host: "127.0.0.1", port, method, path: target, headers, timeout: 20_000, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () =>
            resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString("utf8").slice(0, 500) }),
          );
        },
      );
    } catch {
      // a path or header value node:http itself refuses to send: nothing reached the server
      resolve(null);
      return;
    }
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${target} within 20 s`)));
    req.on("error", (err: NodeJS.ErrnoException) =>
      err.code === "ECONNRESET" || err.code === "EPIPE" ? resolve("reset") : reject(err),
    );
    if (body !== undefined) req.end(body);
    else req.end();
  });
}

const hostile = fc.constantFrom(
  "",
  " ",
  "0",
  "-1",
  "1.5",
  "1e309",
  "NaN",
  "null",
  "true",
  "[]",
  "{}",
  "%",
  "%E0%A4%A",
  "%00",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "../../etc/passwd",
  "9".repeat(400),
  "\u202e",
  "😀",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "${jndi:ldap://x}",
  "a".repeat(5000),
);
const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 }), hostile);
/** Percent-encoding of any string (lone surrogates become U+FFFD; raw invalid UTF-8 comes from `hostile`). */
const enc = (s: string) => encodeURIComponent(s.toWellFormed());
const pathSegment = fc.oneof(text.map(enc), hostile, fc.integer().map(String));
const value: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(text, { maxLength: 5 }),
);
/** Objects shaped like what the routes take, with every field of any type. */
const shaped = fc.record(
  {
    name: value,
    description: value,
    schedule: fc.oneof(
      value,
      fc.record(
        { kind: value, periodSeconds: value, graceSeconds: value, expression: value, timezone: value, time: value },
        { requiredKeys: [] },
      ),
    ),
    tags: value,
    channels: value,
    repeatEverySeconds: value,
    type: value,
    config: fc.oneof(value, fc.dictionary(text, value, { maxKeys: 4 })),
    events: value,
    isDefault: value,
    enabled: value,
    username: value,
    password: value,
    role: value,
    address: value,
    port: value,
    privateKey: value,
    checks: value,
    intervalSeconds: value,
    rule: fc.oneof(
      value,
      fc.record(
        {
          kind: fc.oneof(value, fc.constantFrom("once", "recurring")),
          startsAt: value,
          endsAt: value,
          expression: value,
          durationSeconds: value,
          timezone: value,
        },
        { requiredKeys: [] },
      ),
    ),
    monitorIds: value,
  },
  { requiredKeys: [] },
);
/** Big bodies are described, not spelt out, so that a counterexample stays readable. */
type Payload = string | Buffer | { big: "nested" | "over-limit" };
const body: fc.Arbitrary<Payload> = fc.oneof(
  shaped.map((o) => JSON.stringify(o)),
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  text,
  fc.constantFrom({ big: "nested" as const }, { big: "over-limit" as const }),
);
function materialize(p: Payload): string | Buffer {
  if (typeof p === "string" || Buffer.isBuffer(p)) return p;
  return p.big === "nested" ? "{".repeat(10_000) : JSON.stringify({ name: "x".repeat(2_000_000) });
}
const contentType = fc.constantFrom(
  "application/json",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "",
);
const query = fc
  .dictionary(
    fc.oneof(
      fc.constantFrom(
        "q",
        "tags",
        "tag",
        "status",
        "sort",
        "order",
        "limit",
        "page",
        "offset",
        "from",
        "to",
        "service",
        "data",
        "create",
      ),
      text.map((s) => s.slice(0, 10)),
    ),
    text,
    { maxKeys: 5 },
  )
  .map((q) =>
    Object.entries(q)
      .map(([k, v]) => `${enc(k)}=${enc(v)}`)
      .join("&"),
  );

const ROUTES: [string, string][] = [
  ["POST", "/api/v1/monitors"],
  ["GET", "/api/v1/monitors"],
  ["GET", "/api/v1/monitors/:id"],
  ["PATCH", "/api/v1/monitors/:id"],
  ["DELETE", "/api/v1/monitors/:id"],
  ["POST", "/api/v1/monitors/:id/pause"],
  ["POST", "/api/v1/monitors/:id/resume"],
  ["POST", "/api/v1/monitors/:id/snooze"],
  ["DELETE", "/api/v1/monitors/:id/snooze"],
  ["GET", "/api/v1/monitors/:id/pings"],
  ["GET", "/api/v1/monitors/:id/flips"],
  ["GET", "/api/v1/monitors/:id/notifications"],
  ["GET", "/api/v1/channel-types"],
  ["GET", "/api/v1/channels"],
  ["POST", "/api/v1/channels"],
  ["GET", "/api/v1/channels/:id"],
  ["PATCH", "/api/v1/channels/:id"],
  ["DELETE", "/api/v1/channels/:id"],
  ["POST", "/api/v1/channels/:id/test"],
  ["GET", "/api/v1/hosts"],
  ["POST", "/api/v1/hosts"],
  ["GET", "/api/v1/hosts/:id"],
  ["PATCH", "/api/v1/hosts/:id"],
  ["DELETE", "/api/v1/hosts/:id"],
  ["POST", "/api/v1/hosts/:id/check"],
  ["GET", "/api/v1/hosts/:id/metrics"],
  ["GET", "/api/v1/users"],
  ["POST", "/api/v1/users"],
  ["PATCH", "/api/v1/users/:id"],
  ["DELETE", "/api/v1/users/:id"],
  ["GET", "/api/v1/schedule/preview"],
  ["POST", "/api/v1/schedule/preview"],
  ["POST", "/api/v1/session"],
  ["GET", "/api/v1/session"],
  ["DELETE", "/api/v1/session"],
  ["PATCH", "/api/v1/session"],
  ["PUT", "/api/v1/monitors"],
  ["OPTIONS", "/api/v1/monitors"],
  ["GET", "/api/v1/monitors/:id/badge"],
  ["POST", "/api/v1/monitors/:id/badge"],
  ["GET", "/api/v1/tags/:id/badge"],
  ["POST", "/api/v1/tags/:id/badge"],
  ["GET", "/badge/:id"],
  ["GET", "/badge/:id.svg"],
  ["GET", "/badge/:id.json"],
  ["GET", "/api/openapi.json"],
  ["GET", "/api/docs"],
  ["GET", "/api/v1/maintenance"],
  ["POST", "/api/v1/maintenance"],
  ["GET", "/api/v1/maintenance/:id"],
  ["PATCH", "/api/v1/maintenance/:id"],
  ["DELETE", "/api/v1/maintenance/:id"],
];

before(async () => {
  // This suite sends wrong passwords for root on purpose, more than a lockout allows; the
  // limits themselves are tested in signin-limits.test.ts.
  server = await startServer("fuzz", { LOG_LEVEL: "warn", ...NO_LOCKOUT }, { admin });
  ({ proc, api: a } = server);
  dbFile = path.join(server.dir, "hb.sqlite");
  port = Number(new URL(server.base).port);
  const m = (
    await a.call("POST", "/api/v1/monitors", {
      name: "target",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
      tags: ["fuzz"],
    })
  ).body;
  monitorId = m.id;
  code = m.code;
  channelId = (
    await a.call("POST", "/api/v1/channels", {
      name: "hook",
      type: "webhook",
      config: { url: "https://example.org/hook", secret: "whsec-fuzz-0123456789" },
    })
  ).body.id;
  assert.ok(channelId, "the channel of the fuzz tests was made");
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: "viewer", password: "viewer password 1", role: "viewer" }))
      .status,
    201,
  );
});

after(() => server?.stop());

function assertAlive(): void {
  assert.equal(proc.child.exitCode, null, `the process died:\n${proc.output.join("").slice(-3000)}`);
}

/** The requests so far, newest last, to say what came before a failure. */
const recent: string[] = [];

/** One request; 5xx fails; a rejected change must leave the state as it was. */
async function probe(
  method: string,
  target: string,
  headers: Record<string, string>,
  payload?: Payload,
): Promise<void> {
  const changes = method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
  const before = changes ? stateDigest() : new Map();
  const raw = payload === undefined ? undefined : materialize(payload);
  const res = await send(method, target, headers, raw);
  recent.push(`${method} ${target.slice(0, 80)} → ${typeof res === "object" && res ? res.status : res}`);
  if (recent.length > 5) recent.shift();
  assertAlive();
  if (!res) return;
  if (res === "reset") {
    const tooBig = (raw?.length ?? 0) > 1_048_576 || JSON.stringify(headers).length > 16_000 || target.length > 16_000;
    assert.ok(tooBig, `${method} ${target.slice(0, 200)}: connection reset on a request of ordinary size`);
    if (changes)
      assert.equal(
        changed(before, stateDigest()),
        "",
        `${method} ${target.slice(0, 200)} (reset) changed the stored state (before it: ${recent.slice(0, -1).join("; ")})`,
      );
    return;
  }
  assert.ok(res.status < 500, `${method} ${target.slice(0, 200)} → ${res.status} ${res.body}`);
  if (changes && res.status >= 400)
    assert.equal(
      changed(before, stateDigest()),
      "",
      `${method} ${target.slice(0, 200)} → ${res.status} changed the stored state (before it: ${recent.slice(0, -1).join("; ")})`,
    );
}

test("every API route: no 5xx, no crash, rejected changes change nothing", async () => {
  const auth = fc.oneof(
    fc.constant(basic(...admin)),
    fc.constant(basic("viewer", "viewer password 1")),
    fc.constant(basic(admin[0], "wrong")),
    text.map((s) => `Basic ${Buffer.from(s).toString("base64")}`),
    text.map((s) => s.replace(/[^\x20-\x7e]/g, "")),
    fc.constant(""),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...ROUTES),
      fc.oneof(pathSegment, fc.constant(String(monitorId)), fc.constant(String(channelId)), fc.constant("viewer")),
      query,
      body,
      contentType,
      auth,
      async ([method, route], id, q, payload, type, authorization) => {
        const target = route.replace(":id", id) + (q ? `?${q}` : "");
        const headers: Record<string, string> = {};
        if (authorization) headers.authorization = authorization;
        if (type) headers["content-type"] = type;
        await probe(method, target, headers, method === "GET" || method === "HEAD" ? undefined : payload);
      },
    ),
    { numRuns: RUNS * 4 },
  );
});

test("ping endpoints, new and original: no 5xx, no crash, whatever the code, signal, data or body", async () => {
  const auth = { authorization: basic(...admin) };
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("GET", "POST", "HEAD", "PUT", "DELETE"),
      fc.oneof(fc.constant(code), pathSegment),
      fc.oneof(
        fc.constant(""),
        fc.constantFrom("start", "fail", "log", "0", "1", "255", "256", "-1", "999999999999"),
        pathSegment,
      ),
      fc.oneof(
        query,
        text.map((t) => `service=${enc(code)}&data=${t}`),
        fc.constant(`service=${code}&data=${"%".repeat(3000)}`),
        fc.constant(`service=${code}&data=${"x".repeat(200_000)}`),
      ),
      body,
      contentType,
      async (method, c, signal, q, payload, type) => {
        const headers: Record<string, string> = { ...auth, "user-agent": "fuzz".repeat(500) };
        if (type) headers["content-type"] = type;
        const withBody = method === "POST" || method === "PUT" ? payload : undefined;
        await probe(method, `/ping/${c}${signal ? `/${signal}` : ""}${q ? `?${q}` : ""}`, headers, withBody);
        await probe(method, `/api/pings/?${q}`, headers, withBody);
      },
    ),
    { numRuns: RUNS * 2 },
  );
});

test("headers: oversized, repeated and garbage headers are refused cleanly", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("/api/v1/monitors", `/ping/${code}`, "/healthz", "/"),
      fc.dictionary(
        fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
        text.map((s) => s.replace(/[^\x20-\x7e]/g, "")),
        { maxKeys: 20 },
      ),
      async (target, extra) => {
        await probe("GET", target, { ...extra, authorization: basic(...admin) });
      },
    ),
    { numRuns: RUNS },
  );
  // Far beyond Node's 16 KiB header limit: 431, and the server lives on.
  const res = await send("GET", "/api/v1/monitors", { authorization: basic(...admin), "x-big": "a".repeat(64 * 1024) });
  assert.ok(res === "reset" || res?.status === 431, JSON.stringify(res));
  assertAlive();
});

/**
 * Values no field takes as they are, or takes only in some places: objects whose toString or
 * valueOf is data (they cannot be turned into text or numbers), empty and huge values, numbers
 * out of any range, text that only looks like a number, and lists nested in lists.
 */
const WRONG: unknown[] = [
  null,
  {},
  [],
  { toString: 1 },
  { valueOf: null, toString: null },
  [{ valueOf: null, toString: null }],
  [[{ toString: 1 }]],
  { valueOf: 1 },
  "",
  " ",
  "x".repeat(100_000),
  -1,
  0,
  1.5,
  1e308,
  -1e308,
  true,
  "NaN",
  "1",
  [[[]]],
  [null],
  [1, [2, [3]]],
  { "": { "": [] } },
];

/** The write routes of the API that take a JSON body, with its fields, from the OpenAPI document the server serves. */
async function writeRoutes(): Promise<Map<string, string[]>> {
  const doc = (await a.call("GET", "/api/openapi.json")).body as {
    paths: Record<
      string,
      Record<string, { requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
    >;
  };
  const routes = new Map<string, string[]>();
  for (const [p, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const props = op.requestBody?.content?.["application/json"]?.schema?.properties;
      if (["post", "patch", "put"].includes(method) && props && Object.keys(props).length)
        routes.set(`${method.toUpperCase()} ${p}`, Object.keys(props));
    }
  }
  return routes;
}

test("every write route, one field at a time given a wrong value: never a 5xx, a 4xx names the field, a refusal changes nothing", async (t) => {
  const started = Date.now();
  let n = 0;
  const fresh = (s: string) => `${s} ${++n}`;
  // Targets of the sweep's own: the tests before it may have deleted theirs, and what it changes touches no other test.
  const own = async (route: string, body: object) => {
    const res = await a.call("POST", route, body);
    assert.equal(res.status, 201, `${route}: ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  // Two users: the sweep changes the first one's password, and logs in as the second.
  for (const username of ["sweeper", "sweep-login"])
    await own("/api/v1/users", { username, password: "sweeper password 1", role: "viewer" });
  const ownChannel = await own("/api/v1/channels", {
    name: "sweep hook",
    type: "webhook",
    config: { url: "https://example.org/sweep", secret: "whsec-sweep-0123456789" },
  });
  const ownMonitor = await own("/api/v1/monitors", {
    name: "swept",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
    channels: [ownChannel],
  });
  // The parent of the sweep's monitors (dependsOn): the monitor the sweep changes cannot be its own.
  const ownParent = await own("/api/v1/monitors", {
    name: "swept parent",
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 3600 },
  });
  const once = { kind: "once", startsAt: "2030-01-01T00:00:00Z", endsAt: "2030-01-02T00:00:00Z" };
  const windowId = await own("/api/v1/maintenance", { name: "sweep", rule: once, monitorIds: [ownMonitor] });

  // Second factors. One-shot answers (a challenge's token, a TOTP step, a recovery code, a passkey
  // ceremony) are made fresh for each request by FRESH below, except the field being swept.
  // sweep-2fa enrols through /account; sweep-otp has an app and a passkey, and signs in with them.
  const base = `http://127.0.0.1:${port}`;
  const PASSWORD = "sweeper password 1";
  const jsonCall = async (method: string, url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, cookie: res.headers.get("set-cookie") };
  };
  const signIn = async (username: string) => {
    const r = await jsonCall("POST", "/api/v1/session", { username, password: PASSWORD });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { cookie: r.cookie!.split(";")[0]!, "x-csrf-token": r.body.csrfToken as string };
  };
  for (const username of ["sweep-2fa", "sweep-otp"])
    await own("/api/v1/users", { username, password: PASSWORD, role: "viewer" });
  // The settings are swept by an admin with a factor: requiring one of admins holds root (who has
  // none) until the sweep turns it off again after each request.
  await own("/api/v1/users", { username: "sweep-admin", password: PASSWORD, role: "admin" });
  const settingsAdmin = await signIn("sweep-admin");
  const adminApp = await jsonCall("POST", "/api/v1/account/factors/totp", { password: PASSWORD }, settingsAdmin);
  assert.equal(
    (
      await jsonCall(
        "POST",
        "/api/v1/account/factors/totp/confirm",
        { code: hotp(base32Decode(adminApp.body.secret)!, totpStep(Date.now())) },
        settingsAdmin,
      )
    ).status,
    200,
  );
  const AFTER: Record<string, () => Promise<void>> = {
    "PATCH /api/v1/settings": async () => {
      const r = await jsonCall("PATCH", "/api/v1/settings", { requireAdminSecondFactor: false }, settingsAdmin);
      assert.equal(r.status, 200, JSON.stringify(r.body));
    },
  };
  const enroller = await signIn("sweep-2fa");
  const otpSession = await signIn("sweep-otp");
  const otpApp = await jsonCall("POST", "/api/v1/account/factors/totp", { password: PASSWORD }, otpSession);
  const otpSecret = base32Decode(otpApp.body.secret)!;
  let otpStep = totpStep(Date.now());
  const otpConfirmed = await jsonCall(
    "POST",
    "/api/v1/account/factors/totp/confirm",
    { code: hotp(otpSecret, otpStep) },
    otpSession,
  );
  assert.equal(otpConfirmed.status, 200, JSON.stringify(otpConfirmed.body));
  const otpRecovery: string[] = otpConfirmed.body.recoveryCodes;
  const otpKey = new SoftPasskey("127.0.0.1", base);
  const otpKeyOptions = await jsonCall(
    "POST",
    "/api/v1/account/factors/passkey/options",
    { password: PASSWORD },
    otpSession,
  );
  assert.equal(
    (
      await jsonCall(
        "POST",
        "/api/v1/account/factors/passkey",
        { token: otpKeyOptions.body.token, response: otpKey.register(otpKeyOptions.body.options) },
        otpSession,
      )
    ).status,
    200,
  );
  /** A TOTP code of a step not taken yet (now or the next), waiting for the clock when both are. */
  const nextOtp = async () => {
    for (;;) {
      const now = totpStep(Date.now());
      if (Math.max(now, otpStep + 1) <= now + 1) return hotp(otpSecret, (otpStep = Math.max(now, otpStep + 1)));
      await new Promise((r) => setTimeout(r, 1000));
    }
  };
  /** The password step of sweep-otp: a fresh challenge. */
  const challenge = async () =>
    (await jsonCall("POST", "/api/v1/session", { username: "sweep-otp", password: PASSWORD })).body.secondFactor;
  // A challenge takes 5 wrong answers: a new one (a password step, one scrypt hash) every 4 requests.
  let current: { token: string; passkey: { challenge: string } } | null = null;
  let uses = 0;
  const FRESH: Record<string, (body: Record<string, unknown>, swept: string | null) => Promise<void>> = {
    "POST /api/v1/session/second-factor": async (body, swept) => {
      if (!current || uses >= 4 || swept === null) {
        current = await challenge();
        uses = 0;
      }
      uses++;
      const c = current!;
      if (swept !== "token") body.token = c.token;
      if (swept === null) {
        // The valid answer, which spends the challenge.
        if ("code" in body) body.code = await nextOtp();
        if ("recoveryCode" in body) body.recoveryCode = otpRecovery.shift();
        if ("passkey" in body) body.passkey = otpKey.authenticate(c.passkey);
        current = null;
        return;
      }
      // Another field swept: the answer is well formed, and refused (or never reached).
      if ("code" in body && swept !== "code") body.code = "000000";
      if ("recoveryCode" in body && swept !== "recoveryCode") body.recoveryCode = "aaaaa-aaaaa";
      if ("passkey" in body && swept !== "passkey") body.passkey = otpKey.authenticate(c.passkey);
    },
    "POST /api/v1/account/factors/totp/confirm": async (body, swept) => {
      if (swept === "code") return;
      const started = await jsonCall("POST", "/api/v1/account/factors/totp", { password: PASSWORD }, enroller);
      body.code = hotp(base32Decode(started.body.secret)!, totpStep(Date.now()));
    },
    "POST /api/v1/account/factors/passkey": async (body, swept) => {
      // A swept token is refused before the answer is looked at.
      if (swept === "token") return;
      const o = await jsonCall("POST", "/api/v1/account/factors/passkey/options", { password: PASSWORD }, enroller);
      body.token = o.body.token;
      if (swept !== "response") body.response = new SoftPasskey("127.0.0.1", base).register(o.body.options);
    },
  };

  const cron = {
    kind: "cron",
    expression: "5 4 * * *",
    dialect: "cron",
    timezone: "Europe/Berlin",
    graceSeconds: 600,
    deadline: "grace",
  };
  const interval = { kind: "interval", periodSeconds: 3600, graceSeconds: 60 };
  const limits = {
    maxRunSeconds: 600,
    slowFactor: 2,
    slowWindow: 20,
    failureThreshold: 2,
    recoveryThreshold: 1,
    failureRate: { failures: 3, runs: 5 },
    minRunSeconds: 5,
    minGapSeconds: 60,
    reportUnexpectedRuns: true,
  };
  const monitor = (schedule: object) => ({
    name: fresh("sweep"),
    description: "swept",
    schedule,
    tags: ["sweep"],
    channels: [ownChannel],
    repeatEverySeconds: 3600,
    ...limits,
    dependsOn: [ownParent],
  });
  const channel = () => ({
    name: fresh("hook"),
    config: { url: "https://example.org/sweep", secret: "whsec-sweep-0123456789" },
    events: ["down", "up"],
    isDefault: false,
    enabled: true,
    locale: "en",
  });
  const host = (key: object) => ({
    name: fresh("box"),
    address: "127.0.0.1",
    port: 1,
    username: "probe",
    ...key,
    passphrase: "pass",
    hostKeyFingerprint: `SHA256:${"A".repeat(43)}`,
    trustOnFirstUse: false,
    intervalSeconds: 86_400,
    graceSeconds: 60,
    checks: ["cpu > 90", "disk:/ > 95"],
    enabled: false,
  });
  const pem = { privateKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n" };
  const keyPath = { keyPath: "/nowhere/id_ed25519" };
  const maintenance = (rule: object) => ({ name: fresh("window"), rule, monitorIds: [ownMonitor], tags: ["sweep"] });
  const recurring = { kind: "recurring", expression: "0 3 * * *", durationSeconds: 3600, timezone: "Europe/Berlin" };
  /** Valid bodies of each route (a fresh one per request, names being unique where they must be). */
  const VALID: Record<string, () => Record<string, unknown>[]> = {
    "POST /api/v1/monitors": () => [monitor(interval)],
    "PATCH /api/v1/monitors/{id}": () => [monitor(cron)],
    "POST /api/v1/monitors/{id}/snooze": () => [{ seconds: 3600 }],
    "POST /api/v1/channels": () => [{ ...channel(), type: "webhook" }],
    "PATCH /api/v1/channels/{id}": () => [channel()],
    "POST /api/v1/hosts": () => [host(pem), host(keyPath)],
    "PATCH /api/v1/hosts/{id}": () => [host({ ...pem, ...keyPath })],
    "POST /api/v1/users": () => [
      { username: fresh("user").replace(" ", "-"), password: "a long password", role: "viewer" },
    ],
    "PATCH /api/v1/users/{username}": () => [
      { password: "sweeper password 1", role: "viewer", email: "sweeper@example.org", weeklyReport: false },
    ],
    "POST /api/v1/keys": () => [{ name: fresh("key"), scope: "read" }],
    "POST /api/v1/maintenance": () => [maintenance(once)],
    "PATCH /api/v1/maintenance/{id}": () => [maintenance(recurring)],
    "POST /api/v1/schedule/preview": () => [
      { ...cron, from: "2026-03-29T00:00:00Z", count: 5 },
      { ...interval, from: 0, count: 3 },
      { kind: "oncalendar", expressions: ["*-*-* 04:05:00"], timezone: "UTC", graceSeconds: 60, count: 3 },
    ],
    "POST /api/v1/session": () => [{ username: "sweep-login", password: "sweeper password 1" }],
    "PATCH /api/v1/session": () => [{ locale: "en", theme: "dark" }],
    // The one-shot fields are filled by FRESH before each request.
    "POST /api/v1/session/second-factor": () => [
      { username: "sweep-otp", token: "", code: "" },
      { username: "sweep-otp", token: "", recoveryCode: "" },
      { username: "sweep-otp", token: "", passkey: {} },
    ],
    "POST /api/v1/account/factors/totp": () => [{ password: PASSWORD, name: fresh("app") }],
    "POST /api/v1/account/factors/totp/confirm": () => [{ code: "" }],
    "POST /api/v1/account/factors/passkey/options": () => [{ password: PASSWORD }],
    "POST /api/v1/account/factors/passkey": () => [{ token: "", name: fresh("key"), response: {} }],
    "POST /api/v1/account/recovery-codes": () => [{ password: PASSWORD }],
    "PATCH /api/v1/settings": () => [{ requireAdminSecondFactor: false }],
  };
  const routes = await writeRoutes();
  assert.deepEqual(
    [...routes.keys()].filter((r) => !VALID[r]),
    [],
    "write routes of the API document with no valid body in this sweep: add one",
  );
  assert.deepEqual(
    Object.keys(VALID).filter((r) => !routes.has(r)),
    [],
    "routes of this sweep that the API document does not have",
  );
  const unswept = [...routes].flatMap(([r, fields]) =>
    fields.filter((f) => !VALID[r]!().some((b) => f in b)).map((f) => `${r} ${f}`),
  );
  assert.deepEqual(unswept, [], "fields of the API document in no valid body of this sweep: add them");

  // The session routes: logging in needs no credentials; a change with the cookie needs its CSRF token.
  const login = await fetch(`http://127.0.0.1:${port}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(VALID["POST /api/v1/session"]!()[0]),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  const headersOf = (route: string): Record<string, string> =>
    route === "POST /api/v1/session" || route === "POST /api/v1/session/second-factor"
      ? {}
      : route === "PATCH /api/v1/session"
        ? { cookie, "x-csrf-token": csrfToken }
        : route.includes("/api/v1/account/")
          ? enroller
          : route === "PATCH /api/v1/settings"
            ? settingsAdmin
            : { authorization: basic(...admin) };
  const hostId = await own("/api/v1/hosts", host(keyPath));
  const target = (route: string) =>
    route
      .split(" ")[1]!
      .replace("{username}", "sweeper")
      .replace(
        "{id}",
        String(
          route.includes("/channels/")
            ? ownChannel
            : route.includes("/hosts/")
              ? hostId
              : route.includes("/maintenance/")
                ? windowId
                : ownMonitor,
        ),
      );

  async function request(route: string, body: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`http://127.0.0.1:${port}${target(route)}`, {
      method: route.split(" ")[0],
      headers: { ...headersOf(route), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: asserted below */
    }
    return { status: res.status, body: parsed };
  }

  /** The error names the field: as its field, one of its details' fields, or in its message. */
  const names = (body: any, field: string) => {
    const e = body?.error;
    const fields: unknown[] = [
      e?.field,
      ...(Array.isArray(e?.details) ? e.details.map((d: { field?: unknown }) => d.field) : []),
    ];
    return (
      fields.some(
        (f) => typeof f === "string" && (f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`)),
      ) ||
      (typeof e?.message === "string" && e.message.includes(field.split(".").pop()!))
    );
  };

  const failures: string[] = [];
  let state: ReturnType<typeof stateDigest>;
  let requests = 0;
  let status5xx = 0;
  for (const route of routes.keys()) {
    for (const valid of VALID[route]!()) {
      await FRESH[route]?.(valid, null);
      const ok = await request(route, valid);
      await AFTER[route]?.();
      requests++;
      state = stateDigest();
      if (ok.status >= 300)
        failures.push(
          `${route} with its valid body ${JSON.stringify(valid).slice(0, 200)} → ${ok.status} ${JSON.stringify(ok.body).slice(0, 300)}`,
        );
      // Each top-level field, and each field of an object given at the top level (schedule, rule, config).
      const fields = Object.entries(valid).flatMap(([k, v]) => [
        [k],
        ...(v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v).map((kk) => [k, kk]) : []),
      ]);
      for (const at of fields) {
        for (const wrong of WRONG) {
          const mutated = structuredClone(valid);
          // a fresh name where names are unique: a refusal must be about the field swept, not a name taken
          if (typeof mutated.name === "string" && !route.startsWith("PATCH")) mutated.name = fresh("swept");
          if (route === "POST /api/v1/users") mutated.username = fresh("user").replace(" ", "-");
          const field = at.join(".");
          await FRESH[route]?.(mutated, field);
          if (at.length === 1) mutated[at[0]!] = wrong;
          else (mutated[at[0]!] as Record<string, unknown>)[at[1]!] = wrong;
          const res = await request(route, mutated);
          await AFTER[route]?.();
          requests++;
          assertAlive();
          // What this request found is what the one before it left.
          const before = state;
          state = stateDigest();
          const what = `${route} ${field} = ${JSON.stringify(wrong).slice(0, 60)} → ${res.status}`;
          if (res.status >= 500) {
            status5xx++;
            failures.push(`${what} ${JSON.stringify(res.body).slice(0, 200)}`);
            continue;
          }
          if (res.status < 400) continue;
          // A body over the limit is refused whole, unread; wrong credentials say nothing about which of the two was wrong.
          const unnamed = res.status === 413 || (route === "POST /api/v1/session" && res.status === 401);
          if (!unnamed && !names(res.body, field))
            failures.push(`${what} does not name ${field}: ${JSON.stringify(res.body).slice(0, 300)}`);
          const diff = changed(before, state);
          if (diff) failures.push(`${what} changed the stored state: ${diff}`);
        }
      }
    }
  }
  t.diagnostic(
    `sweep: ${requests} requests over ${routes.size} write routes, ${status5xx} answered 5xx, ${failures.length} failures, ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (process.env.FUZZ_FAILURES_FILE) fs.writeFileSync(process.env.FUZZ_FAILURES_FILE, failures.join("\n"));
  assert.deepEqual(
    failures.slice(0, 40),
    [],
    `${failures.length} failures (${status5xx} of them 5xx) in ${requests} requests`,
  );
});
