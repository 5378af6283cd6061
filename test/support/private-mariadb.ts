// A MariaDB server of the test's own, on a free port with its own data directory, so that a
// fault test can kill and restart it without touching the machine's shared server (which
// other suites use at the same time). Needs the mariadb-server package (mariadbd and
// mariadb-install-db), which .ci/run installs.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import mysql from "mysql2/promise";
import { freePort } from "./system.ts";
import { childServer } from "./child-server.ts";

const run = promisify(execFile);
const MARIADBD = ["/usr/sbin/mariadbd", "/usr/sbin/mysqld"].find((p) => fs.existsSync(p));

export function privateMariadbAvailable(): string | undefined {
  if (MARIADBD && fs.existsSync("/usr/bin/mariadb-install-db")) return undefined;
  const reason = "mariadbd / mariadb-install-db not installed";
  if (process.env.CI) throw new Error(`${reason} (CI must run every suite: .ci/run installs mariadb-server)`);
  return reason;
}

export interface PrivateMariadb {
  /** mysql://root@127.0.0.1:<port>/heartbeats */
  url: string;
  port: number;
  /** stops the server: SIGKILL (a crash, the default) or SIGTERM (a clean shutdown) */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** starts it again on the same port and data */
  start(): Promise<void>;
  /** stops it for good and removes its data */
  destroy(): Promise<void>;
}

export async function startPrivateMariadb(): Promise<PrivateMariadb> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-mariadb-"));
  const data = path.join(dir, "data");
  await run("/usr/bin/mariadb-install-db", [
    "--no-defaults",
    `--datadir=${data}`,
    "--user=root",
    "--auth-root-authentication-method=normal",
    "--skip-test-db",
  ]);
  const port = await freePort();
  const server = childServer(
    MARIADBD!,
    [
      "--no-defaults",
      `--datadir=${data}`,
      `--port=${port}`,
      "--bind-address=127.0.0.1",
      `--socket=${path.join(dir, "sock")}`,
      "--user=root",
      "--skip-log-bin",
      `--pid-file=${path.join(dir, "pid")}`,
      "--innodb-buffer-pool-size=64M",
      "--max-connections=200",
    ],
    port,
  );
  const { start, stop } = server;

  await start();
  const conn = await mysql.createConnection(`mysql://root@127.0.0.1:${port}/`);
  await conn.query("CREATE DATABASE heartbeats");
  await conn.end();
  return {
    url: `mysql://root@127.0.0.1:${port}/heartbeats`,
    port,
    stop,
    start,
    async destroy() {
      await stop("SIGKILL");
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
