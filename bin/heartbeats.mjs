#!/usr/bin/env node
// `heartbeats <command>` (npx heartbeats …, and every npm run script): one entry point for the
// server and its tools. Plain JavaScript so that it also runs when installed under node_modules;
// the commands written in TypeScript load through typescript-hooks.mjs there. Each command
// parses its own options; this only picks the command.

import fs from "node:fs";
import "./typescript-hooks.mjs";

/**
 * Each command's module, run as if it were the script: it reads process.argv itself.
 * @type {Record<string, [string, string]>}
 */
const COMMANDS = {
  start: ["./start.ts", "run the server: the services named by SERVICES (all by default)"],
  migrate: ["./migrate.ts", "apply pending database migrations and exit"],
  user: ["./user.ts", "manage users: create, list, passwd, role, delete"],
  key: ["./key.ts", "manage API keys for scripts: create, list, revoke"],
  import: ["./import.ts", "import monitors: heartbeats-mysql, healthchecks, backup"],
  export: ["./export.ts", "write monitors, tags, channels and windows as JSON"],
  run: ["./run/command.mjs", "wrap a cron job: ping its monitor at start and with its exit status"],
  agent: ["../agent/cli.ts", "collect host metrics and report them (also installed as heartbeats-agent)"],
};

const USAGE = `usage: heartbeats <command> [options]

commands:
${Object.entries(COMMANDS)
  .map(([name, [, what]]) => `  ${name.padEnd(9)} ${what}`)
  .join("\n")}

  heartbeats <command> --help   that command's options
  heartbeats --version          the version
The server and the database commands read their configuration from the environment
(DATABASE_URL, SECRET_KEY, …: see the README).
`;

const [name, ...rest] = process.argv.slice(2);
if (name === "--help" || name === "-h") process.stdout.write(USAGE);
else if (name === "--version" || name === "-v") {
  const pkg = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  process.stdout.write(`heartbeats ${pkg.version}\n`);
} else if (name !== undefined && Object.hasOwn(COMMANDS, name)) {
  const [module] = COMMANDS[name];
  // The command sees the arguments after its name, as when it ran as its own script.
  process.argv = [process.argv[0], new URL(module, import.meta.url).pathname, ...rest];
  await import(module);
} else {
  process.stderr.write(`${name === undefined ? "no command given" : `unknown command: ${name}`}\n\n${USAGE}`);
  process.exitCode = 2;
}
