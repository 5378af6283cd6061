// A server binary run by a test (mariadbd, nats-server): started until its port accepts
// connections, stopped with a signal of the test's choice (SIGKILL: a crash).

import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: "127.0.0.1", port });
    s.once("connect", () => (s.destroy(), resolve(true)));
    s.once("error", () => resolve(false));
  });
}

export interface ChildServer {
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function childServer(command: string, args: string[], port: number, timeoutMs = 30_000): ChildServer {
  let child: ChildProcess | null = null;
  return {
    async start() {
      const c = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
      child = c;
      let log = "";
      c.stderr!.on("data", (b: Buffer) => (log = (log + b.toString()).slice(-4000)));
      const until = Date.now() + timeoutMs;
      while (!(await portOpen(port))) {
        if (c.exitCode !== null) throw new Error(`${command} exited ${c.exitCode}: ${log}`);
        if (Date.now() > until) throw new Error(`${command} did not listen on ${port} within ${timeoutMs} ms: ${log}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop(signal: NodeJS.Signals = "SIGKILL") {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((r) => c.once("exit", r));
      c.kill(signal);
      await exited;
      child = null;
    },
  };
}
