// heartbeats user create|list|passwd|role|delete: manage users in the configured database
// (the original tool's createsuperuser, and a little more).

import { passwordFromEnv } from "../core/config.ts";
import { openDatabase } from "../core/db/connect.ts";
import { migrate } from "../core/db/migrate.ts";
import { argsOrExit, usageError } from "./cli-args.ts";
import { configOrExit } from "./cli-config.ts";
import { createUser, deleteUser, listUsers, setPassword, setRole, UserInputError } from "../core/db/users.ts";

const USAGE = `usage:
  heartbeats user create --username NAME --password PASS [--role admin|viewer|pinger]
  heartbeats user list
  heartbeats user passwd --username NAME --password PASS
  heartbeats user role --username NAME --role admin|viewer|pinger
  heartbeats user delete --username NAME
The password may come from the HEARTBEATS_PASSWORD variable instead of --password,
which keeps it out of the shell history and the process list. (npm run user -- … is the same.)
`;

const COMMANDS = ["create", "list", "passwd", "role", "delete"];
const { positionals, values } = argsOrExit(USAGE, {
  username: { type: "string" },
  password: { type: "string" },
  role: { type: "string" },
});
const command = positionals[0];
if (!command) usageError(USAGE, "no user command given");
if (!COMMANDS.includes(command)) usageError(USAGE, `unknown user command "${command}"`);

function need(name: "username" | "password" | "role"): string {
  const v = values[name] ?? (name === "password" ? passwordFromEnv() : undefined);
  if (!v) {
    usageError(USAGE, `--${name} is required`);
  }
  return v;
}

const config = configOrExit();
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
  }
} catch (err) {
  if (!(err instanceof UserInputError)) throw err;
  console.error(`${err.field}: ${err.message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
