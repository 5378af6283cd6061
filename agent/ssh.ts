// Collection over SSH with the ssh2 package: one connection, one exec of the collection
// script, host-key pinning, and every failure mapped to a kind the report can name.
// Nothing here may echo key material: errors are rebuilt from ssh2's level/code, and any
// free text that reaches the caller is scrubbed of the key and passphrase.

import { createHash } from "node:crypto";
import { Client, type ClientChannel, type ConnectConfig } from "ssh2";
import { OutputBuffer } from "./output-buffer.ts";
import { newScript, resultFromOutput, type CollectResult } from "./collect-result.ts";

export interface SshTarget {
  host: string;
  port: number;
  username: string;
  /** PEM or OpenSSH private key text. */
  privateKey: string;
  passphrase?: string;
  /** "SHA256:base64" as `ssh-keygen -lf` prints it; null/absent: nothing pinned yet. */
  hostKeyFingerprint?: string | null;
  /** Accept an unpinned host key (and report it so the caller can pin it). */
  trustOnFirstUse?: boolean;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  processes: string[];
}

/** OpenSSH's fingerprint of a raw host key blob: SHA256, base64 without padding. */
export function fingerprintOf(keyBlob: Buffer): string {
  return "SHA256:" + createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "");
}

export function normalizeFingerprint(fp: string): string {
  const body = fp
    .trim()
    .replace(/^SHA256:/i, "")
    .replace(/=+$/, "");
  return `SHA256:${body}`;
}

function scrubber(target: SshTarget): (text: string) => string {
  const secrets = [
    ...(target.passphrase ? [target.passphrase] : []),
    ...target.privateKey
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length >= 16 && !l.startsWith("-----")),
  ];
  return (text) => {
    let t = text;
    for (const s of secrets) t = t.split(s).join("[redacted]");
    return t;
  };
}

// The remote login shell only has to start sh; `env` keeps that working under csh or fish.
const REMOTE_COMMAND = "env LC_ALL=C /bin/sh -s";

export function collectOverSsh(target: SshTarget): Promise<CollectResult> {
  const started = Date.now();
  const scrub = scrubber(target);
  const { token, script } = newScript();
  const pinned = target.hostKeyFingerprint ? normalizeFingerprint(target.hostKeyFingerprint) : null;
  let seen: string | undefined;
  let hostKeyProblem: string | null = null;

  return new Promise((resolve) => {
    const conn = new Client();
    let settled = false;
    let commandTimer: NodeJS.Timeout | undefined;
    const finish = (r: CollectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(commandTimer);
      conn.removeAllListeners("error");
      conn.on("error", () => {}); // late socket errors after we are done
      conn.end();
      // A silent peer ignores our disconnect; do not let its socket keep the process alive.
      setTimeout(() => conn.destroy(), 1000).unref();
      resolve(r.ok ? r : { ...r, error: scrub(r.error) });
    };
    const failed = (kind: Exclude<CollectResult, { ok: true }>["kind"], error: string) =>
      finish({
        ok: false,
        kind,
        error,
        ...(seen ? { hostKeyFingerprint: seen } : {}),
        durationMs: Date.now() - started,
      });

    const hostVerifier = (key: Buffer): boolean => {
      seen = fingerprintOf(key);
      if (pinned) {
        if (seen === pinned) return true;
        hostKeyProblem = `host key changed: expected ${pinned}, got ${seen}`;
        return false;
      }
      if (target.trustOnFirstUse) return true;
      hostKeyProblem = `host key not trusted: ${seen} is not pinned for ${target.host}:${target.port} (pin it, or enable trust on first use)`;
      return false;
    };

    conn.on("ready", () => {
      clearTimeout(connectTimer);
      commandTimer = setTimeout(
        () => failed("timeout", `timeout: collection did not finish within ${target.commandTimeoutMs} ms`),
        target.commandTimeoutMs,
      );
      conn.exec(REMOTE_COMMAND, (err: Error | undefined, stream: ClientChannel) => {
        if (err) return failed("unreachable", `unreachable: cannot start a command: ${err.message}`);
        const out = new OutputBuffer();
        stream.on("data", (b: Buffer) => {
          if (!out.push(b)) stream.close();
        });
        stream.stderr.resume();
        stream.on("close", () => finish(resultFromOutput(out, token, target.processes, seen ?? null, started)));
        stream.on("error", () => {});
        stream.end(script);
      });
    });

    conn.on("error", (err: Error & { level?: string; code?: string }) => {
      if (hostKeyProblem) return failed("hostkey", hostKeyProblem);
      switch (err.level) {
        case "client-authentication":
          return failed("auth", "authentication failed");
        case "client-timeout":
          return failed("timeout", `timeout: no SSH handshake within ${target.connectTimeoutMs} ms`);
        case "client-socket":
        case "client-dns":
          return failed("unreachable", `unreachable: ${err.message}`);
        default:
          return failed("unreachable", `unreachable: ${err.message}`);
      }
    });
    conn.on("close", () => {
      if (hostKeyProblem) return failed("hostkey", hostKeyProblem);
      failed("unreachable", "unreachable: connection closed");
    });

    // ssh2's readyTimeout covers TCP connect + handshake + auth; this is the backstop.
    const connectTimer = setTimeout(
      () => failed("timeout", `timeout: no SSH handshake within ${target.connectTimeoutMs} ms`),
      target.connectTimeoutMs + 500,
    );

    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.username,
      privateKey: target.privateKey,
      passphrase: target.passphrase,
      readyTimeout: target.connectTimeoutMs,
      hostVerifier,
      // Only the key we were given: no agent, no keyboard-interactive prompts.
      tryKeyboard: false,
    };
    try {
      conn.connect(config);
    } catch (err) {
      // ssh2 parses the key synchronously: wrong passphrase, unsupported or garbled key.
      const msg = err instanceof Error ? err.message : String(err);
      failed("auth", `private key unusable: ${/passphrase/i.test(msg) ? "bad or missing passphrase" : msg}`);
    }
  });
}
