// Prometheus text exposition (version 0.0.4), written by hand for the series Moleculer's registry
// does not hold: per-monitor gauges (10,000 monitors are 80,000 lines, and Moleculer's registry
// would keep every label set forever) and the process and Node.js series.

/** A label value as the format requires: backslash, double quote and line feed escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\\" ? "\\\\" : c === '"' ? '\\"' : "\\n"));
}

/** The HELP text escapes backslash and line feed only. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => (c === "\\" ? "\\\\" : "\\n"));
}

/** `# HELP` and `# TYPE` lines of one metric family. */
export function family(name: string, type: "counter" | "gauge", help: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

/** Labels as `{a="x",b="y"}` with their values escaped, or "" without any. */
export function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** A sample value: integers as they are, others with their shortest round-trip digits. */
export function valueText(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}
