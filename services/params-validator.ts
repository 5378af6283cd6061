// The broker's validator of action params: fastest-validator, as Moleculer's default, with two
// rules of our own so that no request body can make validation itself fail (a 500):
//
// - A value that cannot be read as text or a number is refused, with its field, before
//   fastest-validator sees it. Its `convert` calls Number() and String() on what it is given,
//   and its messages print the value given: for an object whose `toString` is data
//   (`{"toString": 1}` from JSON, or a list holding one) both throw a TypeError.
// - `null` is a value only where a rule says `nullable: true`. Out of the box `optional` lets
//   null through as well, yet the actions read "left out" as `=== undefined` and would store the
//   null (NOT NULL errors); the OpenAPI document already says null only where nullable.

import { Errors, Validators } from "moleculer";

const { ValidationError } = Errors;

type Rule = string | Rule[] | { [key: string]: unknown };
type Checker = ((params: unknown, opts?: unknown) => true | FieldError[] | Promise<true | FieldError[]>) & {
  async?: boolean;
};
interface FieldError {
  type: string;
  field: string;
  message: string;
  actual?: unknown;
}

/**
 * Where in these params is an object that cannot be turned into a primitive, as a field path
 * (`count`, `channels[0]`, `config.url`); null if none. Only plain objects and arrays are looked
 * into (what JSON makes); iterative, so that deep nesting cannot overflow the stack.
 */
export function unreadableField(params: unknown): string | null {
  if (!isPlain(params)) return null;
  // Most params hold only text and numbers: no path is made for those.
  let stack: [object, string][] | null = null;
  for (const key in params) {
    const v = params[key];
    if (v !== null && typeof v === "object") (stack ??= []).push([v, key]);
  }
  if (!stack) return null;
  stack.reverse();
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const v: unknown = value[i];
        if (v !== null && typeof v === "object") stack.push([v, `${path}[${i}]`]);
      }
    } else if (isPlain(value)) {
      if (typeof value.toString !== "function") return path;
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i--) {
        const v = value[keys[i]!];
        if (v !== null && typeof v === "object") stack.push([v, `${path}.${keys[i]}`]);
      }
    }
  }
  return null;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * The schema with `nullable: false` on every rule that does not say `nullable: true`, nested ones
 * included (props, items, the alternatives of a list of rules): compiled with
 * `considerNullAsAValue`, that is what makes null a value only where a rule allows it.
 */
export function nullOnlyWhereNullable(
  schema: Record<string, unknown>,
  parseShorthand: (s: string) => Record<string, unknown>,
): Record<string, unknown> {
  const rule = (r: Rule): Rule => {
    if (typeof r === "string") return rule(parseShorthand(r) as Rule);
    if (Array.isArray(r)) return r.map(rule);
    if (r === null || typeof r !== "object") return r;
    const out: Record<string, unknown> = { ...r, nullable: r.nullable === true };
    const nested = (key: string) => {
      if (out[key] !== undefined && out[key] !== null) out[key] = rule(out[key] as Rule);
    };
    if (out.type === "object") {
      for (const key of ["props", "properties"])
        if (out[key] && typeof out[key] === "object") out[key] = fields(out[key] as Record<string, unknown>);
    } else if (out.type === "array" || out.type === "tuple") nested("items");
    else if (out.type === "multi") nested("rules");
    else if (out.type === "record") ["key", "value"].forEach(nested);
    return out;
  };
  const fields = (props: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(props).map(([k, r]) => [k, k.startsWith("$$") ? r : rule(r as Rule)]));
  return schema.$$root === true ? (rule(schema as Rule) as Record<string, unknown>) : fields(schema);
}

export class ParamsValidator extends Validators.Fastest {
  constructor() {
    super({ considerNullAsAValue: true });
  }

  override compile(schema: Record<string, unknown>) {
    const fv = (this as unknown as { validator: { parseShortHand(s: string): Record<string, unknown> } }).validator;
    const check = super.compile(nullOnlyWhereNullable(schema, (s) => fv.parseShortHand(s))) as unknown as Checker;
    const checked: Checker = (params, opts) => {
      const field = unreadableField(params);
      if (field !== null) {
        const refused = [
          {
            type: "unreadable",
            field,
            message: `The '${field}' field is an object whose "toString" is not a function: it cannot be read as text or a number.`,
          },
        ];
        return check.async ? Promise.resolve(refused) : refused;
      }
      const res = check(params, opts);
      return res instanceof Promise ? res.then(worded) : worded(res);
    };
    checked.async = check.async;
    return checked as unknown as ReturnType<Validators.Fastest["compile"]>;
  }

  override validate(params: Record<string, unknown>, schema: Record<string, unknown>): boolean {
    const res = (this.compile(schema) as unknown as Checker)(params) as true | FieldError[];
    if (res !== true) throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", res);
    return true;
  }
}

/** fastest-validator says "is required" of a null too: on a field that may be left out, that misleads. */
function worded(res: true | FieldError[]): true | FieldError[] {
  if (res === true) return res;
  for (const e of res)
    if (e.type === "required" && e.actual === null) e.message = `The '${e.field}' field cannot be null.`;
  return res;
}
