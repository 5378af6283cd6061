// API keys in the database: the registry's keys.* actions read and write them here. Only a key's
// hash is stored; revoking keeps the row, marked.

import type { Database } from "./connect.ts";
import { plainRow, plainRows, type ApiKeyRow } from "./models.ts";

export type KeyRow = ApiKeyRow;

export async function listKeys(db: Database): Promise<KeyRow[]> {
  return plainRows(db.models.ApiKey, { order: [["id", "ASC"]] });
}

export async function keyRow(db: Database, keyId: number): Promise<KeyRow | undefined> {
  return plainRow(db.models.ApiKey, { where: { id: keyId } });
}

/** Stores a new key (its hash); answers its id. */
export async function insertKey(
  db: Database,
  k: Pick<KeyRow, "name" | "scope" | "prefix" | "key_hash" | "created_by" | "created_at">,
): Promise<number> {
  const row = await db.write((t) => db.models.ApiKey.create({ ...k }, { transaction: t }));
  return Number(row.get("id"));
}

/** Marks a key revoked; answers 1 if it was revoked now, 0 if it was already (or is no key). */
export async function revokeKey(db: Database, keyId: number, now: number): Promise<number> {
  const [n] = await db.write((t) =>
    db.models.ApiKey.update({ revoked_at: now }, { where: { id: keyId, revoked_at: null }, transaction: t }),
  );
  return n;
}

/** The unrevoked key with this hash, or undefined. */
export async function activeKeyByHash(db: Database, keyHash: string): Promise<KeyRow | undefined> {
  return plainRow(db.models.ApiKey, { where: { key_hash: keyHash, revoked_at: null } });
}

export async function touchKey(db: Database, keyId: number, now: number): Promise<void> {
  await db.write((t) => db.models.ApiKey.update({ last_used_at: now }, { where: { id: keyId }, transaction: t }));
}
