// The OpenAPI 3.1 document of the gateway, generated from what the routes declare: each alias of
// each route, the params (fastest-validator schemas) of the action it calls, read from the
// broker's registry at the time of the request, and for function aliases and routes whose hooks
// build the action's params themselves, the `docs` table written next to the route. What each
// operation answers, and its operationId, come from the contract (gateway/contract/). Pure: the
// gateway, or bin/openapi-document.ts without a server, passes its routes and the action list in.

import { ERROR_BODY_SCHEMA } from "./errors.ts";
import { CONTRACT_OPERATIONS, CONTRACT_SCHEMAS } from "./contract/index.ts";
import { SESSION_COOKIE } from "./session.ts";

type Json = Record<string, unknown>;
/** A fastest-validator rule: an object, a shorthand string ("string|optional") or a list (any of). */
export type FvRule = Json | string | FvRule[];

export interface AliasDoc {
  summary: string;
  /** fastest-validator schemas of what the request takes */
  query?: Record<string, FvRule>;
  body?: Record<string, FvRule>;
  /** the success answer's media type (JSON by default) and status */
  produces?: string;
  status?: number;
}

export interface RouteLike {
  name?: string;
  path: string;
  authentication?: boolean;
  need?: string;
  aliases: Record<string, unknown>;
  /** docs of aliases whose request is not the action's params: function aliases and hooks */
  docs?: Record<string, AliasDoc>;
}

export interface ActionLike {
  name: string;
  params?: Record<string, FvRule>;
  description?: string;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** "POST /monitors/:id/pause" → ["POST", "/monitors/:id/pause"]; null for anything else. */
export function parseAliasKey(key: string): { method: string; path: string } | null {
  const m = /^([A-Z]+)\s+(.*)$/.exec(key.trim());
  if (!m || !METHODS.has(m[1]!)) return null;
  return { method: m[1]!, path: m[2]! };
}

/** The OpenAPI path of an alias: the route's path and the alias's, `:id` as `{id}`. */
export function openApiPath(routePath: string, aliasPath: string): string {
  const joined = `/${routePath}/${aliasPath}`.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
  return joined.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

function shorthand(rule: string): Json {
  const [type, ...flags] = rule.split("|").map((s) => s.trim());
  const out: Json = { type };
  for (const f of flags) {
    const [k, v] = f.split(":");
    out[k!] =
      v === undefined ? true : v === "true" ? true : v === "false" ? false : Number.isNaN(Number(v)) ? v : Number(v);
  }
  return out;
}

/** fastest-validator's optional flag, in any of its spellings. */
export function isOptional(rule: FvRule): boolean {
  if (Array.isArray(rule)) return rule.every(isOptional);
  const r = typeof rule === "string" ? shorthand(rule) : rule;
  return r.optional === true || (r.default !== undefined && typeof r.default !== "function");
}

function withNull(schema: Json): Json {
  if (typeof schema.type === "string") return { ...schema, type: [schema.type, "null"] };
  return { anyOf: [schema, { type: "null" }] };
}

/** One fastest-validator rule as JSON Schema (2020-12, as OpenAPI 3.1 uses). */
export function fvToJsonSchema(rule: FvRule): Json {
  if (Array.isArray(rule)) return { anyOf: rule.map(fvToJsonSchema) };
  const r = typeof rule === "string" ? shorthand(rule) : rule;
  let s: Json;
  switch (r.type) {
    case "string": {
      s = { type: "string" };
      if (typeof r.min === "number") s.minLength = r.min;
      if (typeof r.max === "number") s.maxLength = r.max;
      if (typeof r.length === "number") s.minLength = s.maxLength = r.length;
      // A RegExp read locally; over a transporter it arrives as its source or not at all.
      if (r.pattern instanceof RegExp) s.pattern = r.pattern.source;
      else if (typeof r.pattern === "string") s.pattern = r.pattern;
      if (Array.isArray(r.enum)) s.enum = r.enum;
      if (r.numeric === true) s.pattern = "^-?[0-9]+(\\.[0-9]+)?$";
      break;
    }
    case "number": {
      s = { type: r.integer === true ? "integer" : "number" };
      if (typeof r.min === "number") s.minimum = r.min;
      if (typeof r.max === "number") s.maximum = r.max;
      if (r.positive === true) s.exclusiveMinimum = 0;
      if (r.negative === true) s.exclusiveMaximum = 0;
      if (typeof r.equal === "number") s.const = r.equal;
      break;
    }
    case "boolean":
      s = { type: "boolean" };
      break;
    case "enum":
      s = { enum: Array.isArray(r.values) ? r.values : [] };
      break;
    case "equal":
      s = { const: r.value };
      break;
    case "email":
      s = { type: "string", format: "email" };
      if (typeof r.max === "number") s.maxLength = r.max;
      break;
    case "url":
      s = { type: "string", format: "uri" };
      break;
    case "uuid":
      s = { type: "string", format: "uuid" };
      break;
    case "date":
      s = { type: "string", format: "date-time" };
      break;
    case "array": {
      s = { type: "array" };
      if (r.items !== undefined) s.items = fvToJsonSchema(r.items as FvRule);
      if (typeof r.min === "number") s.minItems = r.min;
      if (typeof r.max === "number") s.maxItems = r.max;
      if (typeof r.length === "number") s.minItems = s.maxItems = r.length;
      if (Array.isArray(r.enum)) s.items = { enum: r.enum };
      break;
    }
    case "object": {
      s = { type: "object" };
      const props = (r.props ?? r.properties) as Record<string, FvRule> | undefined;
      if (props) Object.assign(s, objectSchema(props));
      if (r.strict === true || r.strict === "remove") s.additionalProperties = false;
      break;
    }
    case "multi":
      s = { anyOf: Array.isArray(r.rules) ? (r.rules as FvRule[]).map(fvToJsonSchema) : [] };
      break;
    default:
      // any, custom and unknown types: anything goes as far as the schema can say.
      s = {};
  }
  if (r.default !== undefined && typeof r.default !== "function") s.default = r.default;
  if (typeof r.description === "string") s.description = r.description;
  return r.nullable === true ? withNull(s) : s;
}

/** A params object ({field: rule}) as an object schema with its required fields. */
export function objectSchema(params: Record<string, FvRule>): {
  type: "object";
  properties: Record<string, Json>;
  required?: string[];
} {
  const properties: Record<string, Json> = {};
  const required: string[] = [];
  for (const [name, rule] of Object.entries(params)) {
    if (name === "$$strict" || name === "$$async" || name === "$$root") continue;
    properties[name] = fvToJsonSchema(rule);
    if (!isOptional(rule)) required.push(name);
  }
  return required.length ? { type: "object", properties, required } : { type: "object", properties };
}

const ERROR_RESPONSE = { $ref: "#/components/responses/Error" };

/** An operation the contract does not name yet: "get /things/{id}" → "getThingsId". */
export function fallbackOperationId(method: string, path: string): string {
  const words = path.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return method.toLowerCase() + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** The success answer: the contract's JSON schema, text for the other media types, nothing for HEAD and 204. */
function successResponse(method: string, status: string, produces: string, schema: Json | undefined): Json {
  if (method === "HEAD") return { description: "as GET, without a body" };
  if (status === "204") return { description: "no content" };
  const json = produces === "application/json";
  return { description: "success", content: { [produces]: { schema: schema ?? (json ? {} : { type: "string" }) } } };
}

/** Security requirements of a route: none, any credential of a pinger, or a person's or key's. */
function security(route: RouteLike, method: string): Json[] {
  if (route.authentication === false) return [];
  const common: Json[] = [{ basicAuth: [] }, { bearerKey: [] }, { headerKey: [] }];
  if (route.need === "pinger") return common;
  return [
    ...common,
    method === "GET" || method === "HEAD" ? { sessionCookie: [] } : { sessionCookie: [], csrfHeader: [] },
  ];
}

export interface BuildInput {
  version: string;
  routes: RouteLike[];
  actions: ActionLike[];
  /** the role an alias needs (null when it needs no login), and whether API keys may call it */
  access(route: RouteLike, method: string, aliasPath: string): { role: string | null; apiKeys: boolean };
}

/** The whole document. Operations carry `x-action` (the action behind them) and `x-required-role`. */
export function buildOpenApi(input: BuildInput): Json {
  const actions = new Map(input.actions.map((a) => [a.name, a]));
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of input.routes) {
    for (const [key, target] of Object.entries(route.aliases ?? {})) {
      const alias = parseAliasKey(key);
      if (!alias) continue;
      const path = openApiPath(route.path, alias.path);
      const method = alias.method.toLowerCase();
      const actionName = typeof target === "string" ? target : null;
      const action = actionName ? actions.get(actionName) : undefined;
      const doc = route.docs?.[key];
      const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      // The request's fields: the route's own docs if it wrote any, else the action's params.
      const fields: Record<string, FvRule> = doc
        ? { ...(doc.query ?? {}), ...(doc.body ?? {}) }
        : { ...(action?.params ?? {}) };
      const inBody = doc
        ? new Set(Object.keys(doc.body ?? {}))
        : new Set(["POST", "PUT", "PATCH"].includes(alias.method) ? Object.keys(fields) : []);
      const parameters: Json[] = [];
      for (const name of pathNames) {
        parameters.push({
          name,
          in: "path",
          required: true,
          schema: fields[name] ? fvToJsonSchema(fields[name]!) : { type: "string" },
        });
        inBody.delete(name);
      }
      const bodyFields: Record<string, FvRule> = {};
      for (const [name, rule] of Object.entries(fields)) {
        if (pathNames.includes(name) || name.startsWith("$$")) continue;
        if (inBody.has(name)) bodyFields[name] = rule;
        else parameters.push({ name, in: "query", required: !isOptional(rule), schema: fvToJsonSchema(rule) });
      }
      const access = input.access(route, alias.method, alias.path);
      const contract = CONTRACT_OPERATIONS[`${alias.method} ${path}`];
      const status = String(
        doc?.status ?? (alias.method === "POST" && /^\/?[a-z-]+$/.test(alias.path.replace(/^\//, "")) ? 201 : 200),
      );
      const op: Json = {
        operationId: contract?.operationId ?? fallbackOperationId(method, path),
        summary: doc?.summary ?? action?.description ?? actionName ?? key,
        tags: [route.name ?? "api"],
        parameters,
        responses: {
          [status]: successResponse(alias.method, status, doc?.produces ?? "application/json", contract?.response),
          "4XX": ERROR_RESPONSE,
          "503": ERROR_RESPONSE,
        },
        security: security(route, alias.method),
        "x-required-role": access.role,
        "x-api-keys": access.apiKeys,
      };
      if (actionName) op["x-action"] = actionName;
      if (Object.keys(bodyFields).length) {
        const schema = objectSchema(bodyFields);
        // A field the validator knows only as "object" (a schedule, a rule): the contract types it.
        for (const [name, typed] of Object.entries(contract?.body ?? {}))
          if (schema.properties[name]) schema.properties[name] = typed;
        op.requestBody = { required: (schema.required?.length ?? 0) > 0, content: { "application/json": { schema } } };
      }
      (paths[path] ??= {})[method] = op;
    }
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Heartbeats API",
      version: input.version,
      description:
        "Heartbeat / cron-job monitor. Generated from the gateway's routes and the validation schemas of the actions they call.",
    },
    paths,
    components: {
      schemas: { Error: ERROR_BODY_SCHEMA, ...CONTRACT_SCHEMAS },
      responses: {
        Error: {
          description: "the one error shape",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
      securitySchemes: {
        basicAuth: {
          type: "http",
          scheme: "basic",
          description: "a user's name and password, or any name and an API key as the password",
        },
        bearerKey: { type: "http", scheme: "bearer", description: "an API key (hbk_…)" },
        headerKey: { type: "apiKey", in: "header", name: "X-Api-Key", description: "an API key (hbk_…)" },
        sessionCookie: {
          type: "apiKey",
          in: "cookie",
          name: SESSION_COOKIE,
          description:
            "the dashboard's session (POST /api/v1/session); named `__Host-hb_session` when PUBLIC_URL is https",
        },
        csrfHeader: {
          type: "apiKey",
          in: "header",
          name: "X-CSRF-Token",
          description: "the session's CSRF token, on every change made with the cookie",
        },
      },
    },
  };
}
