// npm run import -- heartbeats-mysql --url mysql://…  |  healthchecks --file checks.json  |  backup --file export.json
// Reads the source, maps it into a plan (core/import/), and has the registry create what is not
// there yet, in one transaction. Prints a report: created, already present, skipped (why).

import fs from "node:fs";
import { parseArgs } from "node:util";
import mysql from "mysql2/promise";
import { Errors } from "moleculer";
import { withRegistry } from "./registry-broker.ts";
import { ImportInputError, type ImportPlan, type ImportReport } from "../core/import/plan.ts";
import { mapOriginal, ORIGINAL_TIMEZONE, type OriginalRows } from "../core/import/heartbeats-mysql.ts";
import { mapHealthchecks } from "../core/import/healthchecks.ts";
import { mapBackup } from "../core/import/backup.ts";

const USAGE = `usage:
  npm run import -- heartbeats-mysql --url mysql://user:pass@host:3306/heartbeats [--timezone Asia/Shanghai] [--pings]
  npm run import -- healthchecks --file checks.json
  npm run import -- backup --file heartbeats-export.json
Imports into DATABASE_URL. Running it again creates nothing new.`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: "string" },
    file: { type: "string" },
    timezone: { type: "string" },
    pings: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});
const source = positionals[0];
if (values.help || !source) {
  console.log(USAGE);
  process.exit(source ? 0 : 2);
}

function need(name: "url" | "file"): string {
  if (!values[name]) {
    console.error(`--${name} is required\n\n${USAGE}`);
    process.exit(2);
  }
  return values[name];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new ImportInputError(file, `cannot be read as JSON: ${(err as Error).message}`);
  }
}

/** The original tool's tables, read as they are (times as UTC, as Django stored them). */
async function readOriginal(url: string, withPings: boolean): Promise<OriginalRows> {
  const conn = await mysql.createConnection({ uri: url, timezone: "Z", dateStrings: false });
  try {
    const q = async <T>(sql: string) => (await conn.query(sql))[0] as T[];
    return {
      services: await q("SELECT id, name, status, tp, value, grace, notify_to, short_url FROM service ORDER BY id"),
      tags: await q("SELECT id, name FROM tag"),
      serviceTags: await q("SELECT service_id, tag_id FROM service_tags"),
      pings: withPings ? await q("SELECT service_id, remote_addr, ua, data, created FROM ping ORDER BY id") : undefined,
    };
  } finally {
    await conn.end();
  }
}

function print(report: ImportReport): void {
  for (const it of report.items) {
    const what = `${it.kind} ${JSON.stringify(it.name)}${it.code ? ` (code ${it.code})` : ""}`;
    console.log(
      `${it.outcome === "present" ? "already present" : it.outcome}\t${what}${it.reason ? `: ${it.reason}` : ""}`,
    );
  }
  console.log(
    `\n${report.counts.created} created, ${report.counts.present} already present, ${report.counts.skipped} skipped`,
  );
}

try {
  await withRegistry(async (broker, config) => {
    let plan: ImportPlan;
    if (source === "heartbeats-mysql") {
      const smtp = config.smtp ? { url: config.smtp.url, from: config.smtp.from } : null;
      plan = mapOriginal(await readOriginal(need("url"), values.pings ?? false), {
        timezone: values.timezone ?? ORIGINAL_TIMEZONE,
        smtp,
      });
    } else if (source === "healthchecks") plan = mapHealthchecks(readJson(need("file")), config.defaultTimezone);
    else if (source === "backup") plan = mapBackup(readJson(need("file")));
    else {
      console.error(`unknown source "${source}"\n\n${USAGE}`);
      process.exit(2);
    }
    print(await broker.call<ImportReport, ImportPlan>("registry.import", plan));
  });
} catch (err) {
  if (err instanceof ImportInputError) console.error(`nothing imported: ${err.field}: ${err.message}`);
  else if (err instanceof Errors.ValidationError) {
    const data = (err.data ?? []) as { field: string; message: string }[];
    console.error(`nothing imported:\n${data.map((d) => `  ${d.field}: ${d.message}`).join("\n")}`);
  } else console.error(`import failed: ${(err as Error).message}`);
  process.exitCode = 1;
}
