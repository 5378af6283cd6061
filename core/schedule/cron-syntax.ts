// Parsing 5- and 6-field cron expressions by the rules of each dialect into the field sets the
// run-time search works on. Pure. Errors are CronSyntaxError with a message a person can act on.
//
//  * "cron" (Debian cron / cronie / Vixie cron, as cronsim reads them, plus what Heartbeats
//    accepted before dialects existed: a leading seconds field, `?`, `L`, `LW`, `nL`, `n#k`, and
//    cron-parser's @-aliases): 0-7 for the day of week (7 is Sunday), names case-insensitive,
//    `a-b/n` and `*/n` step through the listed values, `n/k` is n-max/k. The day of month and day
//    of week are ORed unless either field begins with `*` (or `?`): then both must match.
//  * "kubernetes" (robfig/cron v3's ParseStandard, which the CronJob controller uses): exactly 5
//    fields, 0-6 for the day of week, `?` as `*`, the descriptors @yearly … @hourly. A field
//    counts as `*` for the day rule when one of its comma parts starts with `*`/`?` and has no
//    step above 1 (`*/2` is a restriction there, unlike in Vixie cron).

export type CronDialect = "cron" | "kubernetes";
export const CRON_DIALECTS: readonly CronDialect[] = ["cron", "kubernetes"];

export class CronSyntaxError extends Error {}

export interface CronFields {
  dialect: CronDialect;
  /** The expression the fields came from, aliases expanded. */
  expanded: string;
  hasSeconds: boolean;
  seconds: number[];
  minutes: number[];
  hours: number[];
  dom: number[]; // 1..31
  domLast: boolean; // L
  domLastWeekday: boolean; // LW
  months: number[]; // 1..12
  dow: number[]; // 0..6, Sunday = 0
  dowLast: number[]; // weekdays of the `nL` form
  dowNth: Array<[weekday: number, nth: number]>; // `n#k`
  /** Both day fields must match (else either). */
  dayAnd: boolean;
  /** Vixie's fixed-time job: neither the minute nor the hour field begins with `*` (5 fields only). */
  fixedTime: boolean;
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAYS_IN_MONTH_MAX = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** cron-parser's aliases, which monitors created before dialects may use. */
export const CRON_ALIASES: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@hourly": "0 * * * *",
  "@minutely": "* * * * *",
  "@secondly": "* * * * * *",
  "@weekdays": "0 0 * * 1-5",
  "@weekends": "0 0 * * 0,6",
};

/** robfig/cron v3's descriptors (without @every, which is an interval, not a calendar schedule). */
export const KUBERNETES_DESCRIPTORS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  nameBase?: number;
}

const SECOND: FieldSpec = { name: "second", min: 0, max: 59 };
const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59 };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23 };
const DOM: FieldSpec = { name: "day of month", min: 1, max: 31 };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 };
const DOW_CRON: FieldSpec = { name: "day of week", min: 0, max: 7, names: DAY_NAMES, nameBase: 0 };
const DOW_KUBE: FieldSpec = { name: "day of week", min: 0, max: 6, names: DAY_NAMES, nameBase: 0 };

export function parseCronFields(expression: string, dialect: CronDialect): CronFields {
  return dialect === "kubernetes" ? parseKubernetes(expression) : parseVixie(expression);
}

// ---------------------------------------------------------------------------------------------
// Vixie cron (cronsim's grammar)
// ---------------------------------------------------------------------------------------------

const LAST = -1;
const LAST_WEEKDAY = -2;
type Item = number | [number, number]; // a value, or [weekday, nth] (nth = 0 for `nL`)

function parseVixie(expression: string): CronFields {
  let text = expression.trim();
  if (text.startsWith("@")) {
    const alias = CRON_ALIASES[text];
    if (alias === undefined)
      throw new CronSyntaxError(`unknown predefined expression; use one of ${Object.keys(CRON_ALIASES).join(", ")}`);
    text = alias;
  }
  const parts = text.toUpperCase().split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new CronSyntaxError(
      `must have 5 fields (minute hour day-of-month month day-of-week) or 6 (with seconds first), got ${parts.length}`,
    );
  }
  const hasSeconds = parts.length === 6;
  const [sec, min, hour, dom, month, dow] = hasSeconds ? parts : ["0", ...parts];
  const seconds = numbersOf(vixieField(sec, SECOND));
  const minutes = numbersOf(vixieField(min, MINUTE));
  const hours = numbersOf(vixieField(hour, HOUR));
  const domItems = vixieField(dom, DOM);
  const months = numbersOf(vixieField(month, MONTH));
  const dowItems = vixieField(dow, DOW_CRON);
  const days = numbersOf(domItems).filter((d) => d > 0);
  const plainDays = domItems.every((i) => typeof i === "number" && i > 0);
  if (
    plainDays &&
    days.length > 0 &&
    Math.min(...days) > 29 &&
    Math.min(...days) > Math.max(...months.map((m) => DAYS_IN_MONTH_MAX[m]))
  ) {
    throw new CronSyntaxError("expression never matches: no month in the month field has that day");
  }
  const dowSet = new Set<number>();
  const dowLast = new Set<number>();
  const dowNth: Array<[number, number]> = [];
  for (const i of dowItems) {
    if (typeof i === "number") dowSet.add(i % 7);
    else if (i[1] === 0) dowLast.add(i[0] % 7);
    else dowNth.push([i[0] % 7, i[1]]);
  }
  const starts = (f: string): boolean => f.startsWith("*") || f.startsWith("?");
  return {
    dialect: "cron",
    expanded: parts.join(" "),
    hasSeconds,
    seconds,
    minutes,
    hours,
    dom: days,
    domLast: domItems.includes(LAST),
    domLastWeekday: domItems.includes(LAST_WEEKDAY),
    months,
    dow: [...dowSet],
    dowLast: [...dowLast],
    dowNth,
    dayAnd: starts(dom) || starts(dow),
    fixedTime: !hasSeconds && !min.startsWith("*") && !hour.startsWith("*"),
  };
}

function vixieField(text: string, spec: FieldSpec): Item[] {
  if (text === "*" || (text === "?" && (spec === DOM || spec === DOW_CRON))) return range(spec.min, spec.max, 1);
  if (text.includes(",")) return text.split(",").flatMap((t) => vixieField(t, spec));
  if (spec === DOW_CRON && text.includes("L")) {
    const value = text.slice(0, -1);
    if (!/^\d+$/.test(value) || !text.endsWith("L"))
      throw fieldError(spec, text, "use nL for the last weekday n of the month");
    return [[vixieValue(value, spec), 0]];
  }
  if (spec === DOW_CRON && text.includes("#")) {
    const [term, nth] = text.split("#", 2);
    const k = digits(nth, spec, text);
    if (k < 1 || k > 5) throw fieldError(spec, text, "the n-th weekday must be 1 to 5");
    return [[vixieValue(term, spec), k]];
  }
  if (text.includes("/")) {
    const slash = text.indexOf("/");
    const step = digits(text.slice(slash + 1), spec, text);
    if (step === 0) throw fieldError(spec, text, "a step must be at least 1");
    const items = vixieField(text.slice(0, slash), spec);
    if (items.some((i) => typeof i !== "number" || i < 0)) {
      if (items.length === 1 && (items[0] === LAST || items[0] === LAST_WEEKDAY)) return items;
      throw fieldError(spec, text, "a step applies to numbers only");
    }
    if (items.length === 1) return range(items[0] as number, spec.max, step);
    return (items as number[]).sort((a, b) => a - b).filter((_, i) => i % step === 0);
  }
  if (text.includes("-")) {
    const dash = text.indexOf("-");
    const start = vixieValue(text.slice(0, dash), spec);
    const end = vixieValue(text.slice(dash + 1), spec);
    if (end < start) throw fieldError(spec, text, `the range ends (${end}) before it starts (${start})`);
    return range(start, end, 1);
  }
  if (spec === DOM && text === "LW") return [LAST_WEEKDAY];
  if (spec === DOM && text === "L") return [LAST];
  return [vixieValue(text, spec)];
}

function vixieValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  const v = digits(text, spec, text);
  if (v < spec.min || v > spec.max) throw fieldError(spec, text, `${v} is out of range ${spec.min}-${spec.max}`);
  return v;
}

// ---------------------------------------------------------------------------------------------
// robfig/cron v3 (Kubernetes)
// ---------------------------------------------------------------------------------------------

function parseKubernetes(expression: string): CronFields {
  let text = expression.trim();
  if (/^(CRON_)?TZ=/i.test(text))
    throw new CronSyntaxError("must not name a time zone (TZ=…): put it in the schedule's timezone, as .spec.timeZone");
  if (text.startsWith("@")) {
    if (text.startsWith("@every")) throw new CronSyntaxError("@every is an interval: use an interval schedule");
    const d = KUBERNETES_DESCRIPTORS[text];
    if (d === undefined)
      throw new CronSyntaxError(`unknown descriptor; use one of ${Object.keys(KUBERNETES_DESCRIPTORS).join(", ")}`);
    text = d;
  }
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    throw new CronSyntaxError(
      `must have exactly 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`,
    );
  const [min, hour, dom, month, dow] = parts;
  const domF = robfigField(dom, DOM);
  const dowF = robfigField(dow, DOW_KUBE);
  return {
    dialect: "kubernetes",
    expanded: parts.join(" "),
    hasSeconds: false,
    seconds: [0],
    minutes: robfigField(min, MINUTE).values,
    hours: robfigField(hour, HOUR).values,
    dom: domF.values,
    domLast: false,
    domLastWeekday: false,
    months: robfigField(month, MONTH).values,
    dow: dowF.values,
    dowLast: [],
    dowNth: [],
    dayAnd: domF.star || dowF.star,
    fixedTime: false,
  };
}

function robfigField(text: string, spec: FieldSpec): { values: number[]; star: boolean } {
  const values = new Set<number>();
  let star = false;
  // Go's strings.FieldsFunc drops empty parts: "1,,2" is "1,2".
  const parts = text.split(",").filter((p) => p !== "");
  if (parts.length === 0) throw fieldError(spec, text, "is empty");
  for (const part of parts) {
    const [rangePart, ...stepParts] = part.split("/");
    if (stepParts.length > 1) throw fieldError(spec, part, "has more than one /");
    const bounds = rangePart.split("-");
    let start: number;
    let end: number;
    let partStar = false;
    if (bounds[0] === "*" || bounds[0] === "?") {
      start = spec.min;
      end = spec.max;
      partStar = true;
    } else {
      if (bounds.length > 2) throw fieldError(spec, part, "has more than one -");
      start = robfigValue(bounds[0], spec, part);
      end = bounds.length === 2 ? robfigValue(bounds[1], spec, part) : start;
    }
    let step = 1;
    if (stepParts.length === 1) {
      step = digits(stepParts[0], spec, part);
      if (bounds.length === 1) end = spec.max; // "N/step" means "N-max/step"
      if (step > 1) partStar = false;
    }
    if (start < spec.min) throw fieldError(spec, part, `${start} is below ${spec.min}`);
    if (end > spec.max) throw fieldError(spec, part, `${end} is above ${spec.max}`);
    if (start > end) throw fieldError(spec, part, `the range ends (${end}) before it starts (${start})`);
    if (step === 0) throw fieldError(spec, part, "a step must be at least 1");
    for (let v = start; v <= end; v += step) values.add(v);
    star ||= partStar;
  }
  return { values: [...values].sort((a, b) => a - b), star };
}

function robfigValue(text: string, spec: FieldSpec, part: string): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + (spec.nameBase ?? 0);
  return digits(text, spec, part);
}

// ---------------------------------------------------------------------------------------------

function digits(text: string, spec: FieldSpec, whole: string): number {
  if (!/^\d{1,9}$/.test(text))
    throw fieldError(spec, whole, `"${text}" is not a number${spec.names ? " or a name" : ""}`);
  return Number.parseInt(text, 10);
}

function range(start: number, end: number, step: number): number[] {
  const out: number[] = [];
  for (let v = start; v <= end; v += step) out.push(v);
  return out;
}

function numbersOf(items: readonly Item[]): number[] {
  const out = new Set<number>();
  for (const i of items) if (typeof i === "number" && i >= 0) out.add(i);
  return [...out].sort((a, b) => a - b);
}

function fieldError(spec: FieldSpec, text: string, why: string): CronSyntaxError {
  return new CronSyntaxError(`${spec.name} field "${text}": ${why}`);
}
