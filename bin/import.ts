// heartbeats import heartbeats-mysql --url mysql://…  |  healthchecks --file checks.json  |  backup --file export.json
// Reads the source, maps it into a plan (core/import/), and has the registry create what is not
// there yet, in one transaction; then, with --pings, the original's ping history in batches
// (bin/import-pings.ts). Prints a report: created, already present, skipped (why). --dry-run
// reports the same and writes nothing.

import fs from "node:fs";
import mysql from "mysql2/promise";
import { Errors } from "moleculer";
import { argsOrExit, usageError } from "./cli-args.ts";
import { withRegistry } from "./registry-broker.ts";
import { importOriginalPings } from "./import-pings.ts";
import { ImportInputError, type ImportPlan, type ImportReport } from "../core/import/plan.ts";
import { codeOfService, mapOriginal, ORIGINAL_TIMEZONE, type OriginalRows } from "../core/import/heartbeats-mysql.ts";
import { mapHealthchecks } from "../core/import/healthchecks.ts";
import { mapBackup } from "../core/import/backup.ts";

const USAGE = `usage:
  heartbeats import heartbeats-mysql --url mysql://user:pass@host:3306/heartbeats [--timezone Asia/Shanghai] [--pings]
  heartbeats import healthchecks --file checks.json
  heartbeats import backup --file heartbeats-export.json
options:
  --dry-run   report what would be imported; write nothing
  --pings     also the original's ping history of the monitors this import creates, read and
              written in batches with a progress line on stderr
Imports into DATABASE_URL. Running it again creates nothing new. (npm run import -- … is the same.)
`;

const SOURCES = ["heartbeats-mysql", "healthchecks", "backup"];
const { positionals, values } = argsOrExit(USAGE, {
  url: { type: "string" },
  file: { type: "string" },
  timezone: { type: "string" },
  pings: { type: "boolean" },
  "dry-run": { type: "boolean" },
});
const source = positionals[0];
if (!source) usageError(USAGE, "no source given");
if (!SOURCES.includes(source)) usageError(USAGE, `unknown source "${source}"`);
if (positionals.length > 1) usageError(USAGE, `unexpected argument "${positionals[1]}"`);
if (values.pings && source !== "heartbeats-mysql") usageError(USAGE, "--pings is for heartbeats-mysql");
const dryRun = values["dry-run"] === true;
const need = (name: "url" | "file"): string => values[name] ?? usageError(USAGE, `--${name} is required`);
const url = source === "heartbeats-mysql" ? need("url") : null;
const file = source === "heartbeats-mysql" ? null : need("file");

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ImportInputError(file, `cannot be read as JSON: ${(err as Error).message}`);
  }
}

/** The original tool's tables but its pings, read as they are (times as UTC, as Django stored them). */
async function readOriginal(conn: mysql.Connection): Promise<OriginalRows> {
  const q = async <T>(sql: string) => (await conn.query(sql))[0] as T[];
  return {
    services: await q("SELECT id, name, status, tp, value, grace, notify_to, short_url FROM service ORDER BY id"),
    tags: await q("SELECT id, name FROM tag"),
    serviceTags: await q("SELECT service_id, tag_id FROM service_tags"),
  };
}

function print(report: ImportReport): void {
  const said = { created: dryRun ? "would create" : "created", present: "already present", skipped: "skipped" };
  for (const it of report.items) {
    const what = `${it.kind} ${JSON.stringify(it.name)}${it.code ? ` (code ${it.code})` : ""}`;
    console.log(`${said[it.outcome]}\t${what}${it.reason ? `: ${it.reason}` : ""}`);
  }
  const { created, present, skipped } = report.counts;
  console.log(
    `\n${created} ${dryRun ? "would be created" : "created"}, ${present} already present, ${skipped} skipped${dryRun ? " (dry run: nothing written)" : ""}`,
  );
}

const importPlan = (broker: Parameters<Parameters<typeof withRegistry>[0]>[0], plan: ImportPlan) =>
  broker.call<ImportReport, ImportPlan>("registry.import", { ...plan, dryRun });

try {
  await withRegistry(async (broker, config) => {
    if (source !== "heartbeats-mysql") {
      const plan =
        source === "healthchecks"
          ? mapHealthchecks(readJson(file!), config.defaultTimezone)
          : mapBackup(readJson(file!));
      print(await importPlan(broker, plan));
      return;
    }
    const conn = await mysql.createConnection({ uri: url!, timezone: "Z", dateStrings: false });
    try {
      const rows = await readOriginal(conn);
      const smtp = config.smtp ? { url: config.smtp.url, from: config.smtp.from } : null;
      const report = await importPlan(
        broker,
        mapOriginal(rows, { timezone: values.timezone ?? ORIGINAL_TIMEZONE, smtp }),
      );
      print(report);
      if (!values.pings) return;
      // Only the monitors made now get history: those already present have theirs.
      const created = report.items.filter((it) => it.kind === "monitor" && it.outcome === "created");
      const codeOf = codeOfService(rows.services, new Set(created.map((it) => it.code!)));
      const totals = await importOriginalPings(conn, broker, codeOf, dryRun);
      console.log(`${totals.imported} pings ${dryRun ? "would be imported" : "imported"}`);
    } finally {
      await conn.end();
    }
  });
} catch (err) {
  if (err instanceof ImportInputError) console.error(`nothing imported: ${err.field}: ${err.message}`);
  else if (err instanceof Errors.ValidationError) {
    const data = (err.data ?? []) as { field: string; message: string }[];
    console.error(`nothing imported:\n${data.map((d) => `  ${d.field}: ${d.message}`).join("\n")}`);
  } else console.error(`import failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
