// The registry's API keys: made by admins for scripts and CI, shown once, stored as a hash,
// scoped (read / write / ping) and revocable. Mixed into the registry: registry.keys.*.
// keys.authenticate is how the gateway turns a presented key into a caller.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { hashApiKey, KEY_SCOPES, looksLikeApiKey, newApiKey, type KeyScope } from "../core/security/api-key.ts";
import type { Role } from "../core/security/password.ts";

const { MoleculerClientError } = Errors;

interface KeyRow {
  id: number; name: string; scope: KeyScope; prefix: string; key_hash: string; created_by: string;
  created_at: number; last_used_at: number | null; revoked_at: number | null;
}

/** What a key may do, in the roles the gateway already checks (write is further kept from users and keys). */
export const ROLE_OF_SCOPE: Record<KeyScope, Role> = { read: "viewer", write: "admin", ping: "pinger" };

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const view = (r: KeyRow) => ({
  id: Number(r.id), name: r.name, scope: r.scope, prefix: r.prefix, createdBy: r.created_by,
  createdAt: iso(r.created_at), lastUsedAt: iso(r.last_used_at), revokedAt: iso(r.revoked_at),
});

/** last_used_at is written at most this often per key: a key pinging every second costs no write each time. */
const TOUCH_MS = 60_000;

export function registryKeys({ db, clock }: ServiceDeps): Partial<ServiceSchema> {
  return {
    actions: {
      /** Lists API keys (never the keys themselves). */
      "keys.list": {
        async handler() {
          const rows = await db.select<KeyRow>("SELECT * FROM api_keys ORDER BY id");
          return { total: rows.length, items: rows.map(view) };
        },
      },

      /** Makes an API key; the answer is the only time the key is shown. */
      "keys.create": {
        params: { name: { type: "string", min: 1, max: 100, trim: true }, scope: { type: "enum", values: [...KEY_SCOPES] } },
        async handler(ctx: Context<{ name: string; scope: KeyScope }, { user?: { username: string } }>) {
          const k = newApiKey();
          const now = clock.now();
          const [id] = await db.write((t) =>
            db.insertRows("api_keys", ["name", "scope", "prefix", "key_hash", "created_by", "created_at"], [[ctx.params.name, ctx.params.scope, k.prefix, k.hash, ctx.meta.user?.username ?? "?", now]], t),
          );
          Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/keys/${id}` });
          const [row] = await db.select<KeyRow>("SELECT * FROM api_keys WHERE id = ?", [id]);
          return { ...view(row!), key: k.key };
        },
      },

      /** Revokes an API key for good (the row stays, marked revoked). */
      "keys.revoke": {
        params: { id: { type: "number", integer: true, positive: true, convert: true } },
        async handler(ctx: Context<{ id: number }>) {
          const n = await db.write((t) => db.change("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [clock.now(), ctx.params.id], t));
          const [row] = await db.select<KeyRow>("SELECT * FROM api_keys WHERE id = ?", [ctx.params.id]);
          if (!row) throw new MoleculerClientError("no such API key", 404, "NOT_FOUND", { field: "id" });
          return { ...view(row), revoked: n === 1 ? "now" : "already" };
        },
      },

      /** The caller a presented key stands for, or null when it is unknown or revoked. */
      "keys.authenticate": {
        visibility: "public",
        params: { key: { type: "string", max: 200 } },
        async handler(ctx: Context<{ key: string }>) {
          if (!looksLikeApiKey(ctx.params.key)) return null;
          const [row] = await db.select<KeyRow>("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [hashApiKey(ctx.params.key)]);
          if (!row) return null;
          const now = clock.now();
          if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_MS) {
            await db.write((t) => db.change("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now, row.id], t));
          }
          return { id: -Number(row.id), username: `key ${row.prefix} (${row.name})`, role: ROLE_OF_SCOPE[row.scope], scope: row.scope };
        },
      },
    },
  };
}
