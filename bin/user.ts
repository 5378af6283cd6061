// npm run user -- create|list|passwd|role|delete: manage users in the configured database
// (the original tool's createsuperuser, and a little more).

import { parseArgs } from "node:util";
import { loadConfig, passwordFromEnv } from "../core/config.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { createUser, deleteUser, listUsers, setPassword, setRole, UserInputError } from "../core/db/users.ts";

const USAGE = `usage:
  npm run user -- create --username NAME --password PASS [--role admin|viewer|pinger]
  npm run user -- list
  npm run user -- passwd --username NAME --password PASS
  npm run user -- role --username NAME --role admin|viewer|pinger
  npm run user -- delete --username NAME
The password may come from the HEARTBEATS_PASSWORD variable instead of --password,
which keeps it out of the shell history and the process list.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    username: { type: "string" },
    password: { type: "string" },
    role: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
const command = positionals[0];
if (values.help || !command) {
  console.log(USAGE);
  process.exit(command ? 0 : 2);
}

function need(name: "username" | "password" | "role"): string {
  const v = values[name] ?? (name === "password" ? passwordFromEnv() : undefined);
  if (!v) {
    console.error(`--${name} is required\n\n${USAGE}`);
    process.exit(2);
  }
  return v;
}

const config = loadConfig();
const db = await openDatabase(config.databaseUrl);
await migrate(db);
try {
  switch (command) {
    case "create": {
      const u = await createUser(db, need("username"), need("password"), values.role ?? "admin");
      console.log(`created ${u.role} user "${u.username}"`);
      break;
    }
    case "list":
      for (const u of await listUsers(db)) console.log(`${u.username}\t${u.role}`);
      break;
    case "passwd":
      await setPassword(db, need("username"), need("password"));
      console.log(`password changed for "${values.username}"`);
      break;
    case "role":
      await setRole(db, need("username"), need("role"));
      console.log(`"${values.username}" is now ${values.role}`);
      break;
    case "delete":
      await deleteUser(db, need("username"));
      console.log(`deleted "${values.username}"`);
      break;
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      process.exitCode = 2;
  }
} catch (err) {
  if (!(err instanceof UserInputError)) throw err;
  console.error(`${err.field}: ${err.message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
