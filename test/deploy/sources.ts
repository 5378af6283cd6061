// What the image must contain, read from the sources: the runtime code's imports (parsed with
// the TypeScript compiler, so comments and strings cannot fool it), the Dockerfile's stages
// and instructions, and .dockerignore's patterns.

import fs from "node:fs";
import path from "node:path";
import ts from "typescript";

/** The files and folders of the server that the image copies (and nothing else runs). */
export const RUNTIME_PATHS = ["bin", "core", "services", "gateway", "plugins", "agent", "moleculer.config.ts"] as const;

export function runtimeFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(root, rel);
    if (fs.statSync(abs).isDirectory()) {
      for (const name of fs.readdirSync(abs).sort()) {
        if (name === "node_modules") continue;
        walk(path.posix.join(rel, name));
      }
    } else if (/\.(ts|mts|js|mjs|cjs)$/.test(rel) && !rel.endsWith(".d.ts")) {
      out.push(rel);
    }
  };
  for (const p of RUNTIME_PATHS) walk(p);
  return out;
}

export interface ModuleImport {
  specifier: string;
  /** import type / export type: erased, never loaded */
  typeOnly: boolean;
  line: number;
}

/** Static imports, re-exports, import("x") and require("x") of one source file. */
export function importsOf(file: string, text: string): ModuleImport[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: ModuleImport[] = [];
  const add = (node: ts.Node, spec: ts.Expression | undefined, typeOnly: boolean) => {
    if (spec && ts.isStringLiteralLike(spec)) {
      found.push({
        specifier: spec.text,
        typeOnly,
        line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
      });
    }
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node)) add(node, node.moduleSpecifier, node.importClause?.isTypeOnly ?? false);
    else if (ts.isExportDeclaration(node)) add(node, node.moduleSpecifier, node.isTypeOnly);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isDynamicImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === "require";
      if (isDynamicImport || isRequire) add(node, node.arguments[0], false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** "@scope/name/sub" → "@scope/name"; "name/sub" → "name"; null for node: builtins and paths. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith("node:") || specifier.startsWith(".") || specifier.startsWith("/")) return null;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
}

// ---- Dockerfile ----------------------------------------------------------------------------

export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  name: string | null;
  image: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, with global ARG defaults substituted into FROM. */
export function parseDockerfile(text: string): Stage[] {
  const logical: Instruction[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, " ") + lines[++i]!.replace(/^\s*#.*$/, "");
    }
    const m = /^\s*(\w+)\s+([\s\S]*)$/.exec(line);
    if (m) logical.push({ keyword: m[1]!.toUpperCase(), args: m[2]!.trim().replace(/\s+/g, " "), line: start + 1 });
  }
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const ins of logical) {
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) throw new Error(`Dockerfile line ${ins.line}: cannot read FROM ${ins.args}`);
      const image = m[1]!.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_, a: string | undefined, b: string | undefined) => globalArgs.get((a ?? b)!) ?? "",
      );
      stages.push({ name: m[2] ?? null, image, instructions: [] });
    } else if (stages.length === 0) {
      if (ins.keyword === "ARG") {
        const m = /^(\w+)=(\S+)$/.exec(ins.args);
        if (m) globalArgs.set(m[1]!, m[2]!);
      }
    } else {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return stages;
}

/** A COPY's flags, sources and destination. */
export function parseCopy(args: string): {
  from: string | null;
  chown: string | null;
  sources: string[];
  dest: string;
} {
  const words = args.split(" ");
  let from: string | null = null;
  let chown: string | null = null;
  while (words[0]?.startsWith("--")) {
    const flag = words.shift()!;
    if (flag.startsWith("--from=")) from = flag.slice("--from=".length);
    if (flag.startsWith("--chown=")) chown = flag.slice("--chown=".length);
  }
  const dest = words.pop()!;
  return { from, chown, sources: words, dest };
}

/** ENV in either form (KEY=VALUE ... or KEY VALUE) → entries. */
export function parseEnv(args: string): [string, string][] {
  if (!/^\w+=/.test(args)) {
    const [key, ...rest] = args.split(" ");
    return [[key!, rest.join(" ")]];
  }
  return [...args.matchAll(/(\w+)=("[^"]*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, "")]);
}

// ---- .dockerignore -------------------------------------------------------------------------

/** The patterns of a .dockerignore as regular expressions over context-relative paths. */
export function dockerignoreMatchers(text: string): { pattern: string; exclude: boolean; re: RegExp }[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"))
    .map((line) => {
      const exclude = !line.startsWith("!");
      const pattern = path.posix.normalize(line.replace(/^!/, "").replace(/^\/+/, ""));
      let re = "";
      for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i]!;
        if (c === "*" && pattern[i + 1] === "*") {
          re += pattern[i + 2] === "/" ? "(?:.*/)?" : ".*";
          i += pattern[i + 2] === "/" ? 2 : 1;
        } else if (c === "*") re += "[^/]*";
        else if (c === "?") re += "[^/]";
        else re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
      }
      // A pattern that names a folder excludes everything under it.
      return { pattern: line, exclude, re: new RegExp(`^${re}(?:/.*)?$`) };
    });
}

/** Is this context-relative path left out of the build context? (The last matching pattern wins.) */
export function ignored(matchers: ReturnType<typeof dockerignoreMatchers>, rel: string): boolean {
  let out = false;
  for (const m of matchers) if (m.re.test(rel)) out = m.exclude;
  return out;
}
