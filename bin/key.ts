// heartbeats key create|list|revoke: API keys for scripts and CI, in the configured database,
// through the registry's keys.* actions (the same rules as the API's /api/v1/keys).

import { Errors } from "moleculer";
import { KEY_SCOPES } from "../core/security/api-key.ts";
import { argsOrExit, usageError } from "./cli-args.ts";
import { withRegistry } from "./registry-broker.ts";

const USAGE = `usage:
  heartbeats key create --name NAME --scope ${KEY_SCOPES.join("|")}
  heartbeats key list
  heartbeats key revoke ID|NAME
create prints the key on stdout, alone, and only this once (KEY=$(heartbeats key create …));
only its hash is stored. Scopes: read (what a viewer sees), write (what an admin does except
users and keys), ping (send pings only). (npm run key -- … is the same.)
`;

interface KeyView {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const { positionals, values } = argsOrExit(USAGE, { name: { type: "string" }, scope: { type: "string" } });
const [command, target, ...extra] = positionals;
if (!command) usageError(USAGE, "no key command given");
if (!["create", "list", "revoke"].includes(command)) usageError(USAGE, `unknown key command "${command}"`);
if (command === "create" && (!values.name || !values.scope)) usageError(USAGE, "--name and --scope are required");
if (command === "revoke" && !target) usageError(USAGE, "which key? give its id or name");
if (extra.length || (command !== "revoke" && target)) usageError(USAGE, `unexpected argument "${extra[0] ?? target}"`);

/** A key by id, or by the name of its one unrevoked key; null (and a message) when that is not one key. */
function pick(keys: KeyView[], idOrName: string): KeyView | null {
  if (/^\d+$/.test(idOrName)) {
    const k = keys.find((x) => x.id === Number(idOrName));
    if (!k) console.error(`no API key with id ${idOrName}`);
    return k ?? null;
  }
  const named = keys.filter((x) => x.name === idOrName && !x.revokedAt);
  if (named.length === 1) return named[0];
  console.error(
    named.length
      ? `${named.length} active keys are named "${idOrName}" (ids ${named.map((k) => k.id).join(", ")}): revoke one by id`
      : `no active API key named "${idOrName}"`,
  );
  return null;
}

const meta = { user: { username: "command line" } };
try {
  await withRegistry(async (broker) => {
    if (command === "create") {
      const k = await broker.call<KeyView & { key: string }, { name?: string; scope?: string }>(
        "registry.keys.create",
        { name: values.name, scope: values.scope },
        { meta },
      );
      console.error(`created API key ${k.id} "${k.name}" (scope ${k.scope}); it is shown this once:`);
      console.log(k.key);
      return;
    }
    const { items } = await broker.call<{ items: KeyView[] }>("registry.keys.list");
    if (command === "list") {
      console.log(["id", "name", "scope", "prefix", "created", "last used", "revoked"].join("\t"));
      for (const k of items)
        console.log(
          [k.id, k.name, k.scope, k.prefix, k.createdAt, k.lastUsedAt ?? "never", k.revokedAt ?? "-"].join("\t"),
        );
      return;
    }
    const k = pick(items, target!);
    if (!k) {
      process.exitCode = 1;
      return;
    }
    const r = await broker.call<{ revoked: string }, { id: number }>("registry.keys.revoke", { id: k.id });
    console.log(`API key ${k.id} "${k.name}" ${r.revoked === "now" ? "revoked" : "was already revoked"}`);
  });
} catch (err) {
  if (!(err instanceof Errors.ValidationError)) throw err;
  const data = (err.data ?? []) as { field: string; message: string }[];
  console.error(data.map((d) => `${d.field}: ${d.message}`).join("\n"));
  process.exitCode = 1;
}
