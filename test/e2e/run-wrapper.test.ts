// `heartbeats run` end to end: the real server (bin/start.ts, SQLite) and the wrapper run as a
// real child process around real commands, as an operator or a crontab line runs it.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { eventually, freePort, ROOT } from "../support/system.ts";
import type { Api } from "../support/api.ts";
import { startServer, type Server } from "../support/server.ts";

const ADMIN: [string, string] = ["root", "wrapper-secret-pw"];
const BIN = path.join(ROOT, "bin/heartbeats.mjs");
let server: Server;
let dir: string;
let base: string;
let client: Api;

before(async () => {
  server = await startServer("run-wrapper-server", {}, { admin: ADMIN });
  ({ dir, base, api: client } = server);
});

after(() => server?.stop());

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function collect(child: ReturnType<typeof spawn>, stdin?: string): Promise<Ran> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (b) => (stdout += b));
  child.stderr!.on("data", (b) => (stderr += b));
  if (stdin !== undefined) child.stdin!.end(stdin);
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}

/** `node bin/heartbeats.mjs run …` with the server and credentials in the environment. */
function run(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string>; bin?: string; onStderr?: (text: string) => void } = {},
): Promise<Ran> {
  const child = spawn(process.execPath, [opts.bin ?? BIN, "run", ...args], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      HEARTBEATS_SERVER: base,
      HEARTBEATS_USER: ADMIN[0],
      HEARTBEATS_PASSWORD: ADMIN[1],
      HEARTBEATS_BACKOFF_MS: "200",
      ...opts.env,
    },
    stdio: [opts.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  if (opts.onStderr) child.stderr!.on("data", (b) => opts.onStderr!(String(b)));
  return collect(child, opts.stdin);
}

async function monitor(name: string): Promise<{ id: number; code: string }> {
  const r = await client.call("POST", "/api/v1/monitors", {
    name,
    schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

interface StoredPing {
  kind: string;
  exitStatus: number | null;
  data: string | null;
  dataTruncated: boolean;
  durationMs: number | null;
  userAgent: string | null;
}

/** Oldest first. */
async function pings(id: number): Promise<StoredPing[]> {
  const items: (StoredPing & { id: number })[] = (await client.call("GET", `/api/v1/monitors/${id}/pings`)).body.items;
  return items.sort((a, b) => a.id - b.id);
}

async function statusOf(id: number): Promise<string> {
  return (await client.call("GET", `/api/v1/monitors/${id}`)).body.status;
}

function assertNoPassword(r: Ran) {
  assert.ok(!r.stdout.includes(ADMIN[1]) && !r.stderr.includes(ADMIN[1]), "the password was printed");
}

test("a failing command: stdout and stderr pass through, its exit status is ours, start + exit status + output are stored, the monitor is down with the run's duration", async () => {
  const m = await monitor("run-fails");
  const r = await run(["--code", m.code, "--", "sh", "-c", "echo out; sleep 1; echo err >&2; exit 3"]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, "out\n");
  assert.equal(r.stderr, "err\n");
  assertNoPassword(r);
  const p = await pings(m.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.exitStatus]),
    [
      ["start", null],
      ["fail", 3],
    ],
  );
  assert.equal(p[1].data, "out\nerr\n");
  assert.ok(
    p[1].durationMs !== null && p[1].durationMs >= 1000 && p[1].durationMs < 30_000,
    `run duration ${p[1].durationMs}`,
  );
  assert.equal(p[1].userAgent, "heartbeats-run");
  assert.equal(await statusOf(m.id), "down");
  console.log(`wrapped run duration stored: ${p[1].durationMs} ms`);
});

test("more than 10 KB of output: all of it passes through, the last 10 KB is the ping's data, exit 0 is a success", async () => {
  const m = await monitor("run-long-output");
  const script = 'i=0; while [ $i -lt 3000 ]; do echo "line $i of the job output"; i=$((i+1)); done';
  const r = await run(["--code", m.code, "--", "sh", "-c", script]);
  assert.equal(r.status, 0, r.stderr);
  const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} of the job output\n`).join("");
  assert.equal(r.stdout, lines);
  const p = await pings(m.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.exitStatus]),
    [
      ["start", null],
      ["success", 0],
    ],
  );
  assert.equal(p[1].data, lines.slice(-10_240));
  assert.equal(p[1].dataTruncated, false);
  assert.equal(await statusOf(m.id), "up");
});

test("a missing command: exit 127 and a failure ping saying so", async () => {
  const m = await monitor("run-missing");
  const r = await run(["--code", m.code, "--", "no-such-command-xyz", "arg"]);
  assert.equal(r.status, 127);
  assert.match(r.stderr, /cannot run no-such-command-xyz: command not found/);
  const p = await pings(m.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.exitStatus]),
    [
      ["start", null],
      ["fail", 127],
    ],
  );
  assert.match(p[1].data ?? "", /no-such-command-xyz: command not found/);
  assert.equal(await statusOf(m.id), "down");
});

test("stdin reaches the command; a command killed by a signal exits 128+n", async () => {
  const m = await monitor("run-stdin");
  const r = await run(["--code", m.code, "--", "sh", "-c", 'read line; echo "got $line"'], {
    stdin: "hello from stdin\n",
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "got hello from stdin\n");
  assert.equal((await pings(m.id))[1].data, "got hello from stdin\n");

  const k = await monitor("run-killed");
  const killed = await run(["--code", k.code, "--", "sh", "-c", "echo dying; kill -TERM $$"]);
  assert.equal(killed.status, 143);
  const p = await pings(k.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.exitStatus]),
    [
      ["start", null],
      ["fail", 143],
    ],
  );
});

test("a server that is down for the first attempts: the pings are retried and arrive; the command's status is unchanged", async () => {
  const m = await monitor("run-retry");
  const port = await freePort();
  let refusedWith503 = 0;
  const seen: string[] = [];
  // Nothing listens on `port` at first (connection refused); then a proxy that answers 503 once, then forwards.
  const proxy = http.createServer(async (req, res) => {
    seen.push(req.url ?? "");
    if (refusedWith503++ === 0) {
      res.writeHead(503).end("starting");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const upstream = await fetch(base + req.url, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: body.length ? body : undefined,
    });
    res.writeHead(upstream.status).end(Buffer.from(await upstream.arrayBuffer()));
  });
  const started = Date.now();
  let listening: Promise<void> | undefined;
  try {
    const r = await run(["--code", m.code, "--", "sh", "-c", "echo retried; exit 5"], {
      env: { HEARTBEATS_SERVER: `http://127.0.0.1:${port}`, HEARTBEATS_RETRIES: "5", HEARTBEATS_BACKOFF_MS: "300" },
      // The server comes up once the wrapper has been refused once.
      onStderr: (text) => {
        if (!listening && text.includes("ECONNREFUSED"))
          listening = new Promise((resolve) => proxy.listen(port, "127.0.0.1", resolve));
      },
    });
    await listening;
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stderr, /start ping attempt 1 failed \(ECONNREFUSED\); retrying in 300 ms/);
    assert.match(r.stderr, /attempt \d failed \(HTTP 503\)/);
    assert.doesNotMatch(r.stderr, /not delivered/);
    assertNoPassword(r);
    const p = await pings(m.id);
    assert.deepEqual(
      p.map((x) => [x.kind, x.exitStatus, x.data]),
      [
        ["start", null, null],
        ["fail", 5, "retried\n"],
      ],
    );
    assert.deepEqual(seen, [`/ping/${m.code}/start`, `/ping/${m.code}/start`, `/ping/${m.code}/5`]);
    console.log(`wrapper with a server down at first: done in ${Date.now() - started} ms`);
  } finally {
    proxy.close();
  }
});

test("a wrong password is not retried (4xx) and never printed; the command still runs and keeps its status", async () => {
  const m = await monitor("run-badauth");
  const r = await run(["--code", m.code, "--", "sh", "-c", "echo still ran; exit 0"], {
    env: { HEARTBEATS_PASSWORD: "not-the-password-xyz" },
  });
  assert.equal(r.status, 0);
  assert.equal(r.stdout, "still ran\n");
  assert.match(r.stderr, /start ping not delivered after 1 attempt\(s\): HTTP 401/);
  assert.ok(!r.stderr.includes("not-the-password-xyz"));
  assert.equal((await pings(m.id)).length, 0);
});

test("a bad command line exits 2 without running the command", async () => {
  const r = await run(["--", "sh", "-c", "echo should-not-run"], { env: { HEARTBEATS_CODE: "" } });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /no monitor code/);
});

test("a crontab line: /bin/sh -c with a minimal environment, options on the command line", async () => {
  const m = await monitor("run-cron");
  // What cron runs: its own minimal environment and /bin/sh -c "<the line>".
  const line = `HEARTBEATS_PASSWORD='${ADMIN[1]}' ${process.execPath} ${BIN} run --server ${base} --user ${ADMIN[0]} --code ${m.code} -- /bin/sh -c 'echo "from cron in $HOME"; exit 0' >> ${dir}/cron.log 2>&1`;
  const child = spawn("env", ["-i", "PATH=/usr/bin:/bin", "HOME=/tmp", "SHELL=/bin/sh", "/bin/sh", "-c", line], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r = await collect(child);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(fs.readFileSync(path.join(dir, "cron.log"), "utf8"), "from cron in /tmp\n");
  const p = await pings(m.id);
  assert.deepEqual(
    p.map((x) => [x.kind, x.exitStatus, x.data]),
    [
      ["start", null, null],
      ["success", 0, "from cron in /tmp\n"],
    ],
  );
  await eventually(async () => (await statusOf(m.id)) === "up", 5000, "monitor up");
});

test("npx heartbeats run works from a checkout", async () => {
  const m = await monitor("run-npx");
  const child = spawn("npx", ["heartbeats", "run", "--code", m.code, "--", "sh", "-c", "echo via npx; exit 4"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? dir,
      HEARTBEATS_SERVER: base,
      HEARTBEATS_USER: ADMIN[0],
      HEARTBEATS_PASSWORD: ADMIN[1],
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r = await collect(child);
  assert.equal(r.status, 4, r.stderr);
  assert.equal(r.stdout, "via npx\n");
  assert.deepEqual(
    (await pings(m.id)).map((x) => [x.kind, x.exitStatus]),
    [
      ["start", null],
      ["fail", 4],
    ],
  );
});

test("installed from the packed package (npm pack, under node_modules, where Node strips no types) the bin runs", async () => {
  const m = await monitor("run-installed");
  const install = path.join(dir, "install");
  fs.mkdirSync(path.join(install, "node_modules", "heartbeats"), { recursive: true });
  const packed = spawnSync("npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", install], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(packed.status, 0, packed.stderr);
  const tarball = path.join(install, packed.stdout.trim().split("\n").pop()!);
  const untar = spawnSync(
    "tar",
    ["xzf", tarball, "-C", path.join(install, "node_modules", "heartbeats"), "--strip-components=1"],
    { encoding: "utf8" },
  );
  assert.equal(untar.status, 0, untar.stderr);
  // What npm links for the package's bin: node_modules/.bin/heartbeats → ../heartbeats/<bin>.
  const manifest = JSON.parse(
    fs.readFileSync(path.join(install, "node_modules", "heartbeats", "package.json"), "utf8"),
  );
  fs.mkdirSync(path.join(install, "node_modules", ".bin"));
  const link = path.join(install, "node_modules", ".bin", "heartbeats");
  fs.symlinkSync(path.join("..", "heartbeats", manifest.bin.heartbeats), link);
  // Its dependencies are not installed: the bin needs none.
  const child = spawn(link, ["run", "--code", m.code, "--", "sh", "-c", "echo installed"], {
    cwd: install,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      HEARTBEATS_SERVER: base,
      HEARTBEATS_USER: ADMIN[0],
      HEARTBEATS_PASSWORD: ADMIN[1],
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const r = await collect(child);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "installed\n");
  assert.deepEqual(
    (await pings(m.id)).map((x) => x.kind),
    ["start", "success"],
  );
});
