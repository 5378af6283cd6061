// npm run export [-- --file heartbeats-export.json]: monitors, tags and channels of DATABASE_URL as
// JSON (channel secrets sealed with SECRET_KEY, or left out without one); "npm run import --
// backup --file …" restores them.

import fs from "node:fs";
import { parseArgs } from "node:util";
import { withRegistry } from "./registry-broker.ts";

const { values } = parseArgs({ options: { file: { type: "string" } } });
const out = await withRegistry((broker) => broker.call<Record<string, unknown[]>>("registry.export"));
const json = JSON.stringify(out, null, 2) + "\n";
if (values.file) {
  fs.writeFileSync(values.file, json, { mode: 0o600 });
  console.error(
    `exported ${out.monitors!.length} monitors, ${out.channels!.length} channels, ${out.tags!.length} tags to ${values.file}`,
  );
} else process.stdout.write(json);
