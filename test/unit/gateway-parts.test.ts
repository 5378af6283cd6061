import { test } from "node:test";
import assert from "node:assert/strict";
import { parseBasic, CredentialCache } from "../../gateway/basic-auth.ts";
import { errorBody, httpStatusOf } from "../../gateway/errors.ts";
import { cacheControlFor } from "../../gateway/dashboard.ts";
import { relyingParty } from "../../gateway/session.ts";

test("basic credentials: parsed, with colons allowed in the password; junk is no credential", () => {
  const h = (s: string) => "Basic " + Buffer.from(s).toString("base64");
  assert.deepEqual(parseBasic(h("root:pa:ss")), { username: "root", password: "pa:ss" });
  assert.deepEqual(parseBasic(h("root:")), { username: "root", password: "" });
  assert.equal(parseBasic(undefined), null);
  assert.equal(parseBasic(h("no-colon")), null);
  assert.equal(parseBasic("Bearer abc"), null);
  assert.equal(parseBasic("Basic !!!"), null);
});

test("verified credentials are cached for their lifetime only, keyed by both parts", () => {
  const cache = new CredentialCache<string>(1000);
  cache.set({ username: "a", password: "p" }, "user-a", 0);
  assert.equal(cache.get({ username: "a", password: "p" }, 999), "user-a");
  assert.equal(cache.get({ username: "a", password: "q" }, 10), null);
  assert.equal(cache.get({ username: "a:p", password: "" }, 10), null);
  assert.equal(cache.get({ username: "a", password: "p" }, 1000), null);
});

test("errors: validation names the field; server errors hide their internals", () => {
  const v = {
    code: 422,
    type: "VALIDATION_ERROR",
    message: "Parameters validation error!",
    data: [{ field: "schedule.kind", message: "unknown kind" }],
  };
  assert.equal(httpStatusOf(v), 422);
  assert.deepEqual(errorBody(v, 422), {
    error: {
      code: "VALIDATION_ERROR",
      message: "unknown kind",
      field: "schedule.kind",
      details: [{ field: "schedule.kind", message: "unknown kind" }],
    },
  });
  const boom = { message: "SQLITE_CORRUPT: secret path /var/x" };
  assert.equal(httpStatusOf(boom), 500);
  assert.deepEqual(errorBody(boom, 500), { error: { code: "INTERNAL_ERROR", message: "internal error" } });
  assert.equal(httpStatusOf({ name: "ServiceNotFoundError", code: 404 }), 503);
  const tooBig = { status: 413, type: "entity.too.large", message: "request entity too large" };
  assert.deepEqual(errorBody(tooBig, httpStatusOf(tooBig)), {
    error: { code: "PAYLOAD_TOO_LARGE", message: "request body too large" },
  });
  assert.deepEqual(
    errorBody({ code: 404, type: "NOT_FOUND", message: "monitor not found", data: { field: "id" } }, 404),
    { error: { code: "NOT_FOUND", message: "monitor not found", field: "id" } },
  );
});

test("the dashboard's hashed bundles are cached for good, whatever letters their hash has; the rest is re-checked", () => {
  const forever = "public, max-age=31536000, immutable";
  // Names as Angular 22's builder writes them: mixed-case base64url hashes, "-" and "_" included.
  for (const f of [
    "main-BMN5MAUG.js",
    "styles-FEJKYGBO.css",
    "chunk-BLdtTtez.js",
    "chunk-PF-2ykX9.js",
    "chunk-C_THzYJb.js",
  ])
    assert.equal(cacheControlFor(`/app/dashboard/dist/browser/${f}`), forever, f);
  for (const f of ["index.html", "favicon.ico", "3rdpartylicenses.txt", "my-report.js", "chunk.js"])
    assert.equal(cacheControlFor(`/app/dashboard/dist/browser/${f}`), "no-cache", f);
});

test("the WebAuthn relying party: PUBLIC_URL's when set, else the host the browser reached", () => {
  const req = (host: string | undefined, headers: Record<string, string> = {}, encrypted = false) =>
    ({ headers: { ...(host === undefined ? {} : { host }), ...headers }, socket: { encrypted } }) as never;
  assert.deepEqual(relyingParty(req("10.0.0.5:5827"), false, "https://hb.example.com/base"), {
    rpID: "hb.example.com",
    origin: "https://hb.example.com",
  });
  assert.deepEqual(relyingParty(req("localhost:5827"), false, null), {
    rpID: "localhost",
    origin: "http://localhost:5827",
  });
  assert.deepEqual(relyingParty(req("hb.example.com"), false, null), {
    rpID: "hb.example.com",
    origin: "http://hb.example.com",
  });
  assert.deepEqual(relyingParty(req("hb.example.com", {}, true), false, null), {
    rpID: "hb.example.com",
    origin: "https://hb.example.com",
  });
  // X-Forwarded-Proto counts only behind a trusted proxy.
  const proxied = req("hb.example.com", { "x-forwarded-proto": "https" });
  assert.equal(relyingParty(proxied, true, null).origin, "https://hb.example.com");
  assert.equal(relyingParty(proxied, false, null).origin, "http://hb.example.com");
  assert.deepEqual(relyingParty(req("[::1]:8080"), false, null), { rpID: "::1", origin: "http://[::1]:8080" });
  // A Host no URL can hold verifies no passkey, and throws nothing.
  assert.deepEqual(relyingParty(req("bad host/x"), false, null), { rpID: "invalid", origin: "http://invalid" });
});
