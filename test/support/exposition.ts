// A strict reader of Prometheus' text exposition format (0.0.4), for tests: every line is a
// comment, a HELP or TYPE line, or a sample; names, label names and values, escapes and numbers
// are checked; a family's TYPE comes before its samples, once; its samples are not split by
// another family's; no series appears twice. Throws on the first violation, naming its line.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** family name → type */
  types: Map<string, string>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, string[]> = { histogram: ["_bucket", "_sum", "_count"], summary: ["_sum", "_count"] };

function parseValue(text: string, where: string): number {
  if (text === "NaN") return NaN;
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`${where}: bad value "${text}"`);
  return Number(text);
}

/** Reads `{a="x",b="y"}` starting at `i` (at the brace); returns the labels and the index after it. */
function parseLabels(line: string, i: number, where: string): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  i++;
  while (line[i] !== "}") {
    const eq = line.indexOf("=", i);
    if (eq < 0) throw new Error(`${where}: label without "="`);
    const name = line.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (line[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`);
    let value = "";
    let j = eq + 2;
    for (;;) {
      const c = line[j];
      if (c === undefined) throw new Error(`${where}: label value not closed`);
      if (c === '"') break;
      if (c === "\\") {
        const e = line[j + 1];
        if (e === "\\") value += "\\";
        else if (e === '"') value += '"';
        else if (e === "n") value += "\n";
        else throw new Error(`${where}: bad escape "\\${e}" in a label value`);
        j += 2;
      } else {
        value += c;
        j++;
      }
    }
    labels[name] = value;
    i = j + 1;
    if (line[i] === ",") i++;
    else if (line[i] !== "}") throw new Error(`${where}: expected "," or "}" after a label`);
  }
  return [labels, i + 1];
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith("\n")) throw new Error("the text does not end with a line feed");
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const finished = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;
  const familyOf = (name: string) => {
    for (const [fam, type] of types)
      if ((SUFFIXES[type] ?? []).some((s) => name === fam + s) || name === fam) return fam;
    return name;
  };
  const enter = (fam: string, where: string) => {
    if (fam === current) return;
    if (finished.has(fam)) throw new Error(`${where}: the samples of ${fam} are split by another family's`);
    if (current) finished.add(current);
    current = fam;
  };
  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, n) => {
      const where = `line ${n + 1} (${line.slice(0, 80)})`;
      if (line === "") return;
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        const [, kind, name, rest = ""] = meta;
        if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
        if (kind === "TYPE") {
          if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
          if (types.has(name)) throw new Error(`${where}: a second TYPE for ${name}`);
          if (samples.some((s) => familyOf(s.name) === name)) throw new Error(`${where}: TYPE after samples`);
          types.set(name, rest);
        } else {
          if (helps.has(name)) throw new Error(`${where}: a second HELP for ${name}`);
          if (/\\[^\\n]/.test(rest.replace(/\\\\/g, ""))) throw new Error(`${where}: bad escape in HELP`);
          helps.add(name);
        }
        enter(name, where);
        return;
      }
      if (line.startsWith("#")) return;
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
      if (!m) throw new Error(`${where}: not a sample`);
      const name = m[1];
      let i = name.length;
      let labels: Record<string, string> = {};
      if (line[i] === "{") [labels, i] = parseLabels(line, i, where);
      const rest = line.slice(i);
      const parts = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
      if (!parts) throw new Error(`${where}: expected " value [timestamp]"`);
      const value = parseValue(parts[1], where);
      const key = name + JSON.stringify(Object.entries(labels).sort());
      if (seen.has(key)) throw new Error(`${where}: the same series twice`);
      seen.add(key);
      enter(familyOf(name), where);
      samples.push({ name, labels, value });
    });
  return { samples, types };
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function one(e: Exposition, name: string, labels: Record<string, string> = {}): Sample {
  const found = e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name}${JSON.stringify(labels)}`);
  return found[0];
}
