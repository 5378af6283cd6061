import { test } from "node:test";
import assert from "node:assert/strict";
import {
  buildOpenApi,
  fvToJsonSchema,
  isOptional,
  objectSchema,
  openApiPath,
  parseAliasKey,
} from "../../gateway/openapi.ts";

test("fastest-validator rules become JSON Schema", () => {
  assert.deepEqual(fvToJsonSchema({ type: "string", min: 1, max: 64, pattern: /^[^,]+$/ }), {
    type: "string",
    minLength: 1,
    maxLength: 64,
    pattern: "^[^,]+$",
  });
  assert.deepEqual(fvToJsonSchema({ type: "number", integer: true, positive: true, convert: true }), {
    type: "integer",
    exclusiveMinimum: 0,
  });
  assert.deepEqual(fvToJsonSchema({ type: "number", min: 0, max: 10, default: 3 }), {
    type: "number",
    minimum: 0,
    maximum: 10,
    default: 3,
  });
  assert.deepEqual(fvToJsonSchema({ type: "number", optional: true, nullable: true, integer: true }), {
    type: ["integer", "null"],
  });
  assert.deepEqual(fvToJsonSchema({ type: "enum", values: ["a", "b"] }), { enum: ["a", "b"] });
  assert.deepEqual(fvToJsonSchema({ type: "enum", values: ["a"], nullable: true }), {
    anyOf: [{ enum: ["a"] }, { type: "null" }],
  });
  assert.deepEqual(fvToJsonSchema({ type: "email" }), { type: "string", format: "email" });
  assert.deepEqual(fvToJsonSchema({ type: "url" }), { type: "string", format: "uri" });
  assert.deepEqual(fvToJsonSchema({ type: "boolean", default: false }), { type: "boolean", default: false });
  assert.deepEqual(fvToJsonSchema({ type: "array", max: 3, items: { type: "number", integer: true } }), {
    type: "array",
    items: { type: "integer" },
    maxItems: 3,
  });
  assert.deepEqual(fvToJsonSchema("string|optional|max:5"), { type: "string", maxLength: 5 });
  assert.deepEqual(
    fvToJsonSchema({ type: "object", strict: true, props: { a: "string", b: { type: "number", optional: true } } }),
    {
      type: "object",
      properties: { a: { type: "string" }, b: { type: "number" } },
      required: ["a"],
      additionalProperties: false,
    },
  );
  assert.deepEqual(fvToJsonSchema([{ type: "string" }, { type: "number" }]), {
    anyOf: [{ type: "string" }, { type: "number" }],
  });
  assert.deepEqual(fvToJsonSchema({ type: "any" }), {});
  // A default from a function is computed per call: it is not a constant to document.
  assert.deepEqual(fvToJsonSchema({ type: "number", default: () => 1 }), { type: "number" });
});

test("optional: the flag, a default, or every alternative optional", () => {
  assert.equal(isOptional({ type: "string" }), false);
  assert.equal(isOptional({ type: "string", optional: true }), true);
  assert.equal(isOptional({ type: "number", default: 10 }), true);
  assert.equal(isOptional("string|optional"), true);
  assert.deepEqual(objectSchema({ a: { type: "string" }, $$strict: true } as never).required, ["a"]);
});

test("alias keys and paths", () => {
  assert.deepEqual(parseAliasKey("POST /monitors/:id/pause"), { method: "POST", path: "/monitors/:id/pause" });
  assert.deepEqual(parseAliasKey("GET healthz"), { method: "GET", path: "healthz" });
  assert.equal(parseAliasKey("REST /things"), null);
  assert.equal(openApiPath("/api/v1", "/monitors/:id/pause"), "/api/v1/monitors/{id}/pause");
  assert.equal(openApiPath("/", "healthz"), "/healthz");
  assert.equal(openApiPath("/api/pings", "/"), "/api/pings");
  assert.equal(openApiPath("/ping", "/:code/:signal"), "/ping/{code}/{signal}");
});

test("an operation takes path, query and body fields from the action's params, or from the route's docs", () => {
  const doc = buildOpenApi({
    version: "1",
    routes: [
      {
        path: "/api",
        need: "read-write",
        aliases: { "GET /things/:id": "svc.get", "PATCH /things/:id": "svc.update", "GET /stream": () => {} },
        docs: {
          "GET /stream": {
            summary: "events",
            query: { since: { type: "number", optional: true } },
            produces: "text/event-stream",
          },
        },
      },
      {
        path: "/open",
        authentication: false,
        aliases: { "POST /in": "svc.update" },
        docs: { "POST /in": { summary: "in", body: { text: { type: "string" } } } },
      },
    ],
    actions: [
      {
        name: "svc.get",
        params: { id: { type: "number", integer: true, convert: true }, full: { type: "boolean", optional: true } },
      },
      {
        name: "svc.update",
        params: { id: { type: "number" }, name: { type: "string", max: 9 }, note: { type: "string", optional: true } },
      },
    ],
    access: (_r, method) => ({ role: method === "GET" ? "viewer" : "admin", apiKeys: true }),
  }) as any;
  const get = doc.paths["/api/things/{id}"].get;
  assert.deepEqual(get.parameters, [
    { name: "id", in: "path", required: true, schema: { type: "integer" } },
    { name: "full", in: "query", required: false, schema: { type: "boolean" } },
  ]);
  assert.equal(get["x-action"], "svc.get");
  assert.equal(get["x-required-role"], "viewer");
  const patch = doc.paths["/api/things/{id}"].patch;
  assert.deepEqual(patch.requestBody.content["application/json"].schema, {
    type: "object",
    properties: { name: { type: "string", maxLength: 9 }, note: { type: "string" } },
    required: ["name"],
  });
  assert.deepEqual(
    patch.parameters.map((p: any) => p.name),
    ["id"],
  );
  const stream = doc.paths["/api/stream"].get;
  assert.equal(stream.summary, "events");
  assert.ok(stream.responses["200"].content["text/event-stream"]);
  assert.deepEqual(stream.parameters, [{ name: "since", in: "query", required: false, schema: { type: "number" } }]);
  // The route's docs win over the action's params, and an open route needs no credentials.
  const open = doc.paths["/open/in"].post;
  assert.deepEqual(open.security, []);
  assert.deepEqual(Object.keys(open.requestBody.content["application/json"].schema.properties), ["text"]);
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.components.securitySchemes.basicAuth && doc.components.schemas.Error);
});
