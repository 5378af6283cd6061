// Podman as docs/deploy.md runs it on a machine without a registry: the base images made by
// bin/image/make-base.sh, the image built from the Dockerfile with them, containers on the
// host's network (runc, the settings of bin/image/containers.conf unless CONTAINERS_CONF is set).

import { execFile, spawnSync } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { ROOT } from "./system.ts";

const exec = promisify(execFile);
const env = {
  ...process.env,
  CONTAINERS_CONF: process.env.CONTAINERS_CONF ?? path.join(ROOT, "bin/image/containers.conf"),
};

/** undefined when the tool runs here; why not otherwise. */
export function notInstalled(cmd: "podman" | "podman-compose"): string | undefined {
  const r = spawnSync(cmd, ["version"], { env, encoding: "utf8" });
  return r.status === 0 ? undefined : `${cmd} is not installed (${r.error?.message ?? r.stderr.trim()})`;
}

/** Runs a tool; its stdout. Fails with the tool's output. */
async function tool(cmd: string, args: string[], timeoutMs: number, vars: Record<string, string> = {}) {
  try {
    const { stdout } = await exec(cmd, args, {
      env: { ...env, ...vars },
      cwd: ROOT,
      timeout: timeoutMs,
      maxBuffer: 64 << 20,
    });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    const output = `${e.stdout ?? ""}\n${e.stderr ?? ""}`.slice(-8000);
    throw new Error(`${cmd} ${args.join(" ")}: ${e.message}\n${output}`, { cause: err });
  }
}

/** Runs podman; its stdout, trimmed. */
export async function podman(args: string[], timeoutMs = 60_000): Promise<string> {
  return (await tool("podman", args, timeoutMs)).trim();
}

/** heartbeats-base-build and heartbeats-base-runtime, made unless they exist. */
export async function makeBaseImages(): Promise<void> {
  await tool(path.join(ROOT, "bin/image/make-base.sh"), [], 20 * 60_000);
}

/** The Dockerfile built on those bases, as docs/deploy.md says; podman reuses unchanged layers. */
export async function buildImage(tag: string): Promise<void> {
  await podman(
    [
      "build",
      "--isolation",
      "chroot",
      "--network",
      "host",
      "--format",
      "docker",
      "--build-arg",
      "NODE_BUILD_IMAGE=heartbeats-base-build",
      "--build-arg",
      "NODE_RUNTIME_IMAGE=heartbeats-base-runtime",
      "-t",
      tag,
      ".",
    ],
    30 * 60_000,
  );
}

export interface RunOptions {
  env: Record<string, string>;
  /** "volume:/path" */
  volume?: string;
  entrypoint?: string[];
  /** what the image's VOLUMEs get when no volume is given: bind (default), tmpfs or ignore */
  imageVolume?: "bind" | "tmpfs" | "ignore";
}

function runArgs(name: string, image: string, o: RunOptions): string[] {
  const args = ["--name", name, "--runtime", "runc", "--network", "host"];
  for (const [k, v] of Object.entries(o.env)) args.push("--env", `${k}=${v}`);
  if (o.volume) args.push("--volume", o.volume);
  if (o.imageVolume) args.push("--image-volume", o.imageVolume);
  if (o.entrypoint) args.push("--entrypoint", o.entrypoint[0]!);
  args.push(image, ...(o.entrypoint?.slice(1) ?? []));
  return args;
}

/** Starts a container in the background; its name. */
export async function runDetached(name: string, image: string, o: RunOptions): Promise<string> {
  await podman(["run", "--detach", ...runArgs(name, image, o)]);
  return name;
}

/** Runs a container to its end; its exit code, its stdout, and all its output. */
export async function runToEnd(name: string, image: string, o: RunOptions, timeoutMs = 120_000) {
  const r = spawnSync("podman", ["run", "--rm", ...runArgs(name, image, o)], {
    env,
    cwd: ROOT,
    timeout: timeoutMs,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, output: `${r.stdout}${r.stderr}` };
}

export async function logsOf(name: string): Promise<string> {
  return podman(["logs", name]).catch((err: Error) => err.message);
}

/** Waits until GET url answers 200; fails early, with the logs, when the container has stopped. */
export async function waitContainerReady(name: string, url: string, timeoutMs = 90_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const state = await podman(["inspect", "--format", "{{.State.Status}}", name]);
    if (state !== "running") throw new Error(`container ${name} is ${state}:\n${await logsOf(name)}`);
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > until) throw new Error(`${url} not ready after ${timeoutMs} ms:\n${await logsOf(name)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Removes containers (with their anonymous volumes) and named volumes; never fails (cleanup). */
export async function removeAll(containers: string[], volumes: string[]): Promise<void> {
  // --volumes: the anonymous volume each container without -v gets for the image's VOLUME.
  if (containers.length)
    await podman(["rm", "--force", "--volumes", "--ignore", "--time", "5", ...containers]).catch(() => {});
  for (const v of volumes) await podman(["volume", "rm", "--force", v]).catch(() => {});
}

/**
 * podman-compose on compose.yaml as project `project`, with `vars` for its ${…}. Debian's 1.0.3
 * knows no profiles: name the services. Containers get runc, as everywhere here.
 */
export async function compose(project: string, vars: Record<string, string>, args: string[]): Promise<string> {
  const base = ["-f", "compose.yaml", "-p", project, "--podman-run-args=--runtime runc"];
  return tool("podman-compose", [...base, ...args], 120_000, vars);
}
