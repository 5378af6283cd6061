// Run rules (issue 18, points 2–4): a failure rate over the last runs (failure_rate_failures of
// the last failure_rate_runs), runs too fast (min_run_seconds), runs too often (min_gap_seconds)
// and, for calendar schedules, runs at no scheduled time (report_unexpected_runs). The outcomes
// of the last runs are kept on the row (recent_outcomes: one letter a run, "s" or "f", oldest
// first, at most failure_rate_runs) so that the ping batch and the checker judge the rate from
// the row they already lock.

import { DataTypes, type QueryInterface } from "sequelize";

const { INTEGER, BOOLEAN, STRING } = DataTypes;

const COLUMNS = {
  failure_rate_failures: { type: INTEGER, allowNull: true },
  failure_rate_runs: { type: INTEGER, allowNull: true },
  min_run_seconds: { type: INTEGER, allowNull: true },
  min_gap_seconds: { type: INTEGER, allowNull: true },
  report_unexpected_runs: { type: BOOLEAN, allowNull: false, defaultValue: false },
  recent_outcomes: { type: STRING(100), allowNull: false, defaultValue: "" },
} as const;

export async function up({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const [name, spec] of Object.entries(COLUMNS)) await qi.addColumn("monitors", name, spec);
}

export async function down({ context: qi }: { context: QueryInterface }): Promise<void> {
  for (const name of Object.keys(COLUMNS).reverse()) await qi.removeColumn("monitors", name);
}
