// The real MariaDB and NATS of this machine (or CI's). Suites that need them run when they
// answer; under CI=true an unreachable one is a failure, never a silent skip.

import net from "node:net";
import { test } from "node:test";
import { randomBytes } from "node:crypto";
import mysql from "mysql2/promise";

export const MYSQL_URL = process.env.DATABASE_URL?.startsWith("mysql")
  ? process.env.DATABASE_URL
  : "mysql://root@127.0.0.1:3306/test";
export const NATS_URL = process.env.NATS_URL ?? "nats://127.0.0.1:4222";

function reachable(url: string, dfltPort: number): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect({ host: u.hostname, port: Number(u.port || dfltPort) });
    s.setTimeout(2000);
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
    s.once("timeout", () => (s.destroy(), resolve(false)));
  });
}

/** undefined when the suite can run; a skip reason otherwise. Throws under CI. */
export async function needs(what: ("mariadb" | "nats")[]): Promise<string | undefined> {
  const missing: string[] = [];
  if (what.includes("mariadb") && !(await reachable(MYSQL_URL, 3306)))
    missing.push(`MariaDB at ${new URL(MYSQL_URL).host}`);
  if (what.includes("nats") && !(await reachable(NATS_URL, 4222))) missing.push(`NATS at ${NATS_URL}`);
  if (!missing.length) return undefined;
  const reason = `not reachable: ${missing.join(", ")}`;
  if (process.env.CI) throw new Error(`${reason} (CI must run every suite: .ci/run starts them)`);
  return reason;
}

/** A fresh, empty database on the MariaDB server, dropped by the returned function. */
export async function scratchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `hb_test_${randomBytes(4).toString("hex")}`;
  const admin = new URL(MYSQL_URL);
  admin.pathname = "/";
  const conn = await mysql.createConnection(admin.toString());
  await conn.query(`CREATE DATABASE \`${name}\``);
  await conn.end();
  const url = new URL(MYSQL_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = await mysql.createConnection(admin.toString());
      await c.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await c.end();
    },
  };
}

/** Where a suite's server keeps its data: extra environment (none: its own SQLite file), and what to drop after. */
export type SuiteDatabase = { env: Record<string, string>; drop?: () => Promise<void> } | null;

/**
 * Declares a suite twice: on SQLite, and on a scratch MariaDB database (skipped, saying why, when
 * MariaDB is not reachable outside CI).
 */
export async function onBothDatabases(
  suite: (label: "sqlite" | "mariadb", database: () => Promise<SuiteDatabase>) => void,
  what: string,
): Promise<void> {
  suite("sqlite", async () => null);
  const skip = await needs(["mariadb"]);
  if (!skip)
    suite("mariadb", async () => {
      const s = await scratchDatabase();
      return { env: { DATABASE_URL: s.url }, drop: s.drop };
    });
  else test(`${what} on MariaDB`, { skip }, () => {});
}
