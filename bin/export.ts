// heartbeats export [--file heartbeats-export.json]: monitors, tags, channels and maintenance
// windows of DATABASE_URL as JSON (channel secrets sealed with SECRET_KEY, or left out without
// one); "heartbeats import backup --file …" restores them.

import fs from "node:fs";
import { argsOrExit, usageError } from "./cli-args.ts";
import { withRegistry } from "./registry-broker.ts";

const USAGE = `usage: heartbeats export [--file FILE]

Writes the monitors, tags, channels and maintenance windows of DATABASE_URL as JSON, to FILE
(readable by its owner only) or to stdout. Channel secrets are sealed with SECRET_KEY, or left
out without one. heartbeats import backup --file FILE restores them.
`;

const { values, positionals } = argsOrExit(USAGE, { file: { type: "string" } });
if (positionals.length) usageError(USAGE, `unexpected argument "${positionals[0]}"`);
const out = await withRegistry((broker) => broker.call<Record<string, unknown[]>>("registry.export"));
const json = JSON.stringify(out, null, 2) + "\n";
if (values.file) {
  fs.writeFileSync(values.file, json, { mode: 0o600 });
  console.error(
    `exported ${out.monitors!.length} monitors, ${out.channels!.length} channels, ${out.tags!.length} tags to ${values.file}`,
  );
} else process.stdout.write(json);
