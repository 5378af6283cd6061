// The init container of every pod that opens the database: waits until DATABASE_URL's host
// accepts TCP connections, so that a pod started before its database (a fresh dev cluster)
// waits here instead of crash-looping. It checks reachability only; the services migrate
// under a lock themselves. Exit 0: reachable (or a sqlite: URL); 1: not within the time limit.
//   DATABASE_URL          mysql://user:pass@host:3306/db (mariadb:// too)
//   DATABASE_URL_FILE     or a file holding it (a mounted Secret), as the server reads it
//   WAIT_TIMEOUT_SECONDS  how long to try, default 300

import fs from "node:fs";
import net from "node:net";

function databaseUrl() {
  const file = process.env.DATABASE_URL_FILE;
  if (!file) return process.env.DATABASE_URL ?? "";
  try {
    return fs.readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (err) {
    console.error(`DATABASE_URL_FILE: cannot read ${file} (${err.code ?? "unreadable"})`);
    process.exit(1);
  }
}

const raw = databaseUrl();
if (!/^(mysql|mariadb):\/\//.test(raw)) {
  console.log("DATABASE_URL is not a mysql:// URL: nothing to wait for");
  process.exit(0);
}
let url;
try {
  url = new URL(raw);
} catch {
  console.error("DATABASE_URL is not a valid URL");
  process.exit(1);
}
const host = url.hostname;
const port = Number(url.port || 3306);
const timeoutSeconds = Number(process.env.WAIT_TIMEOUT_SECONDS || 300);
const deadline = Date.now() + timeoutSeconds * 1000;

function attempt() {
  const socket = net.connect({ host, port });
  let done = false;
  const finish = (ok, reason) => {
    if (done) return;
    done = true;
    socket.destroy();
    if (ok) {
      console.log(`database ${host}:${port} accepts connections`);
      process.exit(0);
    }
    if (Date.now() >= deadline) {
      console.error(`database ${host}:${port} still unreachable after ${timeoutSeconds} s: ${reason}`);
      process.exit(1);
    }
    console.log(`waiting for database ${host}:${port}: ${reason}`);
    setTimeout(attempt, Math.min(2000, deadline - Date.now()));
  };
  socket.setTimeout(3000, () => finish(false, "connect timed out"));
  socket.once("connect", () => finish(true));
  socket.once("error", (err) => finish(false, err.code ?? err.message));
}
attempt();
