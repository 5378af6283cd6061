// Sequelize-style replacements turned into bound parameters, for statements that run on a
// connection of our own (the SQLite file's inline writer) rather than through sequelize.query:
// `:name` takes its value from an object, `?` the next one from an array, and an array value
// stands for a list (`IN (:ids)`, `IN (?)`), one `?` per element. Only placeholders in the
// statement's code count: inside a string literal, a quoted identifier or a comment they are text.
// The rules for where a placeholder may stand are sequelize's, so a statement means the same here.

export type Replacements = Record<string, unknown> | unknown[];

export interface Bound {
  /** the statement with `?` for every value */
  sql: string;
  /** the values, in the order of the `?`s */
  params: unknown[];
}

/** A placeholder starts a token: at the start, after whitespace, `(`, `>`, `,`, `=` or `[`. */
const startsToken = (prev: string | undefined) => prev === undefined || /[\s(>,=[]/.test(prev);
const NAMED = /^:([a-z_][0-9a-z_]*)(?=\)|,|$|\s|::|;|\])/i;

export function bindReplacements(sql: string, replacements?: Replacements | null): Bound {
  if (replacements == null) return { sql, params: [] };
  const positional = Array.isArray(replacements);
  if (
    !positional &&
    Object.getPrototypeOf(replacements) !== Object.prototype &&
    Object.getPrototypeOf(replacements) !== null
  ) {
    throw new TypeError(
      `"replacements" must be an array or a plain object, but received ${JSON.stringify(replacements)} instead.`,
    );
  }
  const params: unknown[] = [];
  let out = "";
  let from = 0; // sql[from …] is not copied to `out` yet
  let next = 0; // the next positional value
  const put = (start: number, end: number, value: unknown) => {
    out += sql.slice(from, start) + expand(value, params);
    from = end;
  };
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    // Quoted text and comments run to their end and are skipped whole.
    const close =
      c === "'" || c === '"' || c === "`"
        ? c
        : c === "-" && sql[i + 1] === "-"
          ? "\n"
          : c === "/" && sql[i + 1] === "*"
            ? "*/"
            : null;
    if (close) {
      const end = sql.indexOf(close, i + (close === c ? 1 : 2));
      if (end < 0 && c === "'")
        throw new Error(`The following SQL query includes an unterminated string literal:\n${sql}`);
      i = end < 0 ? sql.length : end + close.length - 1;
      continue;
    }
    if (!startsToken(sql[i - 1])) continue;
    if (c === ":" && !positional) {
      const name = NAMED.exec(sql.slice(i))?.[1];
      if (!name) continue;
      const value = (replacements as Record<string, unknown>)[name];
      if (!Object.hasOwn(replacements, name) || value === undefined)
        throw new Error(`Named replacement ":${name}" has no entry in the replacement map.`);
      put(i, i + name.length + 1, value);
      i += name.length;
    } else if (c === "?" && positional && sql[i + 1] !== "|" && sql[i + 1] !== "&") {
      const index = next++;
      const value = replacements[index];
      if (value === undefined)
        throw new Error(
          `Positional replacement (?) ${index} has no entry in the replacement map (replacements[${index}] is undefined).`,
        );
      put(i, i + 1, value);
    }
  }
  return { sql: out + sql.slice(from), params };
}

/** One value's placeholders: `?`, or for a list `?, ?, …` (nothing for an empty one). */
function expand(value: unknown, params: unknown[]): string {
  if (!Array.isArray(value)) {
    params.push(value);
    return "?";
  }
  for (const v of value) {
    if (Array.isArray(v)) throw new TypeError("a replacement's list holds values, not lists");
    params.push(v === undefined ? null : v);
  }
  return value.map(() => "?").join(", ");
}
