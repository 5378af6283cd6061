// Validates rendered objects against the Kubernetes OpenAPI schemas that the kubernetes-models
// package ships, precompiled into one validate function per type (the ones its classes'
// .validate() run). Offline: nothing is fetched.
//
// Those schemas, like the API's own, do not say `additionalProperties: false`, so a misspelled
// field would pass them (the API server drops or refuses it only at apply time). To catch it
// here, the object is validated through proxies that record every field the validator reads:
// a validator reads each field its schema declares (and every key of a map such as labels or
// resources.limits), so a field it never read is one the schema does not know.

export interface SchemaProblem {
  path: string;
  message: string;
}

interface ValidateFunction {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> }[] | null;
}

const validators = new Map<string, Promise<ValidateFunction | null>>();

/** kubernetes-models' schema module of an apiVersion + kind: apps/v1 Deployment → IoK8sApiAppsV1Deployment. */
export function schemaName(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["core", apiVersion];
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `IoK8sApi${cap(group!.split(".")[0]!)}${cap(version!)}${kind}`;
}

function validatorFor(apiVersion: string, kind: string): Promise<ValidateFunction | null> {
  const name = schemaName(apiVersion, kind);
  let v = validators.get(name);
  if (!v) {
    v = import(`kubernetes-models/_schemas/${name}`).then(
      (m: { validate: ValidateFunction }) => m.validate,
      () => null,
    );
    validators.set(name, v);
  }
  return v;
}

function describe(e: NonNullable<ValidateFunction["errors"]>[number]): string {
  if (e.keyword === "type") return `must be ${String(e.params.type)}`;
  if (e.keyword === "required") return `is missing required field "${String(e.params.missingProperty)}"`;
  if (e.keyword === "enum") return `must be one of ${JSON.stringify(e.params.allowedValues)}`;
  if (e.keyword === "format") return `must match format ${String(e.params.format)}`;
  return e.message ?? `fails ${e.keyword} ${JSON.stringify(e.params)}`;
}

/** Every schema violation and every unknown field of one object; empty when it is valid. */
export async function validateObject(obj: { apiVersion?: unknown; kind?: unknown }): Promise<SchemaProblem[]> {
  if (typeof obj?.apiVersion !== "string" || typeof obj.kind !== "string") {
    return [{ path: "", message: "has no apiVersion and kind" }];
  }
  const validate = await validatorFor(obj.apiVersion, obj.kind);
  if (!validate) return [{ path: "", message: `no schema for ${obj.apiVersion} ${obj.kind} in kubernetes-models` }];

  const visited: { path: string; target: object; read: Set<string> }[] = [];
  const proxies = new WeakMap<object, object>();
  const wrap = (value: unknown, path: string): unknown => {
    if (value === null || typeof value !== "object") return value;
    const known = proxies.get(value);
    if (known) return known;
    const read = new Set<string>();
    visited.push({ path, target: value, read });
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        const v = Reflect.get(target, key, receiver);
        if (typeof key !== "string") return v;
        read.add(key);
        return Object.hasOwn(target, key) ? wrap(v, `${path}/${key}`) : v;
      },
      has(target, key) {
        if (typeof key === "string") read.add(key);
        return Reflect.has(target, key);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };

  const problems: SchemaProblem[] = [];
  if (!validate(wrap(obj, ""))) {
    for (const e of validate.errors ?? []) problems.push({ path: e.instancePath || "/", message: describe(e) });
  }
  for (const { path, target, read } of visited) {
    for (const key of Object.keys(target)) {
      if (!read.has(key))
        problems.push({ path: `${path}/${key}`, message: "is not a field of this type (unknown field)" });
    }
  }
  return problems;
}
