// `heartbeats run`: wraps a command for cron, like runitor for healthchecks.io. Sends /start,
// runs the command with stdin, stdout and stderr passed through, then sends its exit status
// with the last 10 KB of its combined output. Exits with the command's own status whatever
// happened to the pings (a signal death is 128 + n, a missing command 127). The password is
// never printed. Plain JavaScript: a bin installed under node_modules cannot be TypeScript.

import { spawn } from "node:child_process";
import os from "node:os";
import { sendPing } from "../ping-client.mjs";
import { TailBuffer } from "./tail.mjs";

export const OUTPUT_TAIL_BYTES = 10_240;

export const RUN_USAGE = `usage: heartbeats run [options] [--] COMMAND [ARG…]

  --code CODE         the monitor's ping code            (env HEARTBEATS_CODE)
  --server URL        Heartbeats' base URL               (env HEARTBEATS_SERVER, default http://localhost:5827)
  --user USER         basic-auth user or API key name    (env HEARTBEATS_USER)
  --password PASS     password or API key; prefer the environment, a command line is visible in ps
                                                         (env HEARTBEATS_PASSWORD)
  --retries N         extra attempts for a failed ping   (env HEARTBEATS_RETRIES, default 3)

Exits with the command's exit status; 2 for a bad command line (the command is not run).
`;

const OPTIONS = /** @type {const} */ (["code", "server", "user", "password", "retries"]);

export class UsageError extends Error {}

/**
 * The command line after `run` and the environment, as settings. Our options come first; the
 * command starts after `--` or at the first word that is not an option.
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 */
export function parseRunArgs(argv, env) {
  /** @type {Record<string, string>} */
  const opts = {};
  let i = 0;
  let help = false;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      i++;
      break;
    }
    if (arg === "-h" || arg === "--help") {
      help = true;
      continue;
    }
    if (!arg.startsWith("--")) break;
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!OPTIONS.includes(/** @type {any} */ (name)))
      throw new UsageError(`unknown option ${arg.slice(0, eq < 0 ? undefined : eq)}`);
    if (eq >= 0) opts[name] = arg.slice(eq + 1);
    else if (i + 1 < argv.length) opts[name] = argv[++i];
    else throw new UsageError(`${arg} needs a value`);
  }
  const command = argv.slice(i);
  const pick = (/** @type {string} */ name, /** @type {string} */ envName) => {
    const v = opts[name] ?? env[envName];
    return v === undefined || v === "" ? null : v;
  };
  const code = pick("code", "HEARTBEATS_CODE");
  const server = (pick("server", "HEARTBEATS_SERVER") ?? "http://localhost:5827").replace(/\/+$/, "");
  const retriesRaw = pick("retries", "HEARTBEATS_RETRIES") ?? "3";
  if (help) return { help: true, code: "", server, user: null, password: null, retries: 0, command };
  if (!code) throw new UsageError("no monitor code: give --code or HEARTBEATS_CODE");
  if (!/^https?:\/\/[^/]/i.test(server)) throw new UsageError(`--server must be an http:// or https:// URL`);
  if (!/^\d{1,2}$/.test(retriesRaw)) throw new UsageError("--retries must be a whole number from 0 to 99");
  if (!command.length) throw new UsageError("no command to run");
  return {
    help: false,
    code,
    server,
    user: pick("user", "HEARTBEATS_USER"),
    password: pick("password", "HEARTBEATS_PASSWORD"),
    retries: Number(retriesRaw),
    command,
  };
}

/** The exit status a shell would report for a child that ended with `code` or died of `signal`. */
/** @param {number | null} code @param {NodeJS.Signals | null} signal */
export function exitStatusOf(code, signal) {
  if (code !== null) return code;
  const n = signal ? os.constants.signals[signal] : undefined;
  return Math.min(255, 128 + (n ?? 0));
}

/**
 * Runs the command; resolves with its exit status and the tail of its combined output.
 * @param {string[]} command
 * @returns {Promise<{ status: number, output: string }>}
 */
export function runCommand(command) {
  return new Promise((resolve) => {
    const tail = new TailBuffer(OUTPUT_TAIL_BYTES);
    const child = spawn(command[0], command.slice(1), { stdio: ["inherit", "pipe", "pipe"] });
    // Signals meant for us (Ctrl-C, a cron daemon stopping) go to the command; we report what it does.
    const forward = (/** @type {NodeJS.Signals} */ sig) => child.kill(sig);
    const signals = /** @type {NodeJS.Signals[]} */ (["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"]);
    for (const s of signals) process.on(s, forward);
    const done = (/** @type {{ status: number, output: string }} */ r) => {
      for (const s of signals) process.off(s, forward);
      resolve(r);
    };
    child.stdout.on("data", (b) => tail.push(b));
    child.stderr.on("data", (b) => tail.push(b));
    child.stdout.pipe(process.stdout, { end: false });
    child.stderr.pipe(process.stderr, { end: false });
    child.once("error", (err) => {
      const code = /** @type {NodeJS.ErrnoException} */ (err).code;
      const status = code === "ENOENT" ? 127 : 126;
      const message = `heartbeats run: cannot run ${command[0]}: ${code === "ENOENT" ? "command not found" : err.message}\n`;
      process.stderr.write(message);
      tail.push(Buffer.from(message));
      done({ status, output: tail.text() });
    });
    // "close": the command exited and its stdout and stderr are drained.
    child.once("close", (code, signal) => {
      if (child.pid === undefined) return; // never started: "error" answered
      done({ status: exitStatusOf(code, signal), output: tail.text() });
    });
  });
}

/**
 * @param {string[]} argv the words after `run`
 * @param {Record<string, string | undefined>} env
 * @returns {Promise<number>} the exit status for this process
 */
export async function runWrapped(argv, env) {
  let settings;
  try {
    settings = parseRunArgs(argv, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`heartbeats run: ${err.message}\n${RUN_USAGE}`);
    return 2;
  }
  if (settings.help) {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const { code, server, user, password, retries, command } = settings;
  const backoffMs = Number(env.HEARTBEATS_BACKOFF_MS ?? 1000);
  const auth = { user, password };
  const url = `${server}/ping/${encodeURIComponent(code)}`;
  const send = async (/** @type {string} */ what, /** @type {string} */ path, /** @type {string | null} */ body) => {
    const sent = await sendPing({ method: "POST", url: url + path, body }, auth, {
      retries,
      backoffMs,
      userAgent: "heartbeats-run",
      log: (line) => process.stderr.write(`heartbeats run: ${what} ${line}\n`),
    });
    if (!sent.ok)
      process.stderr.write(
        `heartbeats run: ${what} ping not delivered after ${sent.attempts} attempt(s): ${sent.error}\n`,
      );
  };
  await send("start", "/start", null);
  const result = await runCommand(command);
  await send("exit status", `/${result.status}`, result.output === "" ? null : result.output);
  return result.status;
}
