// Two-factor sign-in over the API, on SQLite and on MariaDB: TOTP enrolment behind the password,
// a sign-in that needs the code, each code accepted once, recovery codes once each, wrong answers
// counted against the sign-in limits, removal ending every session, basic auth of an enrolled
// person opening pings but not the API (keys unaffected), and the admin setting that leaves an
// admin without a factor only the enrolment pages. Passkeys need a browser: dashboard-second-factor.

import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { startServer, type Server } from "../support/server.ts";
import { basic } from "../support/api.ts";
import { onBothDatabases, type SuiteDatabase } from "../support/services.ts";
import { base32Decode, hotp, totpStep } from "../../core/security/totp.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Json = Record<string, any>;

async function post(base: string, path: string, body: unknown, s?: { cookie: string; csrf: string }, method = "POST") {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      ...(s ? { cookie: s.cookie, "x-csrf-token": s.csrf } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : null) as Json,
    setCookie: res.headers.get("set-cookie"),
  };
}

async function passwordStep(base: string, username: string, password: string) {
  const r = await post(base, "/api/v1/session", { username, password });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}

async function login(base: string, username: string, password: string) {
  const r = await passwordStep(base, username, password);
  assert.ok(r.setCookie, "a user without a second factor gets the cookie at once");
  return { cookie: r.setCookie!.split(";")[0]!, csrf: r.body.csrfToken as string, user: r.body.user as Json };
}

/**
 * A code of a step not used yet: the current step's, or the next one's (accepted too: a phone a
 * little ahead), waiting for the clock only when both are taken.
 */
async function freshCode(secret: Buffer, after: number | null): Promise<{ code: string; step: number }> {
  for (;;) {
    const now = totpStep(Date.now());
    const step = after === null ? now : Math.max(now, after + 1);
    if (step <= now + 1) return { code: hotp(secret, step), step };
    await sleep(1000);
  }
}

async function enrolTotp(base: string, s: { cookie: string; csrf: string }, password: string) {
  const start = await post(base, "/api/v1/account/factors/totp", { password, name: "phone" }, s);
  assert.equal(start.status, 200, JSON.stringify(start.body));
  const secret = base32Decode(start.body.secret)!;
  const first = await freshCode(secret, null);
  const confirm = await post(base, "/api/v1/account/factors/totp/confirm", { code: first.code }, s);
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  return {
    secret,
    lastStep: first.step,
    recoveryCodes: confirm.body.recoveryCodes as string[] | null,
    id: confirm.body.id as number,
  };
}

function suite(label: string, database: () => Promise<SuiteDatabase>) {
  describe(label, () => {
    let server: Server;
    let base: string;
    let drop: (() => Promise<void>) | undefined;

    before(async () => {
      const db = await database();
      drop = db?.drop;
      server = await startServer(
        `second-factor-${label}`,
        { ...(db?.env ?? {}), SIGNIN_MAX_FAILURES_PER_USER: "8" },
        { admin },
      );
      base = server.base;
      for (const [username, role] of [
        ["alice", "viewer"],
        ["bob", "viewer"],
        ["carol", "viewer"],
        ["adam", "admin"],
        ["ann", "admin"],
      ])
        assert.equal(
          (await server.api.call("POST", "/api/v1/users", { username, password: `${username} password 1`, role }))
            .status,
          201,
        );
    });
    after(async () => {
      await server?.stop();
      await drop?.();
    });

    test("enrolment needs the password again and a first code; then the password alone opens nothing, the code does, once", async () => {
      const s = await login(base, "alice", "alice password 1");
      const wrongPassword = await post(base, "/api/v1/account/factors/totp", { password: "nope" }, s);
      assert.equal(wrongPassword.status, 422);
      assert.equal(wrongPassword.body.error.field ?? wrongPassword.body.error.fields?.[0]?.field, "password");
      const noCsrf = await post(
        base,
        "/api/v1/account/factors/totp",
        { password: "alice password 1" },
        { ...s, csrf: "x".repeat(30) },
      );
      assert.equal(noCsrf.status, 403);

      const start = await post(base, "/api/v1/account/factors/totp", { password: "alice password 1" }, s);
      assert.equal(start.status, 200);
      assert.match(start.body.uri, /^otpauth:\/\/totp\/Heartbeats:alice\?/);
      assert.match(start.body.qrSvg, /^<svg/);
      const wrongCode = await post(base, "/api/v1/account/factors/totp/confirm", { code: "000000" }, s);
      assert.equal(wrongCode.status, 422);
      const secret = base32Decode(start.body.secret)!;
      const first = await freshCode(secret, null);
      const confirm = await post(base, "/api/v1/account/factors/totp/confirm", { code: first.code }, s);
      assert.equal(confirm.status, 200);
      assert.equal(confirm.body.recoveryCodes.length, 10, "a first factor comes with recovery codes");

      const list = await fetch(`${base}/api/v1/account/factors`, { headers: { cookie: s.cookie } }).then(
        (r) => r.json() as Promise<Json>,
      );
      assert.deepEqual(
        list.factors.map((f: Json) => [f.kind, f.name]),
        [["totp", "Authenticator app"]],
      );
      assert.equal(list.recoveryCodesLeft, 10);
      assert.ok(!JSON.stringify(list).includes(start.body.secret), "the secret is never shown again");
      if (label === "sqlite")
        for (const f of fs.readdirSync(server.dir).filter((n) => n.startsWith("hb.sqlite")))
          assert.ok(
            !fs.readFileSync(path.join(server.dir, f)).includes(start.body.secret),
            `the TOTP secret is sealed in ${f}`,
          );

      // The password step answers a challenge, and no cookie.
      const step1 = await passwordStep(base, "alice", "alice password 1");
      assert.equal(step1.setCookie, null);
      assert.deepEqual(step1.body.secondFactor.methods, ["totp", "recovery"]);
      const token = step1.body.secondFactor.token as string;
      const wrong = await post(base, "/api/v1/session/second-factor", { username: "alice", token, code: "123456" });
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.message, "wrong or already used code (4 tries left)");
      const otherName = await post(base, "/api/v1/session/second-factor", { username: "bob", token, code: "123456" });
      assert.equal(otherName.status, 401, "the challenge is alice's");

      const code = await freshCode(secret, first.step);
      const ok = await post(base, "/api/v1/session/second-factor", { username: "alice", token, code: code.code });
      assert.equal(ok.status, 200, JSON.stringify(ok.body));
      assert.match(ok.setCookie ?? "", /^hb_session=/);
      assert.equal(ok.body.user.username, "alice");
      const cookie = ok.setCookie!.split(";")[0]!;
      assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie } })).status, 200);

      // The same code again, on a new challenge: refused.
      const again = await passwordStep(base, "alice", "alice password 1");
      const reused = await post(base, "/api/v1/session/second-factor", {
        username: "alice",
        token: again.body.secondFactor.token,
        code: code.code,
      });
      assert.equal(reused.status, 401, "a code works once");
      // The spent challenge opens nothing either.
      const spent = await post(base, "/api/v1/session/second-factor", { username: "alice", token, code: code.code });
      assert.equal(spent.status, 401);
      assert.match(spent.body.error.message, /expired|password again/);
    });

    test("recovery codes open one sign-in each", async () => {
      const s = await login(base, "bob", "bob password 1");
      const f = await enrolTotp(base, s, "bob password 1");
      const [rc] = f.recoveryCodes!;
      const t1 = (await passwordStep(base, "bob", "bob password 1")).body.secondFactor.token;
      const used = await post(base, "/api/v1/session/second-factor", {
        username: "bob",
        token: t1,
        recoveryCode: rc!.toUpperCase(),
      });
      assert.equal(used.status, 200);
      const t2 = (await passwordStep(base, "bob", "bob password 1")).body.secondFactor.token;
      const twice = await post(base, "/api/v1/session/second-factor", { username: "bob", token: t2, recoveryCode: rc });
      assert.equal(twice.status, 401);
      const cookie = used.setCookie!.split(";")[0]!;
      const left = await fetch(`${base}/api/v1/account/factors`, { headers: { cookie } }).then(
        (r) => r.json() as Promise<Json>,
      );
      assert.equal(left.recoveryCodesLeft, 9);
    });

    test("wrong codes: five end the challenge, and they count against the user's sign-in limit", async () => {
      const s = await login(base, "carol", "carol password 1");
      const f = await enrolTotp(base, s, "carol password 1");
      const token = (await passwordStep(base, "carol", "carol password 1")).body.secondFactor.token;
      const lefts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await post(base, "/api/v1/session/second-factor", { username: "carol", token, code: "000000" });
        assert.equal(r.status, 401);
        lefts.push(Number(/\((\d) tr/.exec(r.body.error.message)?.[1] ?? 0));
      }
      assert.deepEqual(lefts, [4, 3, 2, 1, 0]);
      const code = await freshCode(f.secret, f.lastStep);
      const late = await post(base, "/api/v1/session/second-factor", { username: "carol", token, code: code.code });
      assert.equal(late.status, 401, "the challenge is gone after five wrong answers");
      // 5 wrong codes + 1 on the dead challenge; the limit is 8: two more wrong codes lock carol out.
      const t2 = (await passwordStep(base, "carol", "carol password 1")).body.secondFactor.token;
      await post(base, "/api/v1/session/second-factor", { username: "carol", token: t2, code: "000000" });
      await post(base, "/api/v1/session/second-factor", { username: "carol", token: t2, code: "000000" });
      const locked = await post(base, "/api/v1/session", { username: "carol", password: "carol password 1" });
      assert.equal(locked.status, 429, "wrong codes lock the user out like wrong passwords");
    });

    test("removing a factor needs the password and ends every session of the user; then the password alone signs in", async () => {
      const s = await login(base, "adam", "adam password 1");
      const f = await enrolTotp(base, s, "adam password 1");
      const t = (await passwordStep(base, "adam", "adam password 1")).body.secondFactor.token;
      const code = await freshCode(f.secret, f.lastStep);
      const second = await post(base, "/api/v1/session/second-factor", { username: "adam", token: t, code: code.code });
      const other = { cookie: second.setCookie!.split(";")[0]!, csrf: second.body.csrfToken as string };
      const noPassword = await post(base, `/api/v1/account/factors/${f.id}`, {}, other, "DELETE");
      assert.equal(noPassword.status, 422);
      const removed = await post(
        base,
        `/api/v1/account/factors/${f.id}`,
        { password: "adam password 1" },
        other,
        "DELETE",
      );
      assert.equal(removed.status, 204);
      await sleep(1100); // the gateway re-reads sessions every second
      for (const c of [s.cookie, other.cookie])
        assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie: c } })).status, 401);
      const plain = await login(base, "adam", "adam password 1");
      assert.equal(plain.user.username, "adam");
    });

    test("basic auth of an enrolled person opens pings, not the API; API keys are unaffected", async () => {
      const s = await login(base, "root", admin[1]);
      const key = await post(base, "/api/v1/keys", { name: "ci", scope: "write" }, s);
      assert.equal(key.status, 201, JSON.stringify(key.body));
      const monitor = await post(
        base,
        "/api/v1/monitors",
        { name: "nightly", schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 } },
        s,
      );
      assert.equal(monitor.status, 201, JSON.stringify(monitor.body));
      await enrolTotp(base, s, admin[1]);
      await sleep(1100);
      const viaBasic = await fetch(`${base}/api/v1/monitors`, { headers: { authorization: basic(...admin) } });
      assert.equal(viaBasic.status, 401);
      assert.match(((await viaBasic.json()) as Json).error.message, /second factor/);
      const ping = await fetch(`${base}/api/pings/?service=${monitor.body.code}&data=`, {
        method: "POST",
        headers: { authorization: basic(...admin) },
      });
      assert.ok(ping.ok, `the original curl -u line still pings: ${ping.status}`);
      const viaKey = await fetch(`${base}/api/v1/monitors`, { headers: { authorization: `Bearer ${key.body.key}` } });
      assert.equal(viaKey.status, 200);
    });

    test("while admins must have a second factor, an admin without one gets only the enrolment pages", async () => {
      assert.ok((await passwordStep(base, "root", admin[1])).body.secondFactor, "root has a factor (above)");
      const viewer = await login(base, "alice", "alice password 1").catch(() => null);
      assert.equal(viewer, null, "alice signs in with her second factor too");
      const anns = await login(base, "ann", "ann password 1");
      assert.equal(anns.user.enrolRequired, undefined);
      const set = await post(base, "/api/v1/settings", { requireAdminSecondFactor: true }, anns, "PATCH");
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.requireAdminSecondFactor, true);
      await sleep(1100);
      const blocked = await fetch(`${base}/api/v1/monitors`, { headers: { cookie: anns.cookie } });
      assert.equal(blocked.status, 403);
      assert.equal(((await blocked.json()) as Json).error.code, "SECOND_FACTOR_REQUIRED");
      const me = await fetch(`${base}/api/v1/session`, { headers: { cookie: anns.cookie } }).then(
        (r) => r.json() as Promise<Json>,
      );
      assert.equal(me.user.enrolRequired, true);
      await enrolTotp(base, anns, "ann password 1");
      await sleep(1100);
      assert.equal((await fetch(`${base}/api/v1/monitors`, { headers: { cookie: anns.cookie } })).status, 200);
    });
  });
}

await onBothDatabases(suite, "second factors");
