// The OpenAPI document and the API reference page, from the real server: the document is
// structurally OpenAPI 3.1 and every schema in it is valid JSON Schema 2020-12; every alias of
// every route of the gateway (enumerated from the gateway service's own settings, built by the
// same code with the same environment as the server) is in it with its method; each operation
// backed by an action takes exactly that action's params, required where the action requires
// them; and /api/docs (Swagger UI) renders every operation in Chromium with no console or CSP error.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import type { ServiceSchema } from "moleculer";
import { Ajv2020 } from "ajv/dist/2020.js";
import { startServer, type Server } from "../support/server.ts";
import { ARTIFACTS, chromiumUnavailable, launchChromium } from "../support/browser.ts";
import { loadConfig } from "../../core/config.ts";
import { systemClock } from "../../core/checker/clock.ts";
import { PLAIN_BOX } from "../../core/security/secret-box.ts";
import { loadCatalog } from "../../plugins/catalog.ts";
import gatewayService from "../../gateway/api.service.ts";
import registryService from "../../services/registry/registry.service.ts";
import ingestService from "../../services/ingest/ingest.service.ts";
import notifierService from "../../services/notifier/notifier.service.ts";
import agentCollectorService from "../../services/agent-collector/agent-collector.service.ts";
import type { ServiceDeps } from "../../services/deps.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let server: Server;
let base: string;
let env: Record<string, string>;

let doc: any;

before(async () => {
  server = await startServer("openapi", {}, { admin });
  ({ base, env } = server);
  const res = await fetch(`${base}/api/openapi.json`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^application\/json/);
  doc = await res.json();
});

after(() => server?.stop());

/** The essentials of the OpenAPI 3.1 schema: document, info, paths, operations, parameters, responses, components. */
const OPENAPI_31 = {
  $defs: {
    parameter: {
      type: "object",
      required: ["name", "in", "schema"],
      properties: {
        name: { type: "string", minLength: 1 },
        in: { enum: ["query", "header", "path", "cookie"] },
        required: { type: "boolean" },
        schema: { type: "object" },
      },
      if: { properties: { in: { const: "path" } } },
      then: { required: ["required"], properties: { required: { const: true } } },
    },
    operation: {
      type: "object",
      required: ["responses"],
      properties: {
        operationId: { type: "string" },
        summary: { type: "string" },
        parameters: { type: "array", items: { $ref: "#/$defs/parameter" } },
        requestBody: {
          type: "object",
          required: ["content"],
          properties: { content: { type: "object", minProperties: 1 } },
        },
        responses: { type: "object", minProperties: 1, propertyNames: { pattern: "^([1-5](XX|[0-9]{2})|default)$" } },
        security: { type: "array", items: { type: "object", additionalProperties: { type: "array" } } },
      },
    },
  },
  type: "object",
  required: ["openapi", "info", "paths", "components"],
  properties: {
    openapi: { type: "string", pattern: "^3\\.1\\.\\d+$" },
    info: {
      type: "object",
      required: ["title", "version"],
      properties: { title: { type: "string" }, version: { type: "string" } },
    },
    paths: {
      type: "object",
      propertyNames: { pattern: "^/" },
      additionalProperties: {
        type: "object",
        propertyNames: { enum: ["get", "put", "post", "delete", "options", "head", "patch", "trace"] },
        additionalProperties: { $ref: "#/$defs/operation" },
      },
    },
    components: {
      type: "object",
      properties: {
        securitySchemes: {
          type: "object",
          additionalProperties: {
            type: "object",
            required: ["type"],
            properties: { type: { enum: ["apiKey", "http", "mutualTLS", "oauth2", "openIdConnect"] } },
            if: { properties: { type: { const: "apiKey" } } },
            then: { required: ["name", "in"] },
          },
        },
      },
    },
  },
};

type Rule = Record<string, unknown> | string;
// A list of rules is fastest-validator's "any of": optional when every alternative is.
const optional = (r: Rule | Rule[]): boolean =>
  Array.isArray(r)
    ? r.every(optional)
    : typeof r === "string"
      ? r.includes("|optional")
      : r.optional === true || (r.default !== undefined && typeof r.default !== "function");

/** The gateway's routes as the server builds them: the same factory, the same environment. */
async function servedRoutes() {
  const config = loadConfig(env);
  const deps = {
    config,
    db: {} as ServiceDeps["db"],
    clock: systemClock,
    channels: await loadCatalog([]),
    secrets: PLAIN_BOX,
  } satisfies ServiceDeps;
  const gateway = gatewayService(deps);
  const services = [registryService(deps), ingestService(deps), notifierService(deps), agentCollectorService(deps)];
  /** service name + action name → params, mixins included. */
  const actions = new Map<string, Record<string, Rule>>();
  const collect = (name: string, schema: Partial<ServiceSchema>) => {
    for (const mixin of (schema.mixins ?? []) as Partial<ServiceSchema>[]) collect(name, mixin);
    for (const [key, action] of Object.entries(schema.actions ?? {}))
      actions.set(
        `${name}.${key}`,
        ((action as { params?: Record<string, Rule> }).params ?? {}) as Record<string, Rule>,
      );
  };
  for (const s of services) collect(s.name, s);
  return {
    routes: gateway.settings!.routes as {
      path: string;
      aliases: Record<string, unknown>;
      docs?: Record<string, unknown>;
    }[],
    actions,
  };
}

test("the document is OpenAPI 3.1 and every schema in it is valid JSON Schema 2020-12", () => {
  // Formats are annotations here (test/e2e/api-contract.test.ts checks date-times in answers).
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const valid = ajv.validate(OPENAPI_31, doc);
  assert.ok(valid, JSON.stringify(ajv.errors?.slice(0, 5)));
  let schemas = 0;
  // A schema's $ref to a component resolves in the document: compiled with the components beside it.
  const compile = (schema: object) => (ajv.compile({ ...schema, components: doc.components }), schemas++);
  for (const ops of Object.values<Record<string, any>>(doc.paths)) {
    for (const op of Object.values<any>(ops)) {
      for (const p of op.parameters) compile(p.schema);
      const body = op.requestBody?.content["application/json"]?.schema;
      if (body) compile(body);
      for (const r of Object.values<any>(op.responses)) {
        if (r.$ref) assert.ok(r.$ref.startsWith("#/components/responses/"));
        for (const media of Object.values<any>(r.content ?? {})) compile(media.schema);
      }
      for (const req of op.security)
        for (const name of Object.keys(req))
          assert.ok(doc.components.securitySchemes[name], `security scheme ${name} is defined`);
    }
  }
  for (const schema of Object.values<object>(doc.components.schemas)) compile(schema);
  assert.ok(schemas > 150, `${schemas} schemas compiled`);
  // Basic auth, an API key as bearer or header, the session cookie with its CSRF header.
  assert.deepEqual(Object.keys(doc.components.securitySchemes).sort(), [
    "basicAuth",
    "bearerKey",
    "csrfHeader",
    "headerKey",
    "sessionCookie",
  ]);
});

test("every alias of every route of the gateway is documented with its method", async () => {
  const { routes } = await servedRoutes();
  const missing: string[] = [];
  let aliases = 0;
  for (const route of routes) {
    for (const key of Object.keys(route.aliases)) {
      const [method, aliasPath] = key.split(/\s+/) as [string, string];
      const full = `/${route.path}/${aliasPath}`
        .replace(/\/+/g, "/")
        .replace(/(.)\/$/, "$1")
        .replace(/:(\w+)/g, "{$1}");
      aliases++;
      if (!doc.paths[full]?.[method.toLowerCase()]) missing.push(`${method} ${full}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(aliases >= 55, `${aliases} aliases`);
  for (const must of [
    "/badge/{file}",
    "/api/openapi.json",
    "/api/docs",
    "/api/v1/session",
    "/api/pings",
    "/ping/{code}/{signal}",
    "/healthz",
    "/api/v1/events",
  ]) {
    assert.ok(doc.paths[must], `${must} is documented`);
  }
  // And a real error answer has the documented shape.
  const ajv = new Ajv2020({ strict: false });
  const err = await (await fetch(`${base}/api/v1/monitors`)).json();
  assert.ok(ajv.validate(doc.components.schemas.Error, err), JSON.stringify(err));
});

test("each action-backed operation takes exactly its action's params, required where the action requires them", async () => {
  const { routes, actions } = await servedRoutes();
  const wrong: string[] = [];
  let checked = 0;
  for (const route of routes) {
    for (const [key, target] of Object.entries(route.aliases)) {
      // Function aliases, and aliases whose hooks build the action's params, document themselves.
      if (typeof target !== "string" || route.docs?.[key]) continue;
      const [method, aliasPath] = key.split(/\s+/) as [string, string];
      const full = `/${route.path}/${aliasPath}`
        .replace(/\/+/g, "/")
        .replace(/(.)\/$/, "$1")
        .replace(/:(\w+)/g, "{$1}");
      const op = doc.paths[full][method.toLowerCase()];
      const params = actions.get(target);
      assert.ok(params, `${target} exists`);
      assert.equal(op["x-action"], target);
      const documented = new Map<string, boolean>();
      for (const p of op.parameters) documented.set(p.name, p.required);
      const body = op.requestBody?.content["application/json"].schema;
      for (const name of Object.keys(body?.properties ?? {}))
        documented.set(name, (body.required ?? []).includes(name));
      const expected = new Map(
        Object.entries(params)
          .filter(([n]) => !n.startsWith("$$"))
          .map(([n, r]) => [n, !optional(r) || full.includes(`{${n}}`)]),
      );
      if (JSON.stringify([...documented].sort()) !== JSON.stringify([...expected].sort())) {
        wrong.push(
          `${key} (${target}): documented ${JSON.stringify([...documented])}, action ${JSON.stringify([...expected])}`,
        );
      }
      checked++;
    }
  }
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 35, `${checked} operations checked`);
  // Spot checks that would fail if the conversion lost a rule.
  const create = doc.paths["/api/v1/monitors"].post.requestBody.content["application/json"].schema;
  assert.deepEqual(create.required, ["name", "schedule"]);
  assert.deepEqual(create.properties.name, { type: "string", minLength: 1, maxLength: 200 });
  assert.deepEqual(create.properties.description.type, ["string", "null"]);
  const limit = doc.paths["/api/v1/monitors"].get.parameters.find((p: { name: string }) => p.name === "limit");
  assert.deepEqual(limit, {
    name: "limit",
    in: "query",
    required: false,
    schema: { type: "integer", minimum: 1, maximum: 500, default: 100 },
  });
  const status = doc.paths["/api/v1/monitors"].get.parameters.find((p: { name: string }) => p.name === "status");
  assert.deepEqual(status.schema.enum, ["new", "up", "late", "down", "paused"]);
  assert.equal(doc.paths["/api/v1/users"].get["x-required-role"], "admin");
  assert.equal(doc.paths["/api/v1/users"].get["x-api-keys"], false);
  assert.equal(doc.paths["/api/v1/monitors"].get["x-required-role"], "viewer");
  assert.deepEqual(doc.paths["/badge/{file}"].get.security, []);
});

test(
  "/api/docs is Swagger UI from node_modules: every operation rendered in Chromium, with no console or CSP error",
  { skip: chromiumUnavailable() },
  async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
      page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));
      const res = await page.goto(`${base}/api/docs`);
      assert.equal(res?.status(), 200);
      assert.ok(
        res?.headers()["content-security-policy"]?.includes("script-src 'self'"),
        "the page is served under the CSP",
      );
      const operations = Object.values<Record<string, unknown>>(doc.paths).reduce(
        (n, ops) => n + Object.keys(ops).length,
        0,
      );
      // A function, not a string: Playwright evaluates a string predicate with the page's eval, which this
      // page's CSP refuses whenever the first check is not already true.
      await page.waitForFunction(
        (n) => (globalThis as any).document.querySelectorAll(".opblock").length === n,
        operations,
        { timeout: 30_000 },
      );
      const text = await page.textContent("#swagger-ui");
      assert.ok(
        text?.includes("Heartbeats API") && text.includes("/api/v1/monitors/{id}/pause"),
        "the document's title and paths are shown",
      );
      // Opening an operation shows its response schema by name.
      await page.click("#operations-api-getMonitor .opblock-summary");
      await page.waitForSelector("#operations-api-getMonitor .responses-wrapper", { timeout: 10_000 });
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, "api-docs.png"), fullPage: false });
      // Swagger UI's own files come from this server (swagger-ui-dist), nothing from elsewhere.
      for (const file of ["swagger-ui.css", "swagger-ui-bundle.js", "swagger-init.js"])
        assert.equal((await fetch(`${base}/api/docs/${file}`)).status, 200, file);
      assert.equal((await fetch(`${base}/api/docs/package.json`)).status, 404);
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
);
