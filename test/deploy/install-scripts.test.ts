// `npm install` compiles nothing and warns of no install script (README, "Two commands"): every
// package of the lock file that has an install script is named in package.json's allowScripts
// (npm 11.19 warns of the others and runs them), the native builds among them are denied, and
// sqlite3 is gone for good.
//   node --test test/deploy/install-scripts.test.ts

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "../support/system.ts";

interface LockEntry {
  version?: string;
  hasInstallScript?: boolean;
  optional?: boolean;
  dev?: boolean;
}

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "package-lock.json"), "utf8")) as {
  packages: Record<string, LockEntry>;
};

/** "node_modules/a/node_modules/@b/c" → "@b/c" */
const nameOf = (key: string) => key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length);

const withScripts = Object.entries(lock.packages)
  .filter(([key, entry]) => key.includes("node_modules/") && entry.hasInstallScript)
  .map(([key]) => nameOf(key));

test("every package with an install script is reviewed in allowScripts, and nothing else is listed", () => {
  const policy = pkg.allowScripts ?? {};
  assert.ok(withScripts.length > 0, "the lock file marks packages with install scripts");
  assert.deepEqual(
    withScripts.filter((name) => !(name in policy)),
    [],
    "unreviewed: npm would warn of them and run them",
  );
  assert.deepEqual(
    Object.keys(policy).filter((name) => !withScripts.includes(name)),
    [],
    "listed but without an install script in the lock: stale",
  );
});

test("the install scripts that would compile are denied: ssh2's crypto binding, cpu-features, lmdb, msgpackr-extract", () => {
  for (const name of ["ssh2", "cpu-features", "lmdb", "msgpackr-extract", "@scarf/scarf"])
    assert.equal(pkg.allowScripts?.[name], false, name);
});

test("sqlite3 is neither a dependency nor in the lock file: SQLite is node:sqlite", () => {
  assert.equal(pkg.dependencies?.sqlite3, undefined);
  assert.equal(pkg.devDependencies?.sqlite3, undefined);
  assert.deepEqual(
    Object.keys(lock.packages).filter((key) => nameOf(key) === "sqlite3"),
    [],
  );
});
