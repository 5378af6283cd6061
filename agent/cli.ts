#!/usr/bin/env node
// heartbeats-agent: collects host metrics (over SSH, or on this machine), checks them and
// reports one ping to Heartbeats. Meant for cron. Exit status: 0 ping delivered (or dry
// run), 1 ping not delivered, 2 bad command line or config. The password, the key and its
// passphrase are never printed.

import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { collectLocal, collectOverSsh, normalizeFingerprint, type CollectResult } from "./collector.ts";
import { ConfigError, parseConfig, type AgentConfig, type AgentHost } from "./config.ts";
import { readKnownHosts, recordKnownHosts } from "./known-hosts.ts";
import { processPatterns } from "../core/hosts/host-checks.ts";
import { buildPing, outcome, type HostOutcome } from "./report.ts";
import { sendPing } from "../bin/ping-client.mjs";

const USAGE = `usage: heartbeats-agent --config FILE [--dry-run]

  --config FILE  agent config (the original tool's SERVER/AGENT/IPS file, or the
                 server/ssh/hosts format; see agent/config.yaml)
  --dry-run      collect and print the ping it would send; send nothing, record nothing
`;

function exitWith(code: number, message: string): never {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}

async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function loadKey(config: AgentConfig): string | null {
  if (!config.hosts.some((h) => h.kind === "ssh") || !config.ssh.keyPath) return null;
  try {
    return fs.readFileSync(config.ssh.keyPath, "utf8");
  } catch (err) {
    const field = /^\s*SERVER\s*:/m.test(fs.readFileSync(config.file, "utf8")) ? "AGENT.SSH.KEY" : "ssh.key";
    exitWith(
      2,
      `${config.file}: ${field}: cannot read private key ${config.ssh.keyPath}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        config: { type: "string", short: "c" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    exitWith(2, `${(err as Error).message}\n${USAGE}`);
  }
  if (args.values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const file = path.resolve(args.values.config ?? "config.yaml");
  const dryRun = args.values["dry-run"] === true;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    exitWith(2, `cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n${USAGE}`);
  }
  let config: AgentConfig;
  try {
    config = parseConfig(text, file);
  } catch (err) {
    if (err instanceof ConfigError) exitWith(2, err.message);
    throw err;
  }
  const key = loadKey(config);
  const recorded = readKnownHosts(config.ssh.knownHostsFile);
  const pins: Record<string, string> = { ...recorded, ...config.ssh.knownHosts };
  const learned: Record<string, string> = {};

  const collect = async (host: AgentHost): Promise<HostOutcome> => {
    const patterns = processPatterns(host.checks);
    let r: CollectResult;
    if (host.kind === "local") {
      r = await collectLocal(patterns, config.ssh.commandTimeoutMs);
    } else {
      const id = `${host.address}:${host.port}`;
      const pin = pins[id] ?? null;
      r = await collectOverSsh({
        host: host.address,
        port: host.port,
        username: host.user,
        privateKey: key ?? "",
        passphrase: config.ssh.passphrase ?? undefined,
        hostKeyFingerprint: pin,
        trustOnFirstUse: config.ssh.trustOnFirstUse,
        connectTimeoutMs: config.ssh.connectTimeoutMs,
        commandTimeoutMs: config.ssh.commandTimeoutMs,
        processes: patterns,
      });
      if (r.ok && !pin && r.hostKeyFingerprint) {
        learned[id] = normalizeFingerprint(r.hostKeyFingerprint);
        console.log(
          `${host.name}: trusted on first use, host key ${learned[id]}${dryRun ? " (dry run: not recorded)" : ` (recorded in ${config.ssh.knownHostsFile})`}`,
        );
      }
      if (!r.ok && r.kind === "hostkey" && !pin && r.hostKeyFingerprint) {
        console.log(`${host.name}: to trust this host, add to ssh.knownHosts: "${id}": "${r.hostKeyFingerprint}"`);
      }
    }
    return outcome(host, r);
  };

  const outcomes = await pool(config.hosts, config.concurrency, collect);
  if (!dryRun) recordKnownHosts(config.ssh.knownHostsFile, learned);
  for (const o of outcomes) {
    const status = !o.result.ok
      ? `FAIL ${o.result.error.error}`
      : o.result.breaches.length
        ? `FAIL ${o.result.breaches.length} check(s) breached`
        : "ok";
    console.log(`host ${o.host.name}: ${status} (${o.durationMs} ms)`);
  }
  const ping = buildPing(config, outcomes);
  const what = `${ping.method} ${ping.url}${ping.body !== null ? `\n${ping.body.trimEnd()}` : ""}`;
  if (dryRun) {
    console.log(`dry run, would send (${ping.failing ? "failure" : "success"}): ${what}`);
    return 0;
  }
  console.log(`sending (${ping.failing ? "failure" : "success"}): ${what}`);
  const backoffMs = Number(process.env.HEARTBEATS_AGENT_BACKOFF_MS ?? 1000);
  const sent = await sendPing(ping, config.server, { backoffMs, log: (l) => console.error(l) });
  if (!sent.ok) {
    console.error(`ping not delivered after ${sent.attempts} attempt(s): ${sent.error}`);
    return 1;
  }
  console.log(`delivered: HTTP ${sent.status}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => exitWith(1, `heartbeats-agent failed: ${err instanceof Error ? err.message : String(err)}`),
);
