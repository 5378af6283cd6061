// Which SecretBox a process uses. SECRET_KEY when set. Without it, the embedded default keeps a
// random key in a file beside its SQLite database (created once, readable by its owner only),
// so that secrets are encrypted at rest with zero setup; a MySQL deployment without SECRET_KEY
// stores them as they are and says so.

import fs from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { parseDatabaseUrl } from "../core/db/connect.ts";
import { newSecretKey, PLAIN_BOX, secretBox, type SecretBox } from "../core/security/secret-box.ts";

export function secretBoxFor(config: Config, log: { info(m: string): void; warn(m: string): void }): SecretBox {
  if (config.secretKey) return secretBox(config.secretKey);
  const db = parseDatabaseUrl(config.databaseUrl);
  if (db.dialect === "sqlite" && db.storage && db.storage !== ":memory:") {
    const file = path.join(path.dirname(db.storage), "secret.key");
    try {
      fs.writeFileSync(file, newSecretKey() + "\n", { flag: "wx", mode: 0o600 });
      log.info(
        `SECRET_KEY is not set: stored secrets are sealed with a new key in ${file} (keep it with the database)`,
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    return secretBox(fs.readFileSync(file, "utf8").trim());
  }
  log.warn("SECRET_KEY is not set: channel secrets and SSH keys are stored unencrypted in the database");
  return PLAIN_BOX;
}
