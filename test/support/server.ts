// One Heartbeats server for an end-to-end test, started the way an operator starts it: its own
// temporary folder with a SQLite database, a free port on 127.0.0.1, an admin user from the
// environment; ready when /readyz answers 200. The suite's after() calls stop().

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, startProcess, stopProcess, waitReady, type Proc } from "./system.ts";
import { api, type Api } from "./api.ts";

export interface ServerOptions {
  /** The admin user the environment creates and `api` signs in as. */
  admin?: [string, string];
  /** How long /readyz may take to answer 200 (waitReady's default otherwise). */
  readyTimeoutMs?: number;
}

export interface Server {
  /** The running process (a new one after restart()). */
  readonly proc: Proc;
  /** The environment the running process was started with. */
  readonly env: Record<string, string>;
  /** http://127.0.0.1:PORT */
  base: string;
  /** The REST client, signed in as the admin. */
  api: Api;
  /** The temporary folder, removed by stop(); the database is `sqlite:DIR/hb.sqlite` unless overridden. */
  dir: string;
  /** Stops the process (SIGTERM) and removes the folder; safe to call twice or after a failed start. */
  stop(): Promise<void>;
  /**
   * Stops the process (one already stopped, e.g. to change its database meanwhile, is just started) and
   * starts it again on the same port and database, with these variables changed.
   */
  restart(envOverrides?: Record<string, string>): Promise<void>;
}

export async function startServer(
  name: string,
  envOverrides: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<Server> {
  const admin = options.admin ?? ["root", "correct horse battery"];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hb-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let env: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    ...envOverrides,
  };
  let proc = startProcess(name, env);
  let stopped = false;
  const server: Server = {
    get proc() {
      return proc;
    },
    get env() {
      return env;
    },
    base,
    api: api(base, admin),
    dir,
    async stop() {
      await stopProcess(proc);
      if (!stopped) fs.rmSync(dir, { recursive: true, force: true });
      stopped = true;
    },
    async restart(changes = {}) {
      await stopProcess(proc);
      env = { ...env, ...changes };
      proc = startProcess(name, env);
      await waitReady(`${base}/readyz`, [proc], options.readyTimeoutMs);
    },
  };
  try {
    await waitReady(`${base}/readyz`, [proc], options.readyTimeoutMs);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return server;
}
