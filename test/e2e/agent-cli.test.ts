// heartbeats-agent end to end: the real server, a real sshd, and `node agent/cli.ts` run as
// cron would run it, with the original tool's config file and with our detailed format.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { eventually, ROOT } from "../support/system.ts";
import type { Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";
import { sshdAvailable, startSshd, type TestSshd } from "../support/sshd.ts";

const skip = sshdAvailable();
const ADMIN: [string, string] = ["root", "admin-password"];
let server: Server;
let dir: string;
let base: string;
let client: Api;
let sshd: TestSshd;

before(async () => {
  if (!skip) sshd = await startSshd();
  server = await startServer("agent-server", {}, { admin: ADMIN });
  ({ dir, base, api: client } = server);
});

after(async () => {
  await server?.stop();
  await sshd?.stop();
});

function runAgent(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "agent/cli.ts"), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", HEARTBEATS_AGENT_BACKOFF_MS: "50" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

async function monitor(name: string): Promise<{ id: number; code: string }> {
  const r = await client.call("POST", "/api/v1/monitors", {
    name,
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function pings(id: number): Promise<{ kind: string; data: string | null }[]> {
  return (await client.call("GET", `/api/v1/monitors/${id}/pings`)).body.items;
}

function originalConfig(code: string, processes: string[]): string {
  const keyFile = path.join(dir, "id_ed25519");
  fs.writeFileSync(keyFile, sshd.clientKey, { mode: 0o600 });
  return [
    "SERVER:",
    `  IP: ${base.replace("http://", "")}`,
    `  SERVICE: ${code}`,
    `  USER: ${ADMIN[0]}`,
    `  PASSWD: ${ADMIN[1]}`,
    "AGENT:",
    "  SSH:",
    `    KEY: ${keyFile}`,
    `    USER: ${sshd.user}`,
    "IPS:",
    `  127.0.0.1:${sshd.port}:`,
    "    BASIC: {MEM: 100, DISK: 100, CPU: 100}",
    `    PROCESS: [${processes.join(", ")}]`,
    "",
  ].join("\n");
}

test(
  "original config: all checks pass → success ping, monitor up; host key trusted on first use",
  { skip },
  async () => {
    const m = await monitor("agent-original");
    const file = path.join(dir, "original.yaml");
    fs.writeFileSync(file, originalConfig(m.code, ["sshd"]));
    const r = await runAgent("--config", file);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(!r.stdout.includes(ADMIN[1]) && !r.stderr.includes(ADMIN[1]), "password printed");
    assert.match(r.stdout, new RegExp(`sending \\(success\\): POST ${base}/api/pings/\\?service=${m.code}\\n`));
    assert.match(
      fs.readFileSync(`${file}.known_hosts`, "utf8"),
      new RegExp(`127\\.0\\.0\\.1:${sshd.port} ${sshd.hostKeyFingerprint.replace(/[+/]/g, "\\$&")}`),
    );
    const items = await pings(m.id);
    assert.equal(items.length, 1);
    assert.equal(items[0].kind, "success");
    assert.equal((await client.call("GET", `/api/v1/monitors/${m.id}`)).body.status, "up");
    const line = r.stdout.split("\n").find((l) => l.startsWith(`host 127.0.0.1:${sshd.port}`));
    console.log(`agent host line: ${line}`);
  },
);

test("original config: a missing process → failure ping in the original format, monitor down", { skip }, async () => {
  const m = await monitor("agent-original-fail");
  const file = path.join(dir, "original-fail.yaml");
  fs.writeFileSync(file, originalConfig(m.code, ["sshd", "no-such-process-xyz"]));
  const r = await runAgent("--config", file);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const items = await pings(m.id);
  assert.equal(items.length, 1);
  assert.equal(items[0].data, `127.0.0.1:${sshd.port}:process:no-such-process-xyz`);
  await eventually(
    async () => (await client.call("GET", `/api/v1/monitors/${m.id}`)).body.status === "down",
    5000,
    "monitor down",
  );
});

test("--dry-run sends nothing", { skip }, async () => {
  const m = await monitor("agent-dry");
  const file = path.join(dir, "dry.yaml");
  fs.writeFileSync(file, originalConfig(m.code, ["no-such-process-xyz"]));
  const r = await runAgent("--config", file, "--dry-run");
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /dry run, would send \(failure\): POST .*&data=127\.0\.0\.1%3A\d+%3Aprocess%3Ano-such-process-xyz/,
  );
  assert.equal((await pings(m.id)).length, 0);
  assert.equal(fs.existsSync(`${file}.known_hosts`), false);
});

test("malformed YAML or config: exit 2 with the line", async () => {
  const file = path.join(dir, "bad.yaml");
  fs.writeFileSync(file, "SERVER:\n  IP: 127.0.0.1\n  SERVICE: [oops\nIPS: {}\n");
  const r = await runAgent("--config", file);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.yaml:\d+:\d+: not valid YAML/);
  fs.writeFileSync(
    file,
    "server: {url: http://x, code: c}\nhosts:\n  - local: true\n    checks:\n      - cpu > 90\n      - gpu > 5\n",
  );
  const r2 = await runAgent("--config", file);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /bad\.yaml:6: hosts\[0\]\.checks\[1\]: unknown metric "gpu"/);
});

test("detailed format against the local machine: readable failure report via /ping/CODE/fail", async () => {
  const m = await monitor("agent-detailed");
  const file = path.join(dir, "detailed.yaml");
  fs.writeFileSync(
    file,
    [
      `server: {url: "${base}", code: ${m.code}, user: ${ADMIN[0]}}`,
      "format: detailed",
      "hosts:",
      '  - {local: true, name: this-box, checks: ["cpu > 100", "disk:/ > 100", "process:no-such-process-xyz >= 1"]}',
      "",
    ].join("\n"),
  );
  {
    // The password comes from the environment, as the config documents.
    const r = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [path.join(ROOT, "agent/cli.ts"), "--config", file], {
        env: { PATH: process.env.PATH ?? "", HEARTBEATS_PASSWORD: ADMIN[1] },
      });
      let stdout = "";
      child.stdout.on("data", (b) => (stdout += b));
      child.stderr.on("data", (b) => (stdout += b));
      child.on("exit", (code) => resolve({ code, stdout }));
    });
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, new RegExp(`POST ${base}/ping/${m.code}/fail`));
  }
  const items = await pings(m.id);
  assert.equal(items.length, 1);
  assert.equal(items[0].kind, "fail");
  assert.equal(items[0].data, "this-box: process no-such-process-xyz: 0 running, expected >= 1\n");
});
