// Collection on the agent's own machine: the same script as over SSH, run by /bin/sh, so
// `local: true` hosts are measured exactly like remote ones.

import { spawn } from "node:child_process";
import { OutputBuffer } from "./output-buffer.ts";
import { newScript, resultFromOutput, type CollectResult } from "./collect-result.ts";

export function collectLocal(processes: readonly string[], commandTimeoutMs = 20_000): Promise<CollectResult> {
  const started = Date.now();
  const { token, script } = newScript();
  return new Promise((resolve) => {
    const out = new OutputBuffer();
    let settled = false;
    const finish = (r: CollectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const child = spawn("/bin/sh", ["-s"], { env: { ...process.env, LC_ALL: "C" }, stdio: ["pipe", "pipe", "ignore"] });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      finish({
        ok: false,
        kind: "timeout",
        error: `timeout: collection did not finish within ${commandTimeoutMs} ms`,
        durationMs: Date.now() - started,
      });
    }, commandTimeoutMs);
    child.stdout.on("data", (b: Buffer) => {
      if (!out.push(b)) child.kill("SIGKILL");
    });
    child.on("error", (err) =>
      finish({
        ok: false,
        kind: "unreachable",
        error: `cannot run /bin/sh: ${err.message}`,
        durationMs: Date.now() - started,
      }),
    );
    child.on("close", () => finish(resultFromOutput(out, token, processes, null, started)));
    child.stdin.on("error", () => {}); // the shell may exit before reading all of stdin
    child.stdin.end(script);
  });
}
