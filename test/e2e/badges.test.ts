// Status badges through HTTP on the real server (MariaDB): /badge/<badge key>.svg and .json follow
// a monitor new → up → late → down on a short schedule, a tag's badge shows its worst monitor,
// labels cannot inject markup, unknown keys are a bare 404, no login is needed, and a badge
// carries neither the ping code nor anything about other monitors.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, startProcess, stopProcess, waitReady, eventually, type Proc } from "../support/system.ts";
import { api, type Api } from "../support/api.ts";
import { needs, scratchDatabase } from "../support/services.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const viewer: [string, string] = ["looks", "viewer password 1"];
const skip = await needs(["mariadb"]);
let proc: Proc;
let drop: (() => Promise<void>) | undefined;
let base: string;
let a: Api;

before(async () => {
  if (skip) return;
  const scratch = await scratchDatabase();
  drop = scratch.drop;
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  proc = startProcess("badges", {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: scratch.url,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
  });
  await waitReady(`${base}/readyz`, [proc], 60_000);
  a = api(base, admin);
  assert.equal(
    (await a.call("POST", "/api/v1/users", { username: viewer[0], password: viewer[1], role: "viewer" })).status,
    201,
  );
});

after(async () => {
  if (proc) await stopProcess(proc);
  await drop?.();
});

/** A badge fetched as the public does: no credentials, no cookie. */
async function badge(url: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(base + url);
  return { status: res.status, text: await res.text(), headers: res.headers };
}
const svgStatus = (svg: string) => /<title>[^<]*: (\w+)<\/title>/.exec(svg)?.[1];

async function monitor(name: string, periodSeconds: number, graceSeconds: number, tags: string[]) {
  const r = await a.call("POST", "/api/v1/monitors", {
    name,
    schedule: { kind: "interval", periodSeconds, graceSeconds },
    tags,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { id: number; code: string; name: string };
}

test(
  "a monitor's badge follows it new → up → late → down, as SVG and as shields.io JSON, without login",
  { skip },
  async () => {
    const m = await monitor("nightly-backup", 3, 3, ["badge-one"]);
    const other = await monitor("secret-other-job", 3600, 60, ["badge-one"]);
    // A viewer may ask for the badge: made on demand, the same key every time, then listed on the monitor.
    const made = await a.call("GET", `/api/v1/monitors/${m.id}/badge`, undefined, viewer);
    assert.equal(made.status, 200, JSON.stringify(made.body));
    assert.match(made.body.key, /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(made.body, (await a.call("GET", `/api/v1/monitors/${m.id}/badge`)).body);
    assert.equal((await a.call("GET", `/api/v1/monitors/${m.id}`, undefined, viewer)).body.badgeUrl, made.body.svg);
    assert.ok(
      !made.body.svg.includes(m.code) &&
        made.body.svg === `/badge/${made.body.key}.svg` &&
        made.body.json === `/badge/${made.body.key}.json`,
    );

    const seen = async () => {
      const svg = await badge(made.body.svg);
      const json = await badge(made.body.json);
      assert.equal(svg.status, 200);
      assert.equal(json.status, 200);
      assert.match(svg.headers.get("content-type")!, /^image\/svg\+xml/);
      const body = JSON.parse(json.text);
      assert.equal(svgStatus(svg.text), body.message, "the SVG and the JSON agree");
      for (const secret of [m.code, other.code, other.name]) {
        assert.ok(!svg.text.includes(secret) && !json.text.includes(secret), `the badge shows nothing of ${secret}`);
      }
      return body as { schemaVersion: number; label: string; message: string; color: string };
    };

    assert.deepEqual(await seen(), { schemaVersion: 1, label: "nightly-backup", message: "new", color: "lightgrey" });
    const first = await badge(made.body.svg);
    assert.match(first.headers.get("cache-control")!, /^public, max-age=\d{1,3}$/);
    assert.equal(first.headers.get("x-content-type-options"), "nosniff");
    assert.ok(first.headers.get("content-security-policy")?.includes("default-src 'self'"));
    assert.match(first.text, /fill="#9f9f9f"/);

    assert.equal(
      (
        await fetch(`${base}/ping/${m.code}`, {
          headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
        })
      ).status,
      200,
    );
    assert.deepEqual(await seen(), { schemaVersion: 1, label: "nightly-backup", message: "up", color: "brightgreen" });
    assert.match((await badge(made.body.svg)).text, /fill="#4c1"/);
    // No more pings: late after 3 s, down 3 s later.
    await eventually(async () => (await seen()).message === "late", 20_000, "the badge to say late", 200);
    assert.equal((await seen()).color, "orange");
    await eventually(async () => (await seen()).message === "down", 20_000, "the badge to say down", 200);
    assert.equal((await seen()).color, "red");
    assert.match((await badge(made.body.svg)).text, /fill="#e05d44"/);
  },
);

test("a tag's badge shows the worst status of its monitors, and only the tag's name", { skip }, async () => {
  const good = await monitor("tag-good", 3600, 3600, ["shop"]);
  const bad = await monitor("tag-bad", 3600, 3600, ["shop"]);
  const tag = await a.call("GET", "/api/v1/tags/shop/badge", undefined, viewer);
  assert.equal(tag.status, 200);
  const show = async () => JSON.parse((await badge(tag.body.json)).text);
  assert.deepEqual(await show(), { schemaVersion: 1, label: "shop", message: "new", color: "lightgrey" });
  const ping = (code: string, signal = "") =>
    fetch(`${base}/ping/${code}${signal}`, {
      headers: { authorization: "Basic " + Buffer.from(admin.join(":")).toString("base64") },
    });
  assert.equal((await ping(good.code)).status, 200);
  assert.equal((await ping(bad.code)).status, 200);
  assert.equal((await show()).message, "up");
  assert.equal((await ping(bad.code, "/fail")).status, 200);
  assert.deepEqual(await show(), { schemaVersion: 1, label: "shop", message: "down", color: "red" });
  const svg = (await badge(tag.body.svg)).text;
  assert.equal(svgStatus(svg), "down");
  for (const secret of [good.code, bad.code, good.name, bad.name])
    assert.ok(!svg.includes(secret), `the tag badge shows nothing of ${secret}`);
  // Paused monitors do not hide a recovery: once the failing one is paused the tag is up again.
  assert.equal((await a.call("POST", `/api/v1/monitors/${bad.id}/pause`, {})).status, 200);
  assert.equal((await show()).message, "up");
  assert.equal((await a.call("GET", "/api/v1/tags/no-such-tag/badge")).status, 404);
});

test("a label is XML-escaped in the SVG and plain text in the JSON; too long a label is a 422", { skip }, async () => {
  const m = await monitor("label-me", 3600, 3600, []);
  const b = (await a.call("GET", `/api/v1/monitors/${m.id}/badge`)).body;
  const evil = `<script>alert(1)</script><x a="1" b='2'>&`;
  const svg = await badge(`${b.svg}?label=${encodeURIComponent(evil)}`);
  assert.equal(svg.status, 200);
  assert.ok(!svg.text.includes("<script"), "no markup from the label");
  assert.ok(!svg.text.includes("<x "), "no element from the label");
  assert.ok(svg.text.includes("&lt;script&gt;alert(1)&lt;/script&gt;&lt;x a=&quot;1&quot; b=&apos;2&apos;&gt;&amp;"));
  assert.equal(JSON.parse((await badge(`${b.json}?label=${encodeURIComponent(evil)}`)).text).label, evil);
  assert.equal(JSON.parse((await badge(`${b.json}?label=build`)).text).label, "build");
  const long = await badge(`${b.svg}?label=${"x".repeat(101)}`);
  assert.equal(long.status, 422);
  assert.equal(JSON.parse(long.text).error.field, "label");
});

test(
  "unknown, malformed and regenerated keys are one bare 404; a deleted monitor's badge is gone",
  { skip },
  async () => {
    const m = await monitor("regen", 3600, 3600, []);
    const old = (await a.call("GET", `/api/v1/monitors/${m.id}/badge`)).body;
    const nothing = { error: { code: "NOT_FOUND", message: "no such badge" } };
    for (const url of [
      "/badge/AAAAAAAAAAAAAAAAAAAAAA.svg",
      "/badge/AAAAAAAAAAAAAAAAAAAAAA.json",
      `/badge/${m.code}.svg`,
      "/badge/x.svg",
      `/badge/${old.key}.png`,
      `/badge/${old.key}`,
    ]) {
      const r = await badge(url);
      assert.equal(r.status, 404, url);
      assert.deepEqual(JSON.parse(r.text), nothing, url);
    }
    // Regenerating (admins) replaces the key: the old URL stops working at once.
    const fresh = await a.call("POST", `/api/v1/monitors/${m.id}/badge`, {});
    assert.equal(fresh.status, 200);
    assert.notEqual(fresh.body.key, old.key);
    assert.deepEqual(JSON.parse((await badge(old.svg)).text), nothing);
    assert.equal((await badge(fresh.body.svg)).status, 200);
    assert.equal((await a.call("POST", `/api/v1/monitors/${m.id}/badge`, {}, viewer)).status, 403);
    assert.equal((await a.call("DELETE", `/api/v1/monitors/${m.id}`)).status, 200);
    assert.deepEqual(JSON.parse((await badge(fresh.body.svg)).text), nothing);
    assert.equal((await a.call("GET", `/api/v1/monitors/${m.id}/badge`)).status, 404);
  },
);

// Uptime Kuma's GHSA-c7hf-c5p5-5g6h: its public badge route took a monitor's id, so anyone could
// read the status of monitors nobody had published. Here only a random key, made by a signed-in
// user, opens a badge; every other guess must look like every other miss.
test(
  "an anonymous caller learns nothing of a monitor or tag no badge was made for, by id, name, code, tag or a near key",
  { skip },
  async () => {
    const hidden = await monitor("payroll-private", 3600, 3600, ["finance-private"]);
    const shown = await monitor("status-public", 3600, 3600, []);
    const key = (await a.call("GET", `/api/v1/monitors/${shown.id}/badge`)).body.key as string;
    const swapCase = (s: string) =>
      [...s].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join("");
    const nothing = { error: { code: "NOT_FOUND", message: "no such badge" } };
    const guesses = [
      String(hidden.id),
      String(shown.id),
      hidden.name,
      hidden.code,
      "finance-private",
      Buffer.from(String(hidden.id).padStart(16, "0")).toString("base64url"),
      swapCase(key), // MariaDB compares text without case by default: the key must match exactly
      key.slice(0, -1) + (key.endsWith("A") ? "B" : "A"),
    ];
    assert.notEqual(swapCase(key), key);
    for (const guess of guesses)
      for (const ext of ["svg", "json"]) {
        const r = await badge(`/badge/${encodeURIComponent(guess)}.${ext}`);
        assert.equal(r.status, 404, `${guess}.${ext}`);
        assert.deepEqual(JSON.parse(r.text), nothing, `${guess}.${ext}`);
      }
    // Only GET opens a badge; another method is no way round the key.
    assert.notEqual((await fetch(`${base}/badge/${key}.svg`, { method: "POST" })).status, 200);

    // The badge API wants a caller before it looks anything up: a monitor or tag that exists answers
    // exactly as one that does not, and no key is made on an anonymous request.
    const anonymous = async (method: string, path: string) => {
      const r = await fetch(base + path, { method });
      return { status: r.status, body: await r.text() };
    };
    for (const method of ["GET", "POST"]) {
      const real = [`/api/v1/monitors/${hidden.id}/badge`, "/api/v1/tags/finance-private/badge"];
      const unreal = ["/api/v1/monitors/999999/badge", "/api/v1/tags/no-such-tag-here/badge"];
      for (let i = 0; i < real.length; i++) {
        const [yes, no] = [await anonymous(method, real[i]!), await anonymous(method, unreal[i]!)];
        assert.equal(yes.status, 401, `${method} ${real[i]}`);
        assert.deepEqual(yes, no, `${method} ${real[i]} answers as ${unreal[i]}`);
      }
    }
    assert.equal((await a.call("GET", `/api/v1/monitors/${hidden.id}`)).body.badgeUrl, null);

    // What the made key shows: its monitor's name and status, nothing else (no id, code or tags).
    const json = JSON.parse((await badge(`/badge/${key}.json`)).text);
    assert.deepEqual(json, { schemaVersion: 1, label: "status-public", message: "new", color: "lightgrey" });
    const svg = (await badge(`/badge/${key}.svg`)).text;
    for (const secret of [shown.code, hidden.code, hidden.name, "finance-private", `"${shown.id}"`])
      assert.ok(!svg.includes(secret), `the badge shows nothing of ${secret}`);
  },
);
