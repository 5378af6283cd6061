// The few words the contract is written in: JSON Schema 2020-12 (as OpenAPI 3.1 uses) built by
// small functions, so that each answer's shape reads as one line per field.

export type Schema = Record<string, unknown>;

/** What the contract says of one operation: its id, its success answer, and typed body fields. */
export interface OperationContract {
  operationId: string;
  /** the success answer's JSON schema; absent for answers that are not JSON (text, SVG, events, HTML) */
  response?: Schema;
  /** body fields whose validator says only "object": the typed schema that replaces it */
  body?: Record<string, Schema>;
}

/** Operations keyed "METHOD /openapi/path", e.g. "GET /api/v1/monitors/{id}". */
export type Operations = Record<string, OperationContract>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const str: Schema = { type: "string" };
export const int: Schema = { type: "integer" };
export const num: Schema = { type: "number" };
export const bool: Schema = { type: "boolean" };
export const dateTime: Schema = { type: "string", format: "date-time" };
export const constant = (value: unknown): Schema => ({ const: value });
export const oneOf = (...schemas: Schema[]): Schema => ({ oneOf: schemas });
export const arrayOf = (items: Schema): Schema => ({ type: "array", items });
export const enumOf = (values: readonly unknown[]): Schema => ({ enum: [...values] });
export const mapOf = (values: Schema): Schema => ({ type: "object", additionalProperties: values });

/** The schema, or null. */
export function nullable(s: Schema): Schema {
  if (typeof s.type === "string") return { ...s, type: [s.type, "null"] };
  if (Array.isArray(s.enum)) return { ...s, enum: [...s.enum, null] };
  return { anyOf: [s, { type: "null" }] };
}

/** An object with exactly these properties, every one required but those named in `optional`. */
export function object(properties: Record<string, Schema>, optional: readonly string[] = []): Schema {
  const required = Object.keys(properties).filter((k) => !optional.includes(k));
  return { type: "object", properties, required, additionalProperties: false };
}

/** An object schema with more properties (optional ones named), still closed. */
export function extend(base: Schema, more: Record<string, Schema>, optional: readonly string[] = []): Schema {
  const props = base.properties as Record<string, Schema>;
  const baseOptional = Object.keys(props).filter((k) => !(base.required as string[]).includes(k));
  return object({ ...props, ...more }, [...baseOptional, ...optional]);
}

/** A page of a list: how many there are in all, and these. */
export const pageOf = (item: string): Schema => object({ total: int, items: arrayOf(ref(item)) });

/** What a DELETE answers: the id and `deleted: true`. */
export const deleted = (key: string, id: Schema): Schema => object({ [key]: id, deleted: constant(true) });
