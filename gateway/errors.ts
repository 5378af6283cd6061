// Every error leaves the gateway in one JSON shape: {error: {code, message, field?, details?}}.
// Server-side failures are reported without their internals.

export interface ErrorBody {
  error: { code: string; message: string; field?: string; details?: { field: string; message: string }[] };
}

/** ErrorBody as JSON Schema, for the OpenAPI document. */
export const ERROR_BODY_SCHEMA = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "e.g. VALIDATION_ERROR, NOT_FOUND, UNAUTHORIZED" },
        message: { type: "string" },
        field: { type: "string", description: "the field at fault" },
        details: {
          type: "array",
          items: {
            type: "object",
            required: ["field", "message"],
            properties: { field: { type: "string" }, message: { type: "string" } },
          },
        },
      },
    },
  },
};

interface AnyError {
  code?: unknown;
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  message?: string;
  name?: string;
  data?: unknown;
}

export function httpStatusOf(err: AnyError): number {
  // A service that is not running (or not reachable over the transporter) is an outage, not a missing page.
  if (
    err.name === "ServiceNotFoundError" ||
    err.name === "ServiceNotAvailableError" ||
    err.name === "RequestTimeoutError"
  )
    return 503;
  for (const c of [err.code, err.status, err.statusCode]) {
    if (typeof c === "number" && c >= 400 && c < 600) return c;
  }
  return 500;
}

const CODES: Record<number, string> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  405: "METHOD_NOT_ALLOWED",
  413: "PAYLOAD_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
  422: "VALIDATION_ERROR",
  429: "TOO_MANY_REQUESTS",
  503: "SERVICE_UNAVAILABLE",
};

export function errorBody(err: AnyError, status: number): ErrorBody {
  if (status >= 500 && status !== 503) return { error: { code: "INTERNAL_ERROR", message: "internal error" } };
  let code = typeof err.type === "string" && /^[A-Z_]+$/.test(err.type) ? err.type : (CODES[status] ?? "ERROR");
  let message = err.message || code;
  if (typeof err.type === "string" && err.type.startsWith("entity.")) {
    // body-parser's errors: say what was wrong with the body, in our words.
    code = CODES[status] ?? "BAD_REQUEST";
    message =
      status === 413
        ? "request body too large"
        : status === 415
          ? "unsupported body encoding"
          : "request body is not valid JSON";
  }
  if (err.name === "ServiceNotFoundError" || err.name === "ServiceNotAvailableError") {
    return { error: { code: "SERVICE_UNAVAILABLE", message: "a service behind this route is not running" } };
  }
  const body: ErrorBody = { error: { code, message } };
  if (Array.isArray(err.data)) {
    const details = err.data
      .filter((d): d is { field: string; message: string } => typeof d?.field === "string")
      .map((d) => ({ field: d.field, message: String(d.message ?? "invalid") }));
    if (details.length) {
      body.error.field = details[0]!.field;
      body.error.message = details[0]!.message;
      body.error.details = details;
    }
  } else if (err.data && typeof err.data === "object" && typeof (err.data as { field?: unknown }).field === "string") {
    body.error.field = (err.data as { field: string }).field;
  }
  return body;
}
