// The registry's API keys: made by admins for scripts and CI, shown once, stored as a hash,
// scoped (read / write / ping) and revocable. keys.authenticate is how the gateway turns a
// presented key into a caller. The SQL is core/db/api-keys.ts.

import { Errors, type Context } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { hashApiKey, looksLikeApiKey, newApiKey, type KeyScope } from "../../core/security/api-key.ts";
import type { Role } from "../../core/security/password.ts";
import {
  activeKeyByHash,
  insertKey,
  keyRow,
  listKeys,
  revokeKey,
  touchKey,
  type KeyRow,
} from "../../core/db/api-keys.ts";

const { MoleculerClientError } = Errors;

/** What a key may do, in the roles the gateway already checks (write is further kept from users and keys). */
export const ROLE_OF_SCOPE: Record<KeyScope, Role> = { read: "viewer", write: "admin", ping: "pinger" };

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
const view = (r: KeyRow) => ({
  id: Number(r.id),
  name: r.name,
  scope: r.scope,
  prefix: r.prefix,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});

/** last_used_at is written at most this often per key: a key pinging every second costs no write each time. */
const TOUCH_MS = 60_000;

export function keysArea({ db, clock }: ServiceDeps) {
  return {
    async list() {
      const rows = await listKeys(db);
      return { total: rows.length, items: rows.map(view) };
    },

    async create(ctx: Context<{ name: string; scope: KeyScope }, { user?: { username: string } }>) {
      const k = newApiKey();
      const now = clock.now();
      const id = await insertKey(db, {
        name: ctx.params.name,
        scope: ctx.params.scope,
        prefix: k.prefix,
        key_hash: k.hash,
        created_by: ctx.meta.user?.username ?? "?",
        created_at: now,
      });
      Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/keys/${id}` });
      const row = await keyRow(db, id);
      return { ...view(row!), key: k.key };
    },

    async revoke(ctx: Context<{ id: number }>) {
      const n = await revokeKey(db, ctx.params.id, clock.now());
      const row = await keyRow(db, ctx.params.id);
      if (!row) throw new MoleculerClientError("no such API key", 404, "NOT_FOUND", { field: "id" });
      return { ...view(row), revoked: n === 1 ? "now" : "already" };
    },

    async authenticate(ctx: Context<{ key: string }>) {
      if (!looksLikeApiKey(ctx.params.key)) return null;
      const row = await activeKeyByHash(db, hashApiKey(ctx.params.key));
      if (!row) return null;
      const now = clock.now();
      if (row.last_used_at === null || now - Number(row.last_used_at) > TOUCH_MS) await touchKey(db, row.id, now);
      return {
        id: -Number(row.id),
        username: `key ${row.prefix} (${row.name})`,
        role: ROLE_OF_SCOPE[row.scope],
        scope: row.scope,
      };
    },
  };
}
