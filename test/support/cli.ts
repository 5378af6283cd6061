// Runs one of the npm run commands (bin/*.ts) as a child process, as an operator would.

import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./system.ts";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b: Buffer) => (stdout += b));
  child.stderr.on("data", (b: Buffer) => (stderr += b));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) =>
    child.once("close", (code) => {
      clearTimeout(timer);
      if (process.env.HB_TEST_VERBOSE) process.stderr.write(`[${script}] ${stdout}${stderr}`);
      resolve({ code, stdout, stderr });
    }),
  );
}
