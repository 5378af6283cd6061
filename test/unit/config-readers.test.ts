// The configuration table's "read by" column says what core/config-readers.ts says, for every
// variable, and every variable core/config.ts reads is in the table.

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { READ_BY } from "../../core/config-readers.ts";
import type { ServiceName } from "../../core/config.ts";
import { ROOT } from "../support/system.ts";

const ALL_BUT_GATEWAY: readonly ServiceName[] = ["registry", "ingest", "checker", "notifier", "agent-collector"];

function expected(name: string): string {
  const readers = READ_BY[name];
  if (!readers) return "every process";
  if (readers.length === ALL_BUT_GATEWAY.length && ALL_BUT_GATEWAY.every((s) => readers.includes(s)))
    return "all but `gateway`";
  return readers.map((s) => `\`${s}\``).join(", ");
}

/** variable → its "read by" cell, from the server table of docs/configuration.md */
function documented(): Map<string, string> {
  const text = fs.readFileSync(path.join(ROOT, "docs/configuration.md"), "utf8");
  const table = text.slice(
    text.indexOf("| variable | default | read by | meaning |"),
    text.indexOf("Where the variables meet"),
  );
  const out = new Map<string, string>();
  for (const line of table.split("\n").slice(2)) {
    if (!line.startsWith("| `")) continue;
    const [names, , readBy] = line.slice(2).split(" | ");
    for (const m of names!.matchAll(/`([A-Z_]+)`/g)) out.set(m[1]!, readBy!);
  }
  return out;
}

test("the table's read-by column agrees with READ_BY", () => {
  const doc = documented();
  assert.ok(doc.size > 40, `only ${doc.size} variables found`);
  for (const [name, readBy] of doc) {
    if (name === "HEARTBEATS_PASSWORD") continue; // the CLI's, not a server process's
    assert.equal(readBy, expected(name), name);
  }
  for (const name of Object.keys(READ_BY)) assert.ok(doc.has(name), `${name} is not in the table`);
});

test("every variable core/config.ts reads is in the table", () => {
  const source = fs.readFileSync(path.join(ROOT, "core/config.ts"), "utf8");
  const read = new Set([...source.matchAll(/\b(?:str|int|oneOf|bool)\(env, "([A-Z_]+)"/g)].map((m) => m[1]!));
  for (const m of source.matchAll(/env\.([A-Z_]+)\b/g)) read.add(m[1]!);
  read.add("SERVICES");
  assert.ok(read.size > 40, `only ${read.size} found`);
  const doc = documented();
  for (const name of read) assert.ok(doc.has(name), `${name} is read but not documented`);
});
