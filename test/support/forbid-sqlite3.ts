// Preloaded (`--import`) by test/e2e/no-sqlite3.test.ts: in this process the sqlite3 package can be
// neither resolved nor loaded, although the shared node_modules still holds it. Sync hooks apply
// to require() (sequelize's dialect loader) as much as to import.

import { registerHooks } from "node:module";

const forbidden = (what: string) =>
  Object.assign(new Error(`sqlite3 must not be loaded (${what})`), { code: "ERR_SQLITE3_FORBIDDEN" });

registerHooks({
  resolve(specifier, context, next) {
    if (specifier === "sqlite3" || specifier.startsWith("sqlite3/")) throw forbidden(specifier);
    const resolved = next(specifier, context);
    if (resolved.url.includes("/node_modules/sqlite3/")) throw forbidden(resolved.url);
    return resolved;
  },
});

process.stderr.write("forbid-sqlite3: active\n");
