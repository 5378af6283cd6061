// The weekly reports' rows and what a report is computed from: who is due one, queueing it once
// per user and report time (the unique (user_id, period_at) index), claiming and settling rows as
// the deliveries are (core/db/claims.ts), and the week's monitors, flips and pings.

import { Op, UniqueConstraintError } from "sequelize";
import type { Database } from "./connect.ts";
import { plainRow, plainRows } from "./models.ts";
import { claimDue, settleClaimed } from "./claims.ts";
import type { Status } from "../monitor/monitor-status.ts";

/** A weekly_reports row as the notifier claims it. */
export interface ClaimedReport {
  id: number;
  user_id: number;
  period_at: number;
  attempts: number;
  created_at: number;
}

// Raw: an anti-join (NOT IN the period's queued reports).
/** Ids of the users opted in before `period` with an e-mail address and no report of that time queued. */
export async function usersDueReport(db: Database, period: number): Promise<number[]> {
  const users = await db.select<{ id: number }>(
    "SELECT id FROM users WHERE weekly_report = :yes AND email IS NOT NULL AND weekly_report_since < :period AND id NOT IN (SELECT user_id FROM weekly_reports WHERE period_at = :period)",
    { yes: true, period },
  );
  return users.map((u) => Number(u.id));
}

/** Queues the user's report of `period`; false when another notifier queued it first. */
export async function queueReport(db: Database, userId: number, period: number, now: number): Promise<boolean> {
  try {
    await db.write((t) =>
      db.models.WeeklyReport.create(
        { user_id: userId, period_at: period, state: "pending", attempts: 0, next_attempt_at: now, created_at: now },
        { transaction: t },
      ),
    );
    return true;
  } catch (err) {
    if (!(err instanceof UniqueConstraintError)) throw err;
    return false;
  }
}

// Raw: the claim is one conditional UPDATE run on every notifier's poll, as the deliveries' (core/db/claims.ts).
export function claimReports(
  db: Database,
  claim: { token: string; now: number; leaseMs: number; limit: number },
): Promise<ClaimedReport[]> {
  return claimDue<ClaimedReport>(db, "weekly_reports", "id, user_id, period_at, attempts, created_at", claim);
}

// Raw: guarded by the claim token, so a row whose lease ran out is left to whoever took it over.
export function settleReport(db: Database, id: number, token: string, set: Record<string, unknown>): Promise<void> {
  return settleClaimed(db, "weekly_reports", id, token, set);
}

/** Stamps the user's last sent report. */
export async function markReportSent(db: Database, userId: number, now: number): Promise<void> {
  await db.write((t) =>
    db.models.User.update({ weekly_report_sent_at: now }, { where: { id: userId }, transaction: t }),
  );
}

/** What a report needs of its reader, or undefined. */
export async function reportReader(
  db: Database,
  userId: number,
): Promise<{ username: string; email: string | null; weekly_report: unknown; locale: string | null } | undefined> {
  return plainRow(db.models.User, {
    attributes: ["username", "email", "weekly_report", "locale"],
    where: { id: userId },
  });
}

/** Every monitor, by id. */
export function reportMonitors(
  db: Database,
): Promise<{ id: number; name: string; code: string; created_at: number }[]> {
  return plainRows(db.models.Monitor, { attributes: ["id", "name", "code", "created_at"], order: [["id", "ASC"]] });
}

// Raw: a subquery with a GROUP BY (each monitor's last flip before the week).
/** The flips of [from, to), and for each monitor the last one before `from` (the status the week starts in), in order. */
export function weekFlips(
  db: Database,
  from: number,
  to: number,
): Promise<{ monitor_id: number; to_status: Status; reason: string; flipped_at: number }[]> {
  return db.select<{ monitor_id: number; to_status: Status; reason: string; flipped_at: number }>(
    `SELECT monitor_id, to_status, reason, flipped_at FROM flips WHERE flipped_at < :to AND (flipped_at >= :from
       OR id IN (SELECT MAX(id) FROM flips WHERE flipped_at < :from GROUP BY monitor_id)) ORDER BY id`,
    { from, to },
  );
}

/** The failure pings and timed runs of [from, to). */
export function weekPings(
  db: Database,
  from: number,
  to: number,
): Promise<{ monitor_id: number; kind: string; duration_ms: number | null; received_at: number }[]> {
  return plainRows(db.models.Ping, {
    attributes: ["monitor_id", "kind", "duration_ms", "received_at"],
    where: {
      received_at: { [Op.gte]: from, [Op.lt]: to },
      [Op.or]: [{ kind: "fail" }, { duration_ms: { [Op.ne]: null } }],
    },
  });
}
