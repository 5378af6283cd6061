// API keys in the database: the registry's keys.* actions read and write them here. Only a key's
// hash is stored; revoking keeps the row, marked.

import type { Database } from "./connect.ts";
import type { KeyScope } from "../security/api-key.ts";

export interface KeyRow {
  id: number; name: string; scope: KeyScope; prefix: string; key_hash: string; created_by: string;
  created_at: number; last_used_at: number | null; revoked_at: number | null;
}

export async function listKeys(db: Database): Promise<KeyRow[]> {
  return db.select<KeyRow>("SELECT * FROM api_keys ORDER BY id");
}

export async function keyRow(db: Database, keyId: number): Promise<KeyRow | undefined> {
  const [row] = await db.select<KeyRow>("SELECT * FROM api_keys WHERE id = ?", [keyId]);
  return row;
}

/** Stores a new key (its hash); answers its id. */
export async function insertKey(db: Database, k: Pick<KeyRow, "name" | "scope" | "prefix" | "key_hash" | "created_by" | "created_at">): Promise<number> {
  const [id] = await db.write((t) =>
    db.insertRows("api_keys", ["name", "scope", "prefix", "key_hash", "created_by", "created_at"], [[k.name, k.scope, k.prefix, k.key_hash, k.created_by, k.created_at]], t),
  );
  return id!;
}

/** Marks a key revoked; answers 1 if it was revoked now, 0 if it was already (or is no key). */
export async function revokeKey(db: Database, keyId: number, now: number): Promise<number> {
  return db.write((t) => db.change("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [now, keyId], t));
}

/** The unrevoked key with this hash, or undefined. */
export async function activeKeyByHash(db: Database, keyHash: string): Promise<KeyRow | undefined> {
  const [row] = await db.select<KeyRow>("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", [keyHash]);
  return row;
}

export async function touchKey(db: Database, keyId: number, now: number): Promise<void> {
  await db.write((t) => db.change("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [now, keyId], t));
}
