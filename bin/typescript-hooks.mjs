// Lets an installed copy of Heartbeats run its TypeScript. Node strips types itself, but not
// from files under node_modules (ERR_UNSUPPORTED_NODE_MODULES_TYPE_STRIPPING); an installed
// package is exactly there. This hook strips them the same way (types only, no transform), and
// only there, so a checkout keeps Node's own handling.

import fs from "node:fs";
import { registerHooks, stripTypeScriptTypes } from "node:module";

registerHooks({
  load(url, context, nextLoad) {
    if (url.startsWith("file:") && url.endsWith(".ts") && url.includes("/node_modules/")) {
      const source = stripTypeScriptTypes(fs.readFileSync(new URL(url), "utf8"), { mode: "strip" });
      return { format: "module", source, shortCircuit: true };
    }
    return nextLoad(url, context);
  },
});
