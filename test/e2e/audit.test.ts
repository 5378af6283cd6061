// The audit log over the API, on SQLite and MariaDB: each create, change and delete of monitors,
// channels, users, keys, hosts, maintenance windows and settings, and every sign-in, with who,
// when, from where and what changed — secrets never, in the answer or in the database file.
// GET /api/v1/audit is for admins (no API key), validated, filtered and paged.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, type Server } from "../support/server.ts";
import { api, basic } from "../support/api.ts";
import { onBothDatabases, type SuiteDatabase } from "../support/services.ts";
import { base32Decode, hotp, totpStep } from "../../core/security/totp.ts";

const admin: [string, string] = ["root", "correct horse battery"];
type Json = Record<string, any>;
type Entry = {
  at: string;
  actor: string | null;
  action: string;
  target: string | null;
  ip: string | null;
  changes: Json | null;
};

const CHANNEL_SECRET = "https://hooks.example.com/services/T00/B00/audit-s3cr3t-token";
const SIGNING_SECRET = "signing-s3cr3t-value";
const NEW_PASSWORD = "a brand new password 7";
const SSH_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nauditsecretkeymaterial\n-----END OPENSSH PRIVATE KEY-----";

function suite(label: string, database: () => Promise<SuiteDatabase>) {
  describe(label, () => {
    let server: Server;
    let base: string;
    let drop: (() => Promise<void>) | undefined;
    let entries: Entry[] = [];
    let apiKey = "";
    let answerText = "";

    before(async () => {
      const db = await database();
      drop = db?.drop;
      server = await startServer(`audit-${label}`, db?.env ?? {}, { admin });
      base = server.base;
      const a = server.api;
      const ok = async (p: Promise<{ status: number; body: any }>, status = 200) => {
        const r = await p;
        assert.equal(r.status, status, JSON.stringify(r.body));
        return r.body;
      };
      // Monitors
      const m = await ok(
        a.call("POST", "/api/v1/monitors", {
          name: "backup",
          schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 30 },
        }),
        201,
      );
      await ok(
        a.call("PATCH", `/api/v1/monitors/${m.id}`, {
          name: "nightly backup",
          schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 30 },
        }),
      );
      await ok(a.call("POST", `/api/v1/monitors/${m.id}/pause`, {}));
      await ok(a.call("DELETE", `/api/v1/monitors/${m.id}`));
      // Channels, with secrets
      const c = await ok(
        a.call("POST", "/api/v1/channels", {
          name: "ops hook",
          type: "webhook",
          config: { url: CHANNEL_SECRET, secret: SIGNING_SECRET },
        }),
        201,
      );
      await ok(
        a.call("PATCH", `/api/v1/channels/${c.id}`, { name: "ops webhook", config: { url: `${CHANNEL_SECRET}2` } }),
      );
      await ok(a.call("DELETE", `/api/v1/channels/${c.id}`));
      // Users
      await ok(a.call("POST", "/api/v1/users", { username: "ann", password: "ann password 1", role: "viewer" }), 201);
      await ok(a.call("PATCH", "/api/v1/users/ann", { role: "admin", password: NEW_PASSWORD }));
      await ok(a.call("POST", "/api/v1/users", { username: "bob", password: "bob password 1", role: "viewer" }), 201);
      await ok(a.call("DELETE", "/api/v1/users/bob"));
      // Keys
      const k = await ok(a.call("POST", "/api/v1/keys", { name: "ci", scope: "write" }), 201);
      apiKey = k.key;
      const k2 = await ok(a.call("POST", "/api/v1/keys", { name: "old", scope: "read" }), 201);
      await ok(a.call("DELETE", `/api/v1/keys/${k2.id}`));
      // Hosts
      const h = await ok(
        a.call("POST", "/api/v1/hosts", {
          name: "db1",
          address: "127.0.0.1",
          port: 9,
          username: "u",
          privateKey: SSH_KEY,
          enabled: false,
          checks: ["cpu > 90"],
        }),
        201,
      );
      await ok(a.call("PATCH", `/api/v1/hosts/${h.id}`, { port: 2222 }));
      await ok(a.call("DELETE", `/api/v1/hosts/${h.id}`));
      // Maintenance windows
      const rule = { kind: "recurring", expression: "0 3 * * 0", durationSeconds: 3600, timezone: "Europe/Berlin" };
      const w = await ok(a.call("POST", "/api/v1/maintenance", { name: "upgrade", rule, tags: ["db"] }), 201);
      await ok(a.call("PATCH", `/api/v1/maintenance/${w.id}`, { name: "kernel upgrade" }));
      await ok(a.call("DELETE", `/api/v1/maintenance/${w.id}`));
      // Sign-ins: one wrong, one right (the dashboard's), then ann adds an authenticator app
      const post = (url: string, body: unknown, headers: Record<string, string> = {}, method = "POST") =>
        fetch(`${base}${url}`, {
          method,
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      assert.equal((await post("/api/v1/session", { username: "ann", password: "wrong password" })).status, 401);
      const signedIn = await post("/api/v1/session", { username: "ann", password: NEW_PASSWORD });
      assert.equal(signedIn.status, 200);
      const session = {
        cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!,
        "x-csrf-token": ((await signedIn.json()) as Json).csrfToken as string,
      };
      const totp = (await (
        await post("/api/v1/account/factors/totp", { password: NEW_PASSWORD }, session)
      ).json()) as Json;
      const code = hotp(base32Decode(totp.secret)!, totpStep(Date.now()));
      assert.equal((await post("/api/v1/account/factors/totp/confirm", { code }, session)).status, 200);
      // Settings: root requires a second factor of admins (and is held by it), ann turns it off
      await ok(a.call("PATCH", "/api/v1/settings", { requireAdminSecondFactor: true }));
      // At once, though root's password was verified (and remembered) a moment ago.
      assert.equal((await a.call("GET", "/api/v1/monitors")).status, 403, "root has no second factor");
      assert.equal((await post("/api/v1/settings", { requireAdminSecondFactor: false }, session, "PATCH")).status, 200);
      // A change with an API key
      const viaKey = await fetch(`${base}/api/v1/monitors`, {
        method: "POST",
        headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "from ci", schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 30 } }),
      });
      assert.equal(viaKey.status, 201);

      const res = await fetch(`${base}/api/v1/audit?limit=500`, { headers: { authorization: basic(...admin) } });
      assert.equal(res.status, 200);
      answerText = await res.text();
      const page = JSON.parse(answerText) as { total: number; items: Entry[] };
      entries = page.items.reverse(); // oldest first, as made
      assert.equal(page.total, page.items.length);
    });
    after(async () => {
      await server?.stop();
      await drop?.();
    });

    const find = (action: string, target?: RegExp) => {
      const e = entries.find((x) => x.action === action && (!target || target.test(x.target ?? "")));
      assert.ok(
        e,
        `an entry ${action} ${target ?? ""} in ${JSON.stringify(entries.map((x) => `${x.action} ${x.target}`))}`,
      );
      return e!;
    };

    test("every change is recorded with its actor, address, target and what changed", () => {
      for (const e of entries.filter((x) => !x.action.startsWith("signin"))) {
        assert.ok(!Number.isNaN(Date.parse(e.at)), "at is a time");
        assert.equal(e.ip, "127.0.0.1", `${e.action} from where`);
      }
      const created = find("monitor.create", /backup/);
      assert.equal(created.actor, "root");
      assert.match(created.target!, /^monitor \d+ "backup"$/);
      assert.deepEqual(created.changes!.name, { to: "backup" });
      const updated = find("monitor.update");
      assert.deepEqual(updated.changes!.name, { from: "backup", to: "nightly backup" });
      assert.deepEqual(updated.changes!["schedule.periodSeconds"], { from: 60, to: 3600 });
      assert.deepEqual(find("monitor.pause").changes!.status, { from: "new", to: "paused" });
      assert.deepEqual(find("monitor.delete").changes!.name, { from: "nightly backup" });

      assert.deepEqual(find("channel.create").changes!["config.url"], "(set)");
      const ch = find("channel.update");
      assert.deepEqual(ch.changes!.name, { from: "ops hook", to: "ops webhook" });
      assert.equal(ch.changes!["config.url"], "(changed)");
      assert.equal(ch.changes!["config.secret"], undefined, "a secret not sent is not said to change");
      find("channel.delete", /ops webhook/);

      const user = find("user.update", /ann/);
      assert.deepEqual(user.changes, { role: { from: "viewer", to: "admin" }, password: "(changed)" });
      assert.equal(find("user.create", /ann/).changes!.password, "(set)");
      find("user.delete", /bob/);

      assert.deepEqual(find("key.create", /ci/).changes, { name: { to: "ci" }, scope: { to: "write" } });
      find("key.revoke", /old/);
      assert.equal(find("host.create").changes!.privateKey, "(set)");
      assert.deepEqual(find("host.update").changes, { port: { from: 9, to: 2222 } });
      find("host.delete", /db1/);
      find("maintenance.create", /upgrade/);
      assert.deepEqual(find("maintenance.update").changes!.name, { from: "upgrade", to: "kernel upgrade" });
      find("maintenance.delete", /kernel upgrade/);
      const settings = entries.filter((e) => e.action === "settings.update");
      assert.deepEqual(
        settings.map((e) => [e.actor, e.changes]),
        [
          ["root", { requireAdminSecondFactor: { from: false, to: true } }],
          ["ann", { requireAdminSecondFactor: { from: true, to: false } }],
        ],
      );
      const factor = find("factor.add");
      assert.equal(factor.actor, "ann");
      assert.deepEqual(factor.changes, { kind: { to: "totp" } });
      const byKey = find("monitor.create", /from ci/);
      assert.match(byKey.actor!, /^key hbk_\w+ \(ci\)$/, "a key's changes name the key");
    });

    test("sign-ins, right and wrong, with the name tried and the address", () => {
      const failed = entries.filter((e) => e.action === "signin.failed" && e.actor === "ann");
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.ip, "127.0.0.1");
      assert.deepEqual(failed[0]!.changes, { via: { to: "session" } });
      const ok = find("signin.ok");
      assert.equal(ok.actor, "ann");
      assert.deepEqual(ok.changes, { method: { to: "password" } });
      assert.equal(
        entries.filter((e) => e.action === "signin.ok").length,
        1,
        "basic auth of scripts is not a sign-in entry",
      );
    });

    test("no secret reaches the answer or the database", () => {
      for (const secret of [
        CHANNEL_SECRET,
        "audit-s3cr3t-token",
        SIGNING_SECRET,
        NEW_PASSWORD,
        "auditsecretkeymaterial",
        apiKey,
      ])
        assert.ok(!answerText.includes(secret), `the answer holds no ${secret.slice(0, 12)}…`);
      if (label === "sqlite")
        for (const f of fs.readdirSync(server.dir).filter((n) => n.startsWith("hb.sqlite")))
          for (const secret of ["audit-s3cr3t-token", SIGNING_SECRET, NEW_PASSWORD, "auditsecretkeymaterial"])
            assert.ok(
              !fs.readFileSync(path.join(server.dir, f)).includes(secret),
              `${f} holds no ${secret.slice(0, 12)}…`,
            );
    });

    test("filters, paging, and who may read it", async () => {
      const get = (q: string, auth: Record<string, string> = { authorization: basic(...admin) }) =>
        fetch(`${base}/api/v1/audit${q}`, { headers: auth }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Json,
        }));
      const monitors = await get("?action=monitor");
      assert.ok(monitors.body.items.length >= 5);
      assert.ok(monitors.body.items.every((e: Entry) => e.action.startsWith("monitor.")));
      const exact = await get("?action=user.update");
      assert.deepEqual(
        exact.body.items.map((e: Entry) => e.target),
        ['user "ann"'],
      );
      const ann = await get("?actor=ann");
      assert.deepEqual(
        new Set(ann.body.items.map((e: Entry) => e.action)),
        new Set(["signin.failed", "signin.ok", "factor.add", "settings.update"]),
      );
      const p1 = await get("?limit=2&offset=0");
      const p2 = await get("?limit=2&offset=2");
      assert.equal(p1.body.items.length, 2);
      assert.equal(p1.body.total, entries.length, "the total counts every entry, not the page");
      assert.notDeepEqual(p1.body.items, p2.body.items);
      assert.deepEqual(
        [...p1.body.items, ...p2.body.items].map((e: Entry) => e.at),
        (await get("?limit=4")).body.items.map((e: Entry) => e.at),
      );
      const bad = await get("?limit=0");
      assert.equal(bad.status, 422);
      assert.equal(bad.body.error.field, "limit");
      assert.equal((await get("?limit=abc")).status, 422);
      assert.equal((await get("", { authorization: basic("ann", "wrong") })).status, 401);
      await api(base, admin).call("POST", "/api/v1/users", {
        username: "vic",
        password: "vic password 1",
        role: "viewer",
      });
      assert.equal((await get("", { authorization: basic("vic", "vic password 1") })).status, 403);
      assert.equal(
        (await get("", { authorization: `Bearer ${apiKey}` })).status,
        403,
        "no API key reads the audit log",
      );
    });
  });
}

await onBothDatabases(suite, "the audit log");

test("retention: entries older than AUDIT_RETENTION_DAYS are deleted by the registry; 0 keeps them", async () => {
  const { DatabaseSync } = await import("node:sqlite");
  const server = await startServer("audit-retention", { AUDIT_RETENTION_DAYS: "0" }, { admin });
  try {
    for (const name of ["old one", "old two", "recent"])
      assert.equal(
        (
          await server.api.call("POST", "/api/v1/monitors", {
            name,
            schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 30 },
          })
        ).status,
        201,
      );
    const file = path.join(server.dir, "hb.sqlite");
    const age = async (days: number, target: string) => {
      const db = new DatabaseSync(file);
      try {
        db.prepare("UPDATE audit_log SET at = ? WHERE target LIKE ?").run(
          Date.now() - days * 86_400_000,
          `%${target}%`,
        );
      } finally {
        db.close();
      }
    };
    const targets = async () =>
      ((await server.api.call("GET", "/api/v1/audit?action=monitor.create")).body.items as Entry[]).map(
        (e) => e.target,
      );
    await age(400, "old one");
    await age(400, "old two");
    await server.restart({ AUDIT_RETENTION_DAYS: "0" });
    assert.equal((await targets()).length, 3, "0 keeps every entry");
    await server.restart({ AUDIT_RETENTION_DAYS: "365" });
    let left: (string | null)[] = [];
    for (let i = 0; i < 50; i++) {
      left = await targets();
      if (left.length === 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(left.length, 1, `the entries past 365 days are gone: ${JSON.stringify(left)}`);
    assert.match(left[0]!, /"recent"/);
  } finally {
    await server.stop();
  }
});
