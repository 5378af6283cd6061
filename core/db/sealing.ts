// Secrets stored before SECRET_KEY was set (or before this version) are sealed at start, once:
// each row is rewritten only if it still holds the plain value that was read, so registry
// replicas starting together do not seal a value twice.

import type { Database } from "./connect.ts";
import type { SecretBox } from "../security/secret-box.ts";

const PLAIN = "NOT LIKE 'enc:v1:%'";

export async function sealStoredSecrets(db: Database, box: SecretBox): Promise<number> {
  if (!box.encrypts) return 0;
  let sealed = 0;
  const channels = await db.select<{ id: number; secrets: string }>(
    `SELECT id, secrets FROM channels WHERE secrets ${PLAIN} AND secrets <> '{}'`,
  );
  for (const c of channels) {
    sealed += await db.write((t) =>
      db.change(
        "UPDATE channels SET secrets = ? WHERE id = ? AND secrets = ?",
        [box.seal(c.secrets), c.id, c.secrets],
        t,
      ),
    );
  }
  for (const col of ["private_key", "passphrase"] as const) {
    const hosts = await db.select<{ id: number; v: string }>(
      `SELECT id, ${col} AS v FROM hosts WHERE ${col} IS NOT NULL AND ${col} <> '' AND ${col} ${PLAIN}`,
    );
    for (const h of hosts) {
      sealed += await db.write((t) =>
        db.change(`UPDATE hosts SET ${col} = ? WHERE id = ? AND ${col} = ?`, [box.seal(h.v), h.id, h.v], t),
      );
    }
  }
  // Authenticator apps' TOTP secrets (migration 021).
  const factors = await db.select<{ id: number; v: string }>(
    `SELECT id, secret AS v FROM user_factors WHERE kind = 'totp' AND secret IS NOT NULL AND secret ${PLAIN}`,
  );
  for (const f of factors) {
    sealed += await db.write((t) =>
      db.change("UPDATE user_factors SET secret = ? WHERE id = ? AND secret = ?", [box.seal(f.v), f.id, f.v], t),
    );
  }
  return sealed;
}
