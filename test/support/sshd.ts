// A real OpenSSH sshd for tests: own config, own host key and authorised client keys in a
// temporary directory, listening on a free 127.0.0.1 port as the current user. Nothing
// system-wide is touched except creating /run/sshd, which privilege separation requires.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./system.ts";

export const SSHD = "/usr/sbin/sshd";

/** A skip reason when no sshd is installed; under CI a missing sshd is a failure instead. */
export function sshdAvailable(): string | undefined {
  if (fs.existsSync(SSHD) && fs.existsSync("/usr/bin/ssh-keygen")) return undefined;
  const reason = `${SSHD} or ssh-keygen not installed (apt-get install openssh-server)`;
  if (process.env.CI) throw new Error(`CI must run the SSH tests: ${reason}`);
  return reason;
}

export interface TestSshd {
  port: number;
  user: string;
  dir: string;
  hostKeyFingerprint: string;
  clientKey: string;
  clientKeyPath: string;
  clientKeyWithPassphrase: { key: string; passphrase: string };
  /** A valid key that is not in authorized_keys. */
  otherKey: string;
  /** Same port, fresh host key: what a reinstalled (or impersonated) host looks like. */
  restartWithNewHostKey(): Promise<string>;
  stop(): Promise<void>;
}

function keygen(file: string, passphrase = ""): void {
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-C", "heartbeats-test", "-f", file], {
    stdio: "ignore",
  });
}

function fingerprint(pubFile: string): string {
  const out = execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", pubFile], { encoding: "utf8" });
  const m = /(SHA256:\S+)/.exec(out);
  if (!m) throw new Error(`no fingerprint in: ${out}`);
  return m[1];
}

async function waitBanner(port: number, proc: ChildProcess, output: string[], timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`sshd exited with ${proc.exitCode}: ${output.join("")}`);
    const banner = await new Promise<string>((resolve) => {
      const s = net.connect(port, "127.0.0.1");
      let got = "";
      s.setTimeout(500, () => s.destroy());
      s.on("data", (b) => {
        got += b.toString();
        s.destroy();
      });
      s.on("error", () => {});
      s.on("close", () => resolve(got));
    });
    if (banner.startsWith("SSH-")) return;
    if (Date.now() > until) throw new Error(`sshd not answering on ${port}: ${output.join("")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startSshd(): Promise<TestSshd> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-sshd-"));
  const user = os.userInfo().username;
  fs.mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  const hostKey = path.join(dir, "host_ed25519");
  const clientKeyPath = path.join(dir, "client_ed25519");
  const passKeyPath = path.join(dir, "client_pass_ed25519");
  const otherKeyPath = path.join(dir, "other_ed25519");
  const passphrase = "correct horse battery staple";
  keygen(hostKey);
  keygen(clientKeyPath);
  keygen(passKeyPath, passphrase);
  keygen(otherKeyPath);
  fs.writeFileSync(
    path.join(dir, "authorized_keys"),
    fs.readFileSync(clientKeyPath + ".pub", "utf8") + fs.readFileSync(passKeyPath + ".pub", "utf8"),
    { mode: 0o600 },
  );
  const port = await freePort();
  const configFile = path.join(dir, "sshd_config");
  fs.writeFileSync(
    configFile,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${hostKey}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `AllowUsers ${user}`,
      "PermitRootLogin prohibit-password",
      "PubkeyAuthentication yes",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "StrictModes no",
      "UsePAM no",
      "MaxStartups 200",
      "MaxSessions 50",
      // The test user is whoever runs the tests (root in CI), whose ~/.bashrc on CI machines runs
      // `pyenv init` (about a second of CPU): bash sources it for every command sshd starts, so
      // 20 parallel polls measured the machine's shell set-up, not the collector (load 40+, half
      // of 200 hosts polled in 150 s, on trees before and after). Debian's bash reads ~/.bashrc
      // under sshd only in a top-level shell; SHLVL=1 makes each command's shell the second level.
      "SetEnv SHLVL=1",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );

  let proc: ChildProcess;
  let output: string[] = [];
  const launch = async () => {
    output = [];
    proc = spawn(SSHD, ["-D", "-e", "-f", configFile], { stdio: ["ignore", "pipe", "pipe"] });
    proc.stdout!.on("data", (b) => output.push(b.toString()));
    proc.stderr!.on("data", (b) => output.push(b.toString()));
    await waitBanner(port, proc, output);
  };
  const halt = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGTERM");
    await exited;
  };
  await launch();

  const sshd: TestSshd = {
    port,
    user,
    dir,
    hostKeyFingerprint: fingerprint(hostKey + ".pub"),
    clientKey: fs.readFileSync(clientKeyPath, "utf8"),
    clientKeyPath,
    clientKeyWithPassphrase: { key: fs.readFileSync(passKeyPath, "utf8"), passphrase },
    otherKey: fs.readFileSync(otherKeyPath, "utf8"),
    async restartWithNewHostKey() {
      await halt();
      fs.rmSync(hostKey);
      fs.rmSync(hostKey + ".pub");
      keygen(hostKey);
      sshd.hostKeyFingerprint = fingerprint(hostKey + ".pub");
      await launch();
      return sshd.hostKeyFingerprint;
    },
    async stop() {
      await halt();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return sshd;
}
