// Alert holds beyond maintenance windows, end to end with short real schedules and real channels
// (a webhook to a node:http receiver and email to a real SMTP server): a child whose parent is
// down is not alerted, and is alerted once when the parent recovers while it is still down (a
// child that recovered meanwhile sends nothing); a snooze set by /ping/CODE/snooze/1m holds a down
// alert and releases it when it ends; the API's snooze and its end. Once embedded (SQLite, one
// process), once distributed (MariaDB + NATS, the notifier in its own process, ping auth on).

import { test, before, after, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startReceiver, type Receiver, type ReceivedRequest } from "../support/receiver.ts";
import { startSmtp, type TestSmtp, type ReceivedMail } from "../support/smtp.ts";
import {
  freePort,
  startProcess,
  stopProcess,
  waitReady,
  waitOutput,
  eventually,
  type Proc,
} from "../support/system.ts";
import { api, basic, type Api } from "../support/api.ts";
import { needs, scratchDatabase, NATS_URL } from "../support/services.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const skipDistributed = await needs(["mariadb", "nats"]);
let rx: Receiver;
let smtp: TestSmtp;

before(async () => {
  rx = await startReceiver();
  smtp = await startSmtp();
});

after(async () => {
  await rx?.close();
  await smtp?.close();
});

interface System {
  a: Api;
  /** the receiver path of this system's webhook channel */
  hook: string;
  channels: number[];
  /** a prefix of this system's monitor names, so that the two systems' emails stay apart */
  tag: string;
  /** headers for a ping (basic auth when PING_AUTH=basic) */
  pingHeaders: Record<string, string>;
}

const systemEnv = {
  ADMIN_USERNAME: admin[0],
  ADMIN_PASSWORD: admin[1],
  NOTIFIER_POLL_MS: "500",
  CHANNEL_TIMEOUT_MS: "2000",
  ALLOW_PRIVATE_WEBHOOKS: "true",
};

async function withChannels(base: string, tag: string, pingAuth: boolean): Promise<System> {
  const a = api(base, admin);
  const hook = `/hook-${tag}`;
  const webhook = await a.call("POST", "/api/v1/channels", {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}${hook}` },
  });
  assert.equal(webhook.status, 201, JSON.stringify(webhook.body));
  const mail = await a.call("POST", "/api/v1/channels", {
    name: "mail",
    type: "email",
    config: { host: "127.0.0.1", port: smtp.port, security: "none", from: "hb@test.local", to: ["ops@test.local"] },
  });
  assert.equal(mail.status, 201, JSON.stringify(mail.body));
  return {
    a,
    hook,
    channels: [webhook.body.id, mail.body.id],
    tag,
    pingHeaders: pingAuth ? { authorization: basic(...admin) } : {},
  };
}

describe("alert holds, embedded (SQLite)", { concurrency: true }, () => {
  let proc: Proc;
  let dir: string;
  let sys: System;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-holds-"));
    const port = await freePort();
    proc = startProcess("holds", {
      ...systemEnv,
      PING_AUTH: "none",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: `sqlite:${path.join(dir, "holds.sqlite")}`,
    });
    await waitReady(`http://127.0.0.1:${port}/readyz`, [proc]);
    sys = await withChannels(`http://127.0.0.1:${port}`, "emb", false);
  });
  after(async () => {
    if (proc) await stopProcess(proc);
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  holdTests(() => sys);
});

describe(
  "alert holds, distributed (MariaDB + NATS, the notifier apart)",
  { skip: skipDistributed, concurrency: true },
  () => {
    let front: Proc;
    let back: Proc;
    let drop: () => Promise<void>;
    let sys: System;
    before(async () => {
      const db = await scratchDatabase();
      drop = db.drop;
      const port = await freePort();
      const ns = randomBytes(3).toString("hex");
      const common = {
        ...systemEnv,
        PING_AUTH: "basic",
        DATABASE_URL: db.url,
        TRANSPORTER: NATS_URL,
        NAMESPACE: `hb-test-${ns}`,
      };
      front = startProcess("holds-front", {
        ...common,
        SERVICES: "gateway,registry,ingest,checker",
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ID: `holds-front-${ns}`,
      });
      back = startProcess("holds-back", { ...common, SERVICES: "notifier", NODE_ID: `holds-back-${ns}` });
      await waitReady(`http://127.0.0.1:${port}/readyz`, [front, back], 60_000);
      await waitOutput(front, /Node 'holds-back-[0-9a-f]+' connected/, 60_000);
      sys = await withChannels(`http://127.0.0.1:${port}`, "dist", true);
    });
    after(async () => {
      if (front) await stopProcess(front);
      if (back) await stopProcess(back);
      await drop?.();
    });
    holdTests(() => sys);

    test("the snooze URL needs ping authentication, as every ping does", async () => {
      const m = await sys.a.call("POST", "/api/v1/monitors", {
        name: "dist-auth",
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      });
      const res = await fetch(`${sys.a.base}/ping/${m.body.code}/snooze/1h`);
      assert.equal(res.status, 401);
      assert.equal((await sys.a.call("GET", `/api/v1/monitors/${m.body.id}`)).body.snoozedUntil, null);
    });
  },
);

function holdTests(system: () => System): void {
  type Monitor = {
    id: number;
    code: string;
    name: string;
    status: string;
    children: unknown[];
    parents: { id: number; name: string; status: string }[];
    [k: string]: unknown;
  };

  async function createMonitor(body: Record<string, unknown>): Promise<Monitor> {
    const { a, channels, tag } = system();
    const res = await a.call("POST", "/api/v1/monitors", {
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
      channels,
      ...body,
      name: `${tag}-${body.name}`,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  }

  async function ping(m: Monitor, suffix = ""): Promise<Response> {
    const res = await fetch(`${system().a.base}/ping/${m.code}${suffix}`, { headers: system().pingHeaders });
    await res.clone().arrayBuffer();
    return res;
  }

  async function get(m: Monitor): Promise<Monitor> {
    return (await system().a.call("GET", `/api/v1/monitors/${m.id}`)).body;
  }

  const hooksOf = (m: Monitor): ReceivedRequest[] =>
    rx.requests.filter((r) => r.path === system().hook && r.json?.monitor?.id === m.id);
  const mailsOf = (m: Monitor): ReceivedMail[] => smtp.mails.filter((x) => x.raw.includes(`${m.name} (${m.code})`));

  async function notifications(m: Monitor) {
    return (await system().a.call("GET", `/api/v1/monitors/${m.id}/notifications`)).body.items as {
      event: string;
      state: string;
      channel: { type: string };
      heldBy: { kind: string; detail: string | null } | null;
    }[];
  }

  async function heldCount(m: Monitor, n: number, what: string) {
    await eventually(async () => (await notifications(m)).filter((d) => d.state === "held").length === n, 20_000, what);
  }

  const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

  test("dependsOn: unknown ids, the monitor itself and cycles are a 422 naming dependsOn", async () => {
    const { a } = system();
    const p = await createMonitor({ name: "cyc-parent" });
    const c = await createMonitor({ name: "cyc-child", dependsOn: [p.id] });
    assert.deepEqual(c.dependsOn, [p.id]);
    const field = (r: { body: { error: { field?: string } } }) => r.body.error.field;
    const unknown = await a.call("POST", "/api/v1/monitors", {
      name: "orphan",
      schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
      dependsOn: [999_999],
    });
    assert.equal(unknown.status, 422);
    assert.equal(field(unknown), "dependsOn");
    const self = await a.call("PATCH", `/api/v1/monitors/${p.id}`, { dependsOn: [p.id] });
    assert.equal(self.status, 422);
    assert.equal(field(self), "dependsOn");
    const cycle = await a.call("PATCH", `/api/v1/monitors/${p.id}`, { dependsOn: [c.id] });
    assert.equal(cycle.status, 422, JSON.stringify(cycle.body));
    assert.equal(field(cycle), "dependsOn");
    assert.match(JSON.stringify(cycle.body), /cycle/);
    const parent = await get(p);
    assert.deepEqual(parent.dependsOn, [], "the refused change left nothing behind");
    assert.deepEqual(parent.children, [{ id: c.id, name: c.name, status: "new" }]);
    // A host's monitor works as a parent (a host is polled over SSH; this one is not enabled).
    const host = await a.call("POST", "/api/v1/hosts", {
      name: `${system().tag}-db1`,
      address: "127.0.0.1",
      port: 9,
      username: "hb",
      keyPath: "/nonexistent/id_ed25519",
      enabled: false,
    });
    assert.equal(host.status, 201, JSON.stringify(host.body));
    const onHost = await createMonitor({ name: "on-host", dependsOn: [host.body.monitorId] });
    assert.deepEqual(
      onHost.parents.map((p) => p.name),
      [`host ${system().tag}-db1`],
    );
    // Deleting the parent removes the link.
    assert.equal((await a.call("DELETE", `/api/v1/monitors/${p.id}`)).status, 200);
    assert.deepEqual((await get(c)).parents, []);
  });

  test("a child of a down parent is held, and alerted once when the parent recovers while it is still down", async () => {
    const parent = await createMonitor({ name: "db" });
    await ping(parent);
    assert.equal((await ping(parent, "/fail")).status, 200);
    await eventually(async () => hooksOf(parent).length === 1, 15_000, "the parent's own down alert");
    // The child's deadline passes while the parent is down: a real 2 s schedule, the checker flips it.
    const child = await createMonitor({
      name: "app",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
      dependsOn: [parent.id],
    });
    // A second child goes down and recovers while the parent is down: it never says anything.
    const flaky = await createMonitor({ name: "worker", dependsOn: [parent.id] });
    assert.deepEqual((await get(child)).parents, [{ id: parent.id, name: parent.name, status: "down" }]);
    await ping(flaky, "/fail");
    await eventually(async () => (await get(child)).status === "down", 15_000, "the child down by its deadline");
    await heldCount(child, 2, "the child's down alert held on both channels");
    const held = await notifications(child);
    assert.deepEqual(
      held.map((d) => d.heldBy),
      [
        { kind: "parent", detail: parent.name },
        { kind: "parent", detail: parent.name },
      ],
    );
    await ping(flaky);
    await heldCount(flaky, 4, "the flaky child's failure and recovery held on both channels");
    await quiet(1500);
    assert.equal(
      hooksOf(child).length + mailsOf(child).length,
      0,
      "nothing sent for the child while the parent is down",
    );
    assert.equal((await get(parent)).children.length, 2);

    // The parent recovers: the child, still down, is alerted once on each channel.
    await ping(parent);
    const [alert] = await eventually(
      async () => (hooksOf(child).length ? hooksOf(child) : null),
      15_000,
      "the child's released alert",
    );
    assert.equal(alert!.json.event, "down");
    assert.equal(alert!.json.flip.reason, "never-pinged");
    assert.deepEqual(alert!.json.held, {
      kind: "parent",
      detail: parent.name,
      text: `Held back while parent ${parent.name} was down`,
    });
    await smtp.waitFor(() => mailsOf(child).length >= 1, 15_000, "the child's released email");
    assert.match(mailsOf(child)[0]!.raw, new RegExp(`Held back: +while parent ${parent.name} was down`));
    await quiet(2500);
    assert.equal(hooksOf(child).length, 1, "the child's webhook alert exactly once");
    assert.equal(mailsOf(child).length, 1, "the child's email exactly once");
    assert.equal(hooksOf(flaky).length + mailsOf(flaky).length, 0, "the child that recovered meanwhile sends nothing");
    assert.deepEqual(
      (await notifications(flaky)).map((d) => d.state),
      ["suppressed", "suppressed", "suppressed", "suppressed"],
    );
    assert.deepEqual(
      hooksOf(parent).map((r) => r.json.event),
      ["failure", "up"],
      "the parent's own alerts, once each",
    );
  });

  test("a snooze set by /ping/CODE/snooze/1m holds a down alert and releases it when it ends", async () => {
    const m = await createMonitor({
      name: "nightly",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
    });
    await ping(m);
    const bad = await ping(m, "/snooze/8d");
    assert.equal(bad.status, 422);
    assert.match(await bad.text(), /duration/);
    assert.equal((await ping(m, "/snooze/soon")).status, 422);
    assert.equal(
      (await fetch(`${system().a.base}/ping/nosuchcode123/snooze/1m`, { headers: system().pingHeaders })).status,
      404,
    );
    const before = Date.now();
    const res = await ping(m, "/snooze/1m");
    assert.equal(res.status, 200, await res.text());
    const snoozedUntil = Date.parse(String((await get(m)).snoozedUntil));
    assert.ok(
      snoozedUntil >= before + 59_000 && snoozedUntil <= Date.now() + 61_000,
      `snoozed for a minute: ${new Date(snoozedUntil).toISOString()}`,
    );
    await eventually(async () => (await get(m)).status === "down", 15_000, "down by its deadline");
    await heldCount(m, 2, "the down alert held on both channels");
    assert.deepEqual(
      (await notifications(m)).map((d) => d.heldBy),
      [
        { kind: "snooze", detail: null },
        { kind: "snooze", detail: null },
      ],
    );
    assert.equal(hooksOf(m).length + mailsOf(m).length, 0, "nothing sent while snoozed");
    const [alert] = await eventually(
      async () => (hooksOf(m).length ? hooksOf(m) : null),
      snoozedUntil - Date.now() + 15_000,
      "the alert when the snooze ends",
      200,
    );
    assert.ok(alert!.at >= snoozedUntil, "not before the snooze ended");
    assert.ok(alert!.at < snoozedUntil + 5_000, `released promptly: ${alert!.at - snoozedUntil} ms after the end`);
    assert.equal(alert!.json.held.kind, "snooze");
    await smtp.waitFor(() => mailsOf(m).length >= 1, 15_000, "the released email");
    await quiet(2500);
    assert.equal(hooksOf(m).length, 1, "webhook exactly once");
    assert.equal(mailsOf(m).length, 1, "email exactly once");
    assert.equal((await get(m)).snoozedUntil, null, "the snooze is over");
  });

  test("the API's snooze holds, and ending it releases the alert at once", async () => {
    const { a } = system();
    const m = await createMonitor({ name: "api-snoozed" });
    const tooLong = await a.call("POST", `/api/v1/monitors/${m.id}/snooze`, { seconds: 8 * 86_400 });
    assert.equal(tooLong.status, 422);
    assert.equal(tooLong.body.error.field, "seconds");
    const snoozed = await a.call("POST", `/api/v1/monitors/${m.id}/snooze`, { seconds: 600 });
    assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
    assert.ok(Date.parse(snoozed.body.snoozedUntil) > Date.now() + 590_000);
    await ping(m, "/fail");
    await heldCount(m, 2, "the failure alert held on both channels");
    await quiet(1000);
    assert.equal(hooksOf(m).length, 0);
    const ended = await a.call("DELETE", `/api/v1/monitors/${m.id}/snooze`);
    assert.equal(ended.status, 200);
    assert.equal(ended.body.snoozedUntil, null);
    await eventually(async () => hooksOf(m).length === 1, 10_000, "the alert once the snooze is ended");
    await smtp.waitFor(() => mailsOf(m).length >= 1, 15_000, "the email once the snooze is ended");
    await quiet(2000);
    assert.equal(hooksOf(m).length, 1);
    assert.equal(mailsOf(m).length, 1);
    assert.equal(hooksOf(m)[0]!.json.event, "failure");
  });
}
