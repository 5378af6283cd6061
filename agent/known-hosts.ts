// The agent's own known-hosts file: "host:port SHA256:…" a line. It holds the fingerprints
// trusted on first use, so that a host whose key later changes is reported, not trusted again.
// Not OpenSSH's known_hosts format: that one stores whole keys, and we only ever see hashes.

import fs from "node:fs";

export function readKnownHosts(file: string): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^\s*(\S+)\s+(SHA256:\S+)\s*$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

export function recordKnownHosts(file: string, added: Record<string, string>): void {
  if (Object.keys(added).length === 0) return;
  const all = { ...readKnownHosts(file), ...added };
  const body =
    "# Host keys trusted on first use by heartbeats-agent. Delete a line to accept a new key.\n" +
    Object.entries(all)
      .map(([h, fp]) => `${h} ${fp}\n`)
      .join("");
  fs.writeFileSync(file, body, { mode: 0o600 });
}
