// `heartbeats run …` as a command: the words after `run`, the exit status of the wrapped command.

import { runWrapped } from "./wrap.mjs";

runWrapped(process.argv.slice(2), process.env).then(
  (status) => {
    process.exitCode = status;
  },
  (err) => {
    process.stderr.write(`heartbeats run failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
