// npm test's runner. Suites that measure time on the real machine (a 200-host SSH poll within its
// interval, a SIGTERM drain, receivers that time out, replicas racing for a lease) say so with a
// line `// test-runner: alone` and run one at a time, after the others, with the machine to
// themselves; every other suite runs TEST_CONCURRENCY at a time (default 3). Each suite file runs
// in its own process, as `node --test` does.
//
//   node test/run.ts                       every suite
//   node test/run.ts test/e2e/hosts.test.ts  just these files

import fs from "node:fs";
import { run } from "node:test";
import { spec } from "node:test/reporters";
import { pipeline } from "node:stream/promises";

const ALONE = /^\/\/ test-runner: alone\b/m;

const named = process.argv.slice(2);
const files = (named.length ? named : fs.globSync("test/**/*.test.ts")).sort();
const alone = files.filter((f) => ALONE.test(fs.readFileSync(f, "utf8")));
const together = files.filter((f) => !alone.includes(f));
const concurrency = Number(process.env.TEST_CONCURRENCY ?? 3);

let failed = 0;
for (const [set, n] of [
  [together, concurrency],
  [alone, 1],
] as const) {
  if (!set.length) continue;
  const stream = run({ files: [...set], concurrency: n });
  stream.on("test:fail", () => failed++);
  await pipeline(stream.compose(spec), process.stdout, { end: false });
}
if (failed) console.error(`\n${failed} failing test${failed === 1 ? "" : "s"} (suites and their tests counted alike)`);
process.exitCode = failed ? 1 : 0;
