// LOG_FORMAT=json on a real server process: every line it prints on stdout, from the first to
// "stopped", is one JSON object with a level, a message, a time and the module that logged it.
// The first admin's password comes from ADMIN_PASSWORD_FILE and appears in no line.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startServer, type Server } from "../support/server.ts";
import { stopProcess } from "../support/system.ts";

const password = "json logs hide this 7f3a";
let server: Server;
let stdout = "";
let secretDir: string;

before(async () => {
  secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-log-json-"));
  const passwordFile = path.join(secretDir, "admin-password");
  fs.writeFileSync(passwordFile, password + "\n");
  server = await startServer(
    "log-json",
    { LOG_FORMAT: "json", ADMIN_PASSWORD: "", ADMIN_PASSWORD_FILE: passwordFile, PING_AUTH: "none" },
    { admin: ["root", password] },
  );
  // The process started before this listener: what it printed so far is in proc.output too,
  // mixed with stderr; from here on stdout is collected alone, and stderr stays empty.
  server.proc.child.stdout!.on("data", (b: Buffer) => (stdout += b.toString()));
});

after(async () => {
  await server?.stop();
  fs.rmSync(secretDir, { recursive: true, force: true });
});

test("every line of a server's output is one JSON object, from start to stop", async () => {
  // the admin from the password file signs in; a ping and a 404 make the services log
  const created = await server.api.call("POST", "/api/v1/monitors", {
    name: "json",
    schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal((await fetch(`${server.base}/ping/${created.body.code}`)).status, 200);
  assert.equal((await fetch(`${server.base}/ping/nothing-here`)).status, 404);
  await stopProcess(server.proc);

  const all = server.proc.output.join("");
  const lines = all.split("\n").filter((l) => l !== "");
  assert.ok(lines.length >= 5, `too few lines:\n${all}`);
  const records = lines.map((line) => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new Error(`not a JSON line: ${line}`);
    }
  });
  for (const r of records) {
    assert.equal(typeof r.level, "string", JSON.stringify(r));
    assert.ok(["fatal", "error", "warn", "info", "debug", "trace"].includes(r.level as string), JSON.stringify(r));
    assert.equal(typeof r.msg, "string", JSON.stringify(r));
    assert.equal(typeof r.ts, "number", JSON.stringify(r));
    assert.ok(Math.abs((r.ts as number) - Date.now()) < 120_000, JSON.stringify(r));
    assert.equal(typeof r.mod, "string", JSON.stringify(r));
  }
  const msgs = records.map((r) => r.msg as string);
  assert.ok(
    msgs.some((m) => m.startsWith("heartbeats started")),
    msgs.join("\n"),
  );
  assert.ok(
    msgs.some((m) => /^stopped in \d+ ms$/.test(m)),
    msgs.join("\n"),
  );
  // services say who they are
  assert.ok(
    records.some((r) => r.svc === "gateway"),
    "no line names its service",
  );
  assert.ok(!all.includes(password), "the admin password reached the log");
  assert.ok(stdout.length > 0 && stdout.split("\n").every((l) => l === "" || l.startsWith("{")));
});
