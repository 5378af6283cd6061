// The configuration of a command-line tool, or a clear message and exit code 2 when it is wrong.

import { loadConfig, ConfigError, type Config } from "../core/config.ts";

export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`configuration error: ${err.message}`);
    process.exit(2);
  }
}
