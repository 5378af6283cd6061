// A user's dashboard colour scheme, kept with the user like the language: PATCH /api/v1/session
// {theme} over real HTTP on the embedded system, validated, and read back by a new session.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, type Server } from "../support/server.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;

before(async () => {
  server = await startServer("session-theme", {}, { admin });
});

after(() => server?.stop());

async function login() {
  const res = await fetch(`${server.base}/api/v1/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: admin[0], password: admin[1] }),
  });
  const body = (await res.json()) as any;
  return { cookie: (res.headers.get("set-cookie") ?? "").split(";")[0]!, csrf: body.csrfToken as string, body };
}

async function patch(s: { cookie: string; csrf: string }, body: unknown) {
  const res = await fetch(`${server.base}/api/v1/session`, {
    method: "PATCH",
    headers: { "content-type": "application/json", cookie: s.cookie, "x-csrf-token": s.csrf },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any };
}

test("PATCH /api/v1/session {theme}: stored with the user, read by a new session; a bad value is a 422 naming theme", async () => {
  const s = await login();
  assert.equal(s.body.user.theme, "system", "no choice yet: follow the browser");

  for (const bad of ["blue", "", 1, null, ["dark"]]) {
    const r = await patch(s, { theme: bad });
    assert.equal(r.status, 422, `theme ${JSON.stringify(bad)}`);
    assert.equal(r.body.error.field, "theme");
  }
  const none = await patch(s, {});
  assert.equal(none.status, 422);

  const dark = await patch(s, { theme: "dark" });
  assert.equal(dark.status, 200, JSON.stringify(dark.body));
  assert.equal(dark.body.user.theme, "dark");
  assert.equal(dark.body.user.locale, null, "the language is left as it was");
  const again = await login();
  assert.equal(again.body.user.theme, "dark", "a new session (another browser) gets the choice");

  // Both settings at once, and each alone leaves the other.
  const both = await patch(again, { theme: "light", locale: "zh-Hans" });
  assert.equal(both.status, 200);
  assert.deepEqual([both.body.user.theme, both.body.user.locale], ["light", "zh-Hans"]);
  const localeOnly = await patch(again, { locale: null });
  assert.equal(localeOnly.body.user.theme, "light");
  const me = (await (
    await fetch(`${server.base}/api/v1/session`, { headers: { cookie: again.cookie } })
  ).json()) as any;
  assert.deepEqual([me.user.theme, me.user.locale], ["light", null]);

  const system = await patch(again, { theme: "system" });
  assert.equal(system.body.user.theme, "system");
  assert.equal((await login()).body.user.theme, "system");
});
