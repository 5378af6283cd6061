#!/usr/bin/env node
// `heartbeats` (npx heartbeats …): the command-line tools that run on a job's machine.
// Plain JavaScript so that it also runs when installed under node_modules, where Node does not
// strip TypeScript types. Today: `heartbeats run` (bin/run/).

import { runWrapped } from "./run/wrap.mjs";

const USAGE = `usage: heartbeats run --code CODE [--server URL --user U --password P] -- COMMAND [ARG…]
       heartbeats run --help
`;

const [sub, ...rest] = process.argv.slice(2);
if (sub === "run") {
  runWrapped(rest, process.env).then(
    (status) => {
      process.exitCode = status;
    },
    (err) => {
      process.stderr.write(`heartbeats run failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 1;
    },
  );
} else {
  process.stderr.write(
    sub === undefined || sub === "--help" || sub === "-h" ? USAGE : `unknown command: ${sub}\n${USAGE}`,
  );
  process.exitCode = sub === "--help" || sub === "-h" ? 0 : 2;
}
