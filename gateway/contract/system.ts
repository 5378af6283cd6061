// The routes around the API: health, the ping URLs, public badges and this reference. Most of
// them answer text, SVG or HTML; the JSON ones are here.

import { STATUSES } from "../../core/monitor/monitor-status.ts";
import { PING_KINDS } from "../../core/monitor/ping.ts";
import type { Operations } from "./json-schema.ts";
import { constant, dateTime, enumOf, int, mapOf, nullable, object, ref, str } from "./json-schema.ts";

export const schemas = {
  Health: object({ status: constant("ok") }),
  Readiness: object({
    status: enumOf(["ready", "not ready"]),
    checks: object(
      {
        /** "ok", or "no live node: " and the services this process calls that have none */
        services: str,
        database: enumOf(["ok", "down"]),
        transporter: enumOf(["ok", "down"]),
      },
      ["transporter"],
    ),
  }),
  /** The original tool's answer to a ping (its PingSerializer), plus the kind and the monitor's status. */
  OriginalPing: object({
    id: int,
    service: str,
    data: str,
    remote_addr: nullable(str),
    ua: str,
    created: dateTime,
    kind: enumOf(PING_KINDS),
    status: enumOf(STATUSES),
  }),
  OpenApiDocument: {
    type: "object",
    required: ["openapi", "info", "paths"],
    properties: { openapi: str, paths: mapOf({}) },
  },
};

export const operations: Operations = {
  "GET /healthz": { operationId: "getHealth", response: ref("Health") },
  "GET /readyz": { operationId: "getReadiness", response: ref("Readiness") },
  "GET /api/pings": { operationId: "pingOriginalApi", response: ref("OriginalPing") },
  "POST /api/pings": { operationId: "pingOriginalApiPost", response: ref("OriginalPing") },
  "HEAD /api/pings": { operationId: "pingOriginalApiHead" },
  "GET /ping/{code}": { operationId: "pingByCode" },
  "HEAD /ping/{code}": { operationId: "pingByCodeHead" },
  "POST /ping/{code}": { operationId: "pingByCodePost" },
  "GET /ping/{code}/{signal}": { operationId: "pingSignal" },
  "HEAD /ping/{code}/{signal}": { operationId: "pingSignalHead" },
  "POST /ping/{code}/{signal}": { operationId: "pingSignalPost" },
  "GET /badge/{file}": { operationId: "getBadge" },
  "GET /api/openapi.json": { operationId: "getOpenApiDocument", response: ref("OpenApiDocument") },
  "GET /api/docs": { operationId: "getApiDocs" },
  "GET /api/docs/{file}": { operationId: "getApiDocsAsset" },
};
