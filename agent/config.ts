// The agent's config file: the original tool's YAML (SERVER / AGENT / IPS, read unchanged)
// and our own richer format (server / ssh / format / hosts). Both become one AgentConfig.
// Every problem is reported with the field path and the line it is on, because the file
// is edited by hand on a server and the agent runs unattended from cron.

import path from "node:path";
import os from "node:os";
import { isMap, isSeq, LineCounter, parseDocument, type Document } from "yaml";
import { originalChecks, parseCheck, type Check } from "../core/hosts/host-checks.ts";

export type ReportFormat = "original" | "detailed";

export interface SshHost {
  kind: "ssh";
  /** How the host is named in reports: the IPS key in the original format. */
  name: string;
  address: string;
  port: number;
  user: string;
  checks: Check[];
}

export interface LocalHost {
  kind: "local";
  name: string;
  checks: Check[];
}

export type AgentHost = SshHost | LocalHost;

export interface AgentConfig {
  file: string;
  format: ReportFormat;
  server: { url: string; code: string; user: string | null; password: string | null };
  ssh: {
    keyPath: string | null;
    passphrase: string | null;
    /** "host:port" → pinned "SHA256:…" fingerprint. */
    knownHosts: Record<string, string>;
    /** Where trust-on-first-use fingerprints are recorded and read back. */
    knownHostsFile: string;
    trustOnFirstUse: boolean;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
  };
  concurrency: number;
  hosts: AgentHost[];
}

export class ConfigError extends Error {}

type Path = (string | number)[];

class Reader {
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly file: string;

  constructor(doc: Document.Parsed, lines: LineCounter, file: string) {
    this.doc = doc;
    this.lines = lines;
    this.file = file;
  }

  /** Throws a ConfigError naming the field and the line of the nearest node that exists. */
  fail(at: Path, message: string): never {
    let line = 0;
    for (let p = at; ; p = p.slice(0, -1)) {
      const node = this.doc.getIn(p, true) as { range?: [number, number, number] } | undefined;
      const pair = p.length ? this.pairKey(p) : undefined;
      const offset = pair ?? node?.range?.[0];
      if (typeof offset === "number") {
        line = this.lines.linePos(offset).line;
        break;
      }
      if (p.length === 0) break;
    }
    const field =
      at
        .map((k, i) =>
          typeof k === "number"
            ? `[${k}]`
            : /^[A-Za-z_][\w-]*$/.test(k)
              ? i === 0
                ? k
                : `.${k}`
              : `[${JSON.stringify(k)}]`,
        )
        .join("") || "(top level)";
    throw new ConfigError(`${this.file}${line ? `:${line}` : ""}: ${field}: ${message}`);
  }

  // A scalar value's own range is empty when the value is missing; point at its key.
  private pairKey(p: Path): number | undefined {
    const parent = this.doc.getIn(p.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const key = p[p.length - 1];
    const pair = parent.items.find((it) => (it.key as { value?: unknown } | null)?.value === key || it.key === key);
    const k = pair?.key as { range?: [number, number, number] } | undefined;
    return k?.range?.[0];
  }

  get(p: Path): unknown {
    return this.doc.getIn(p);
  }

  has(p: Path): boolean {
    return this.doc.hasIn(p);
  }

  str(p: Path, opts: { required?: boolean } = {}): string | null {
    const v = this.plain(p);
    if (v === undefined || v === null || v === "") {
      if (opts.required) this.fail(p, "is required");
      return null;
    }
    if (typeof v === "number") return String(v);
    if (typeof v !== "string") this.fail(p, "must be a string");
    return v;
  }

  num(p: Path, def: number, min: number, max: number): number {
    const v = this.plain(p);
    if (v === undefined || v === null) return def;
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max)
      this.fail(p, `must be a number from ${min} to ${max}`);
    return v;
  }

  bool(p: Path, def: boolean): boolean {
    const v = this.plain(p);
    if (v === undefined || v === null) return def;
    if (typeof v !== "boolean") this.fail(p, "must be true or false");
    return v;
  }

  plain(p: Path): unknown {
    const node = this.doc.getIn(p, true);
    if (isMap(node) || isSeq(node)) return node.toJSON();
    return this.doc.getIn(p);
  }

  map(p: Path, opts: { required?: boolean } = {}): Record<string, unknown> | null {
    const node = p.length ? this.doc.getIn(p, true) : this.doc.contents;
    if (node === undefined || node === null || (node as { value?: unknown }).value === null) {
      if (opts.required) this.fail(p, "is required (a mapping)");
      return null;
    }
    if (!isMap(node)) this.fail(p, "must be a mapping (key: value)");
    return node.toJSON() as Record<string, unknown>;
  }

  keys(p: Path): string[] {
    const node = p.length ? this.doc.getIn(p, true) : this.doc.contents;
    if (!isMap(node)) return [];
    return node.items.map((it) => String((it.key as { value?: unknown } | null)?.value ?? it.key));
  }

  seqLength(p: Path, opts: { required?: boolean } = {}): number {
    const node = this.doc.getIn(p, true);
    if (node === undefined || node === null || (node as { value?: unknown }).value === null) {
      if (opts.required) this.fail(p, "is required (a list)");
      return 0;
    }
    if (!isSeq(node)) this.fail(p, "must be a list");
    return node.items.length;
  }

  unknownKeys(p: Path, allowed: readonly string[]): void {
    for (const k of this.keys(p))
      if (!allowed.includes(k)) this.fail([...p, k], `unknown setting (expected one of: ${allowed.join(", ")})`);
  }
}

/** "10.0.0.7", "10.0.0.7:2222", "[::1]:22", "::1" → address and port. */
export function splitHostPort(text: string, defaultPort: number): { address: string; port: number } | null {
  const t = text.trim();
  let m = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (m) return { address: m[1], port: m[2] ? Number(m[2]) : defaultPort };
  m = /^([^:\s]+)(?::(\d+))?$/.exec(t);
  if (m) return { address: m[1], port: m[2] ? Number(m[2]) : defaultPort };
  if (/^[0-9a-f:]+$/i.test(t) && t.includes("::")) return { address: t, port: defaultPort };
  return null;
}

function validPort(p: number): boolean {
  return Number.isInteger(p) && p > 0 && p < 65536;
}

function serverUrl(r: Reader, at: Path, raw: string): string {
  const withScheme = /^https?:\/\//i.test(raw) ? raw : `http://${raw}`;
  try {
    const u = new URL(withScheme);
    if (u.username || u.password) r.fail(at, "put the user and password in their own settings, not in the URL");
    return withScheme.replace(/\/+$/, "");
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    r.fail(at, `not a valid server address: "${raw}"`);
  }
}

function readOriginal(r: Reader, file: string, env: NodeJS.ProcessEnv): AgentConfig {
  r.unknownKeys([], ["SERVER", "AGENT", "IPS"]);
  r.map(["SERVER"], { required: true });
  const ip = r.str(["SERVER", "IP"], { required: true })!;
  const code = r.str(["SERVER", "SERVICE"], { required: true })!;
  const user = r.str(["SERVER", "USER"]);
  const password = r.str(["SERVER", "PASSWD"]) ?? env.HEARTBEATS_PASSWORD ?? null;
  const keyPath = r.str(["AGENT", "SSH", "KEY"]);
  // Extensions the original did not have (it used Ansible's defaults: current user, port 22).
  const sshUser = r.str(["AGENT", "SSH", "USER"]) ?? os.userInfo().username;
  const defaultPort = r.num(["AGENT", "SSH", "PORT"], 22, 1, 65535);
  r.map(["IPS"], { required: true });
  const hosts: AgentHost[] = [];
  for (const key of r.keys(["IPS"])) {
    const hp = splitHostPort(key, defaultPort);
    if (!hp || !validPort(hp.port)) r.fail(["IPS", key], "must be an address, optionally with :port");
    r.unknownKeys(["IPS", key], ["BASIC", "PROCESS"]);
    const basic = r.map(["IPS", key, "BASIC"]) ?? {};
    for (const k of Object.keys(basic)) {
      if (!["MEM", "DISK", "CPU"].includes(k))
        r.fail(["IPS", key, "BASIC", k], "unknown threshold (expected MEM, DISK, CPU)");
      if (typeof basic[k] !== "number") r.fail(["IPS", key, "BASIC", k], "must be a number (percent)");
    }
    const nproc = r.seqLength(["IPS", key, "PROCESS"]);
    const processes: string[] = [];
    for (let i = 0; i < nproc; i++) processes.push(r.str(["IPS", key, "PROCESS", i], { required: true })!);
    hosts.push({
      kind: "ssh",
      name: key,
      address: hp.address,
      port: hp.port,
      user: sshUser,
      checks: originalChecks(basic, processes),
    });
  }
  if (hosts.length > 0 && !keyPath)
    r.fail(["AGENT", "SSH", "KEY"], "is required (the private key used to log in to the hosts)");
  return {
    file,
    format: "original",
    server: { url: serverUrl(r, ["SERVER", "IP"], ip), code, user, password },
    ssh: {
      keyPath: keyPath ? path.resolve(path.dirname(file), keyPath) : null,
      passphrase: env.HEARTBEATS_SSH_PASSPHRASE ?? null,
      knownHosts: {},
      knownHostsFile: `${file}.known_hosts`,
      // The original file has nowhere to pin host keys: trust on first use, then hold the host to it.
      trustOnFirstUse: true,
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 20_000,
    },
    concurrency: 10,
    hosts,
  };
}

function readChecks(r: Reader, at: Path): Check[] {
  const n = r.seqLength(at);
  const checks: Check[] = [];
  for (let i = 0; i < n; i++) {
    const c = parseCheck(r.get([...at, i]));
    if (!c.ok) r.fail([...at, i], c.error);
    checks.push(c.check);
  }
  return checks;
}

function readDetailed(r: Reader, file: string, env: NodeJS.ProcessEnv): AgentConfig {
  r.unknownKeys([], ["server", "ssh", "format", "hosts", "concurrency"]);
  r.map(["server"], { required: true });
  r.unknownKeys(["server"], ["url", "code", "user", "password"]);
  const url = serverUrl(r, ["server", "url"], r.str(["server", "url"], { required: true })!);
  const code = r.str(["server", "code"], { required: true })!;
  const user = r.str(["server", "user"]);
  const password = r.str(["server", "password"]) ?? env.HEARTBEATS_PASSWORD ?? null;
  const format = r.str(["format"]) ?? "detailed";
  if (format !== "original" && format !== "detailed") r.fail(["format"], 'must be "original" or "detailed"');
  r.map(["ssh"]);
  r.unknownKeys(
    ["ssh"],
    [
      "key",
      "passphrase",
      "user",
      "port",
      "knownHosts",
      "knownHostsFile",
      "trustOnFirstUse",
      "connectTimeoutSeconds",
      "commandTimeoutSeconds",
    ],
  );
  const keyPath = r.str(["ssh", "key"]);
  const passphrase = r.str(["ssh", "passphrase"]) ?? env.HEARTBEATS_SSH_PASSPHRASE ?? null;
  const defaultUser = r.str(["ssh", "user"]) ?? os.userInfo().username;
  const defaultPort = r.num(["ssh", "port"], 22, 1, 65535);
  const knownHosts: Record<string, string> = {};
  const kh = r.map(["ssh", "knownHosts"]) ?? {};
  for (const [k, v] of Object.entries(kh)) {
    if (typeof v !== "string" || !/^SHA256:[A-Za-z0-9+/]{43}=?$/.test(v.trim()))
      r.fail(
        ["ssh", "knownHosts", k],
        'must be a fingerprint like "SHA256:…" (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub)',
      );
    const hp = splitHostPort(k, 22);
    if (!hp) r.fail(["ssh", "knownHosts", k], "must be host or host:port");
    knownHosts[`${hp.address}:${hp.port}`] = v.trim();
  }
  const knownHostsFile = r.str(["ssh", "knownHostsFile"]);
  const hosts: AgentHost[] = [];
  const n = r.seqLength(["hosts"], { required: true });
  if (n === 0) r.fail(["hosts"], "lists no hosts");
  const names = new Set<string>();
  for (let i = 0; i < n; i++) {
    const at: Path = ["hosts", i];
    r.map(at, { required: true });
    r.unknownKeys(at, ["name", "address", "port", "user", "local", "checks"]);
    const checks = readChecks(r, [...at, "checks"]);
    if (checks.length === 0) r.fail([...at, "checks"], "lists no checks");
    let host: AgentHost;
    if (r.bool([...at, "local"], false)) {
      if (r.has([...at, "address"])) r.fail([...at, "address"], "a local host has no address");
      host = { kind: "local", name: r.str([...at, "name"]) ?? "local", checks };
    } else {
      const address = r.str([...at, "address"], { required: true })!;
      const port = r.num([...at, "port"], defaultPort, 1, 65535);
      if (!Number.isInteger(port)) r.fail([...at, "port"], "must be a whole number");
      host = {
        kind: "ssh",
        name: r.str([...at, "name"]) ?? (port === 22 ? address : `${address}:${port}`),
        address,
        port,
        user: r.str([...at, "user"]) ?? defaultUser,
        checks,
      };
    }
    if (names.has(host.name)) r.fail(at, `two hosts are named "${host.name}" (set name:)`);
    names.add(host.name);
    hosts.push(host);
  }
  if (hosts.some((h) => h.kind === "ssh") && !keyPath)
    r.fail(["ssh", "key"], "is required when a host is reached over SSH");
  const dir = path.dirname(file);
  return {
    file,
    format,
    server: { url, code, user, password },
    ssh: {
      keyPath: keyPath ? path.resolve(dir, keyPath) : null,
      passphrase,
      knownHosts,
      knownHostsFile: knownHostsFile ? path.resolve(dir, knownHostsFile) : `${file}.known_hosts`,
      trustOnFirstUse: r.bool(["ssh", "trustOnFirstUse"], false),
      connectTimeoutMs: r.num(["ssh", "connectTimeoutSeconds"], 10, 0.1, 600) * 1000,
      commandTimeoutMs: r.num(["ssh", "commandTimeoutSeconds"], 20, 1, 3600) * 1000,
    },
    concurrency: Math.floor(r.num(["concurrency"], 10, 1, 100)),
    hosts,
  };
}

/** Parses config text; throws ConfigError with "file:line: field: problem". */
export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): AgentConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${pos.line}:${pos.col}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const r = new Reader(doc, lines, file);
  if (!isMap(doc.contents)) r.fail([], "the file must be a YAML mapping (SERVER/IPS, or server/hosts)");
  const top = r.keys([]);
  if (top.includes("SERVER") || top.includes("IPS")) return readOriginal(r, file, env);
  return readDetailed(r, file, env);
}
