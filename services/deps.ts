// What every service factory receives: configuration, the database and a clock.
// Services get these injected instead of reading the environment or opening connections.
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/connect.ts";
import type { Clock } from "../core/clock.ts";

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
}
