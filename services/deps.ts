// What every service factory receives: configuration, the database, a clock and the channel plugins.
// Services get these injected instead of reading the environment or opening connections.
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/connect.ts";
import type { Clock } from "../core/checker/clock.ts";
import type { Catalog } from "../plugins/catalog.ts";
import type { SecretBox } from "../core/security/secret-box.ts";

export interface ServiceDeps {
  config: Config;
  db: Database;
  clock: Clock;
  /** the channel types this process knows: built-in plugins plus NOTIFIER_PLUGINS */
  channels: Catalog;
  /** seals secrets before they are stored and opens them when they are used */
  secrets: SecretBox;
}
