// The metric and label names a PromQL expression refers to, for checking alert rules and
// dashboards against a real scrape. Not a PromQL parser: enough for the expressions we ship.

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "offset",
]);
/** Labels Prometheus adds when it scrapes: never in the exposition itself. */
const TARGET_LABELS = new Set(["instance", "job"]);

export interface PromqlRefs {
  metrics: Set<string>;
  /** metric → the label names its selector matches on */
  matchers: Map<string, Set<string>>;
  /** label names in by/without/on/ignoring groupings */
  grouping: Set<string>;
}

export function promqlRefs(expr: string): PromqlRefs {
  const metrics = new Set<string>();
  const matchers = new Map<string, Set<string>>();
  const grouping = new Set<string>();
  let rest = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""').replace(/\[[^\]]*\]/g, "");
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_m, _k, names: string) => {
    for (const n of names
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean))
      if (!TARGET_LABELS.has(n)) grouping.add(n);
    return " ";
  });
  rest = rest.replace(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g, (_m, name: string | undefined, body: string) => {
    const names = new Set(
      body
        .split(",")
        .map((s) => s.split(/[=!~]/)[0].trim())
        .filter(Boolean),
    );
    if (name) {
      metrics.add(name);
      matchers.set(name, names);
    }
    return " ";
  });
  for (const m of rest.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = m[0];
    const after = rest.slice(m.index! + word.length).trimStart();
    const before = rest[m.index! - 1];
    if (after.startsWith("(") || KEYWORDS.has(word) || /\d/.test(before ?? "")) continue;
    metrics.add(word);
  }
  return { metrics, matchers, grouping };
}
