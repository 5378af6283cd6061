// The agent's collection API: metrics of one host, over SSH or on this machine.
// Callers see targets and results only; ssh2 stays inside agent/ssh.ts.

export type { CollectResult } from "./collect-result.ts";
export type { SshTarget } from "./ssh.ts";
export { collectOverSsh, fingerprintOf, normalizeFingerprint } from "./ssh.ts";
export { collectLocal } from "./local.ts";
export { OUTPUT_LIMIT_BYTES } from "./output-buffer.ts";
