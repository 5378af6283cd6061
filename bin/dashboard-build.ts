// `npm start` on a fresh checkout: the dashboard is built once, before the gateway serves it.
// Without the build tools (a production install) or when the build fails, the API still runs.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { dashboardBuilt } from "../gateway/dashboard.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** What the build reports to: the broker's logger at start, the console in the test suites. */
export interface BuildLog {
  info(message: string): void;
  warn(message: string): void;
}

/** Builds the dashboard when it is missing; true when it is there afterwards. */
export function buildDashboardIfMissing(logger: BuildLog): boolean {
  if (dashboardBuilt()) return true;
  if (!fs.existsSync(path.join(ROOT, "dashboard", "angular.json"))) return false;
  logger.info("the dashboard is not built yet: building it once (npm run build, about a minute)…");
  const started = Date.now();
  // The build's own output goes to stderr: stdout holds log lines only (JSON ones with LOG_FORMAT=json).
  const run = spawnSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: ["ignore", 2, "inherit"] });
  if (run.status === 0 && dashboardBuilt()) {
    logger.info(`dashboard built in ${Math.round((Date.now() - started) / 1000)} s`);
    return true;
  }
  logger.warn("the dashboard could not be built (see above): the API works, the web page does not; run npm run build");
  return false;
}
