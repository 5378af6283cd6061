// A command's options, the same way for every `heartbeats` command: strict (an unknown option
// or a missing value is refused), --help prints the usage to stdout and exits 0, a bad command
// line prints what is wrong and the usage to stderr and exits 2 — never a stack trace.

import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

const HELP = { help: { type: "boolean", short: "h" } } as const;

export function argsOrExit<O extends ParseArgsOptionsConfig>(usage: string, options: O) {
  const config = { options: { ...options, ...HELP }, allowPositionals: true, strict: true } as const;
  let parsed: ReturnType<typeof parseArgs<typeof config>>;
  try {
    parsed = parseArgs(config);
  } catch (err) {
    usageError(usage, (err as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    process.stdout.write(usage);
    process.exit(0);
  }
  return parsed;
}

/** What is wrong with the command line, then the usage; exit status 2. */
export function usageError(usage: string, message: string): never {
  process.stderr.write(`${message}\n\n${usage}`);
  process.exit(2);
}
