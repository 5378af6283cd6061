// Runs Heartbeats for end-to-end tests the way an operator does: `node bin/start.ts` as a
// child process with environment variables, on a free port.

import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/**
 * A port free right now, for a process started next to listen on. Taken below Linux's
 * ephemeral range (32768–60999): a port from that range can be handed to some outgoing
 * connection (a NATS or MariaDB client) before the process binds it (EADDRINUSE, seen in CI).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(false));
      srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

/** Heartbeats (bin/start.ts), or another script of the project with its arguments. */
export function startProcess(
  name: string,
  env: Record<string, string>,
  script = "bin/start.ts",
  args: string[] = [],
): Proc {
  const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    // DASHBOARD_BUILD=off: the suites that need the dashboard build it once themselves.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      LOG_LEVEL: "info",
      DASHBOARD_BUILD: "off",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (b: Buffer) => {
    output.push(b.toString());
    if (process.env.HB_TEST_VERBOSE) process.stderr.write(`[${name}] ${b}`);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { name, child, output, exited };
}

export async function stopProcess(p: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  await p.exited;
}

/** Waits until GET url answers 200, or the process dies, or time runs out. */
export async function waitReady(url: string, procs: Proc[], timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    for (const p of procs) {
      if (p.child.exitCode !== null)
        throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output.join("")}`);
    }
    try {
      const res = await fetch(url);
      if (res.status === 200) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > until)
      throw new Error(
        `not ready after ${timeoutMs} ms: ${url}\n${procs.map((p) => `--- ${p.name}\n${p.output.join("")}`).join("\n")}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until `probe` returns a truthy value; returns it. */
export async function eventually<T>(
  probe: () => Promise<T>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until a process has printed a line matching `pattern`. */
export async function waitOutput(p: Proc, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!pattern.test(p.output.join(""))) {
    if (p.child.exitCode !== null) throw new Error(`${p.name} exited with ${p.child.exitCode}:\n${p.output.join("")}`);
    if (Date.now() > until)
      throw new Error(`${p.name} did not print ${pattern} within ${timeoutMs} ms:\n${p.output.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
