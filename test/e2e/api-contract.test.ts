// The OpenAPI document tells the truth: a real server is driven through every JSON operation
// (monitors of each schedule kind, pings, history, badges, preview, channels, hosts, users, keys,
// maintenance windows, the session) and each success answer is validated, with ajv, against the
// response schema of its operation in the served /api/openapi.json. The schemas are closed
// (additionalProperties: false, required lists), so a field the server adds, drops or retypes
// fails here. And the document built offline (bin/openapi-document.ts, the dashboard's types)
// is the served one.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "../support/system.ts";
import { basic } from "../support/api.ts";
import { SoftPasskey } from "../support/webauthn.ts";
import { base32Decode, hotp, totpStep } from "../../core/security/totp.ts";
import { offlineOpenApi } from "../../bin/openapi-document.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let proc: Proc;
let dir: string;
let base: string;
let env: Record<string, string>;
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat("date-time", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
/** operationId → how many answers were checked */
const checked = new Map<string, number>();

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-contract-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    ALLOW_PRIVATE_WEBHOOKS: "true",
    NOTIFIER_POLL_MS: "200",
  };
  proc = startProcess("api-contract", env);
  await waitReady(`${base}/readyz`, [proc]);
  doc = await (await fetch(`${base}/api/openapi.json`)).json();
  ajv.addSchema(doc, "openapi.json");
});

after(async () => {
  if (proc) await stopProcess(proc);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const pointer = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1");

/** The operation a concrete request is: its path template and method. */
function operationOf(method: string, url: string): { template: string; op: any } {
  const p = url.split("?")[0]!;
  for (const [template, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    const re = new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);
    if (re.test(p) && ops[method.toLowerCase()]) return { template, op: ops[method.toLowerCase()] };
  }
  throw new Error(`no operation for ${method} ${p}`);
}

interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** Calls the server and checks a success answer against its operation's response schema. */
async function call(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = { authorization: basic(...admin) },
): Promise<Answer> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const res = await fetch(base + url, init);
  const text = await res.text();
  const parsed = text && /json/.test(res.headers.get("content-type") ?? "") ? JSON.parse(text) : text;
  const { template, op } = operationOf(method, url);
  const [status] = Object.keys(op.responses).filter((s) => /^2/.test(s));
  assert.equal(String(res.status), status, `${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  if (op.responses[status!].content?.["application/json"]) {
    const ref = `openapi.json#/paths/${pointer(template)}/${method.toLowerCase()}/responses/${status}/content/${pointer("application/json")}/schema`;
    const validate = ajv.getSchema(ref) ?? (ajv.addSchema({ $ref: ref }, ref), ajv.getSchema(ref)!);
    assert.ok(
      validate(parsed),
      `${op.operationId} (${method} ${url}) answered ${JSON.stringify(parsed).slice(0, 600)}\n${JSON.stringify(validate.errors, null, 1)}`,
    );
    checked.set(op.operationId, (checked.get(op.operationId) ?? 0) + 1);
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

test("every JSON answer of a full scenario matches its operation's response schema", { timeout: 120_000 }, async () => {
  await call("GET", "/healthz");
  await call("GET", "/readyz");
  await call("GET", "/api/openapi.json");

  // Channels: a webhook to a closed local port, so its test and its deliveries fail (and say so).
  await call("GET", "/api/v1/channel-types");
  const hook = (
    await call("POST", "/api/v1/channels", {
      name: "hook",
      type: "webhook",
      config: { url: `http://127.0.0.1:${await freePort()}/hook` },
    })
  ).body;
  await call("GET", "/api/v1/channels");
  await call("GET", `/api/v1/channels/${hook.id}`);
  await call("PATCH", `/api/v1/channels/${hook.id}`, { name: "hook 2", locale: "zh-Hans" });
  const tested = (await call("POST", `/api/v1/channels/${hook.id}/test`)).body;
  assert.equal(tested.ok, false);

  // Monitors of each schedule kind.
  const interval = (
    await call("POST", "/api/v1/monitors", {
      name: "backup",
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 300 },
      tags: ["nightly"],
      channels: [hook.id],
    })
  ).body;
  const cron = (
    await call("POST", "/api/v1/monitors", {
      name: "k8s job",
      schedule: { kind: "cron", expression: "30 2 * * *", timezone: "Europe/Berlin", dialect: "kubernetes" },
    })
  ).body;
  assert.equal(cron.schedule.dialect, "kubernetes");
  const timer = (
    await call("POST", "/api/v1/monitors", {
      name: "timer",
      schedule: { kind: "oncalendar", expressions: ["Mon..Fri 09:00"], deadline: "end-of-day" },
      maxRunSeconds: 60,
      slowFactor: 2,
    })
  ).body;
  await call("PATCH", `/api/v1/monitors/${timer.id}`, {
    description: null,
    repeatEverySeconds: 600,
    schedule: { kind: "cron", expression: "0 * * * *" },
  });

  // Pings: the URLs answer text; the original tool's URL answers JSON.
  await call("POST", `/ping/${interval.code}/start`);
  await call("POST", `/ping/${interval.code}`, "done");
  await call("GET", `/ping/${interval.code}/fail`);
  await call("HEAD", `/ping/${cron.code}`);
  await call("GET", `/api/pings?service=${cron.code}`);
  await call("POST", `/api/pings?service=${cron.code}&data=disk%20full`);

  await call("GET", "/api/v1/monitors");
  await call("GET", "/api/v1/monitors?status=down&sort=lastPingAt&order=desc&tags=nightly");
  await call("GET", `/api/v1/monitors/${interval.id}`);
  await call("GET", `/api/v1/monitors/${interval.id}/pings`);
  await call("GET", `/api/v1/monitors/${interval.id}/flips`);
  // The failure's alert is attempted (and fails) soon after.
  for (let i = 0; i < 100; i++) {
    const n = await call("GET", `/api/v1/monitors/${interval.id}/notifications`);
    if (n.body.items.some((d: { attempts: number }) => d.attempts > 0)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // The same failed delivery, in the channel's log and as the channel's last delivery.
  assert.equal((await call("GET", `/api/v1/channels/${hook.id}/deliveries?limit=5`)).body.total, 1);
  assert.equal((await call("GET", `/api/v1/channels/${hook.id}`)).body.lastDelivery.event, "failure");
  await call("POST", `/api/v1/monitors/${cron.id}/pause`);
  await call("POST", `/api/v1/monitors/${cron.id}/resume`);
  await call("POST", `/api/v1/monitors/${cron.id}/snooze`, { seconds: 3600 });
  await call("DELETE", `/api/v1/monitors/${cron.id}/snooze`);

  // Badges: made on request, listed on the monitor, replaced on POST; the badge itself is public SVG or JSON.
  const badge = (await call("GET", `/api/v1/monitors/${interval.id}/badge`)).body;
  assert.equal((await call("GET", `/api/v1/monitors/${interval.id}`)).body.badgeUrl, badge.svg);
  await call("POST", `/api/v1/monitors/${interval.id}/badge`);
  await call("GET", "/api/v1/tags/nightly/badge");
  const tagBadge = (await call("POST", "/api/v1/tags/nightly/badge")).body;
  await call("GET", tagBadge.svg, undefined, {});

  // The schedule preview, across a DST night (a clock-change note) and from a body.
  const dst = (
    await call(
      "GET",
      "/api/v1/schedule/preview?kind=cron&expression=30%202%20*%20*%20*&timezone=Europe/Berlin&from=2026-03-27T00:00:00Z&count=3",
    )
  ).body;
  assert.ok(
    dst.runs.some((r: { clockChange?: unknown }) => r.clockChange),
    "a run with a clock change",
  );
  await call("POST", "/api/v1/schedule/preview", {
    kind: "oncalendar",
    expressions: ["*-*-* 02:30"],
    timezone: "America/New_York",
    from: 1_773_000_000_000,
  });
  await call("POST", "/api/v1/schedule/preview", { kind: "interval", periodSeconds: 60, graceSeconds: 10, count: 2 });

  // Hosts: one with a key file that is not there polls at once, and fails.
  const host = (
    await call("POST", "/api/v1/hosts", {
      name: "db1",
      address: "127.0.0.1",
      port: await freePort(),
      username: "hb",
      keyPath: "/nonexistent/id_ed25519",
      checks: ["cpu < 90"],
    })
  ).body;
  await call("GET", "/api/v1/hosts");
  await call("PATCH", `/api/v1/hosts/${host.id}`, { intervalSeconds: 600 });
  const polled = (await call("POST", `/api/v1/hosts/${host.id}/check`)).body;
  assert.equal(polled.ok, false);
  assert.ok((await call("GET", `/api/v1/hosts/${host.id}`)).body.lastResult);
  assert.ok((await call("GET", `/api/v1/hosts/${host.id}/metrics`)).body.items.length >= 1, "the polls left samples");

  // Maintenance windows: one-off (epoch ms in, ISO out) and recurring.
  const now = Date.now();
  const once = (
    await call("POST", "/api/v1/maintenance", {
      name: "upgrade",
      rule: { kind: "once", startsAt: now - 60_000, endsAt: now + 3_600_000 },
      monitorIds: [interval.id],
    })
  ).body;
  const weekly = (
    await call("POST", "/api/v1/maintenance", {
      name: "sundays",
      rule: { kind: "recurring", expression: "0 3 * * 0", durationSeconds: 3600 },
      tags: ["nightly"],
    })
  ).body;
  await call("GET", "/api/v1/maintenance");
  await call("GET", `/api/v1/maintenance/${once.id}`);
  await call("PATCH", `/api/v1/maintenance/${weekly.id}`, {
    rule: { kind: "recurring", expression: "0 4 * * 0", durationSeconds: 1800, timezone: "Asia/Tokyo" },
  });
  assert.deepEqual((await call("GET", `/api/v1/monitors/${interval.id}`)).body.maintenance, [once.id]);

  // Users and API keys.
  await call("POST", "/api/v1/users", { username: "ann", password: "a long password", role: "viewer" });
  await call("PATCH", "/api/v1/users/ann", { email: "ann@example.com", weeklyReport: true, role: "admin" });
  await call("GET", "/api/v1/users");
  const key = (await call("POST", "/api/v1/keys", { name: "ci", scope: "read" })).body;
  await call("GET", "/api/v1/monitors?limit=1", undefined, { authorization: `Bearer ${key.key}` });
  await call("GET", "/api/v1/keys");
  await call("DELETE", `/api/v1/keys/${key.id}`);

  // The dashboard's session: login, who, language, logout.
  const login = await call("POST", "/api/v1/session", { username: "ann", password: "a long password" }, {});
  const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
  await call("GET", "/api/v1/session", undefined, { cookie });
  await call("PATCH", "/api/v1/session", { locale: "zh-Hans" }, { cookie, "x-csrf-token": login.body.csrfToken });
  await call("DELETE", "/api/v1/session", undefined, { cookie });

  // Second factors: ann (an admin now) adds an authenticator app and a passkey (a software one),
  // gets new recovery codes, signs in with the passkey and removes the app; the settings and the
  // audit log are read.
  const password = "a long password";
  const again = await call("POST", "/api/v1/session", { username: "ann", password }, {});
  const ann = { cookie: again.headers.get("set-cookie")!.split(";")[0]!, "x-csrf-token": again.body.csrfToken };
  const app = (await call("POST", "/api/v1/account/factors/totp", { password, name: "phone" }, ann)).body;
  const code = hotp(base32Decode(app.secret)!, totpStep(Date.now()));
  await call("POST", "/api/v1/account/factors/totp/confirm", { code }, ann);
  const passkeyRequest = (await call("POST", "/api/v1/account/factors/passkey/options", { password }, ann)).body;
  const softKey = new SoftPasskey(new URL(base).hostname, base);
  await call(
    "POST",
    "/api/v1/account/factors/passkey",
    { token: passkeyRequest.token, response: softKey.register(passkeyRequest.options), name: "soft key" },
    ann,
  );
  await call("POST", "/api/v1/account/recovery-codes", { password }, ann);
  const challenge = (await call("POST", "/api/v1/session", { username: "ann", password }, {})).body.secondFactor;
  const signedIn = await call(
    "POST",
    "/api/v1/session/second-factor",
    { username: "ann", token: challenge.token, passkey: softKey.authenticate(challenge.passkey) },
    {},
  );
  const withKey = {
    cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!,
    "x-csrf-token": signedIn.body.csrfToken,
  };
  const factors = (await call("GET", "/api/v1/account/factors", undefined, withKey)).body;
  assert.deepEqual(
    factors.factors.map((f: { kind: string }) => f.kind),
    ["totp", "passkey"],
  );
  await call("DELETE", `/api/v1/account/factors/${factors.factors[0].id}`, { password }, withKey);
  await call("GET", "/api/v1/settings");
  await call("PATCH", "/api/v1/settings", { requireAdminSecondFactor: false });
  await call("GET", "/api/v1/audit?limit=20&action=factor");

  // Deletions last.
  await call("DELETE", "/api/v1/users/ann");
  await call("DELETE", `/api/v1/maintenance/${weekly.id}`);
  await call("DELETE", `/api/v1/hosts/${host.id}`);
  await call("DELETE", `/api/v1/monitors/${timer.id}`);
  await call("DELETE", `/api/v1/channels/${hook.id}`);

  // Every operation that answers JSON was checked at least once.
  const json = Object.values<Record<string, any>>(doc.paths)
    .flatMap((ops) => Object.values<any>(ops))
    .filter((op) => Object.values<any>(op.responses).some((r) => r.content?.["application/json"]))
    .map((op) => op.operationId as string);
  assert.deepEqual(
    json.filter((id) => !checked.has(id)),
    [],
  );
  assert.ok(json.length >= 50, `${json.length} JSON operations`);
});

test("every operation has a unique camelCase operationId and, when it answers JSON, a success schema", () => {
  const ids: string[] = [];
  const empty: string[] = [];
  let operations = 0;
  for (const [p, ops] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      operations++;
      ids.push(op.operationId);
      assert.match(op.operationId, /^[a-z][a-zA-Z0-9]*$/, `${method} ${p}`);
      for (const [status, r] of Object.entries<any>(op.responses)) {
        if (!/^2/.test(status)) continue;
        const schema = r.content?.["application/json"]?.schema;
        if (schema && Object.keys(schema).length === 0) empty.push(`${method} ${p}`);
      }
    }
  }
  assert.equal(new Set(ids).size, ids.length, "operationIds are unique");
  assert.deepEqual(empty, []);
  assert.equal(operations, 79);
  // The main objects are closed: a field the server adds or drops fails the scenario above.
  for (const name of [
    "Monitor",
    "IntervalSchedule",
    "CronSchedule",
    "OnCalendarSchedule",
    "Ping",
    "Flip",
    "Notification",
    "Channel",
    "Host",
    "HostPollResult",
    "User",
    "Session",
    "ApiKey",
    "MaintenanceWindow",
    "SchedulePreview",
  ]) {
    const s = doc.components.schemas[name];
    assert.equal(s.additionalProperties, false, name);
    assert.ok(s.required.length > 0, name);
  }
  // Requests take the typed schedule and rule, not a bare object.
  const create = doc.paths["/api/v1/monitors"].post.requestBody.content["application/json"].schema;
  assert.deepEqual(create.properties.schedule, { $ref: "#/components/schemas/ScheduleInput" });
  const rule = doc.paths["/api/v1/maintenance"].post.requestBody.content["application/json"].schema.properties.rule;
  assert.deepEqual(rule, { $ref: "#/components/schemas/MaintenanceRuleInput" });
  assert.equal(doc.components.schemas.CronSchedule.properties.dialect.enum.join(), "cron,kubernetes");
});

test("the document built without a server (the dashboard's types come from it) is the served one", async () => {
  const offline = await offlineOpenApi(env);
  assert.deepEqual(JSON.parse(JSON.stringify(offline)), doc);
});
