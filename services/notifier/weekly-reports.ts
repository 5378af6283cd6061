// The notifier's weekly reports. On each poll: when a new WEEKLY_REPORT_CRON time has passed,
// queue one weekly_reports row per opted-in user with an e-mail address (unique per user and
// time, so every replica and every restart queues it once); then claim due rows with a lease
// (core/db/claims.ts, as the deliveries) and send each through the email channel plugin with
// the SMTP_URL settings, retrying like a delivery. Not a service: the notifier calls it.

import { UniqueConstraintError } from "sequelize";
import type { Logger } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { compileCron } from "../../core/schedule/cron.ts";
import { computeReport, latestRun, renderReport, REPORT_WEEK_MS, type ReportFlip, type ReportMonitor, type ReportPing } from "../../core/alerts/weekly-report.ts";
import { claimDue, settleClaimed } from "../../core/db/claims.ts";
import { afterAttempt } from "../../core/alerts/delivery.ts";
import type { AlertFacts, RenderedAlert } from "../../core/alerts/alert.ts";
import { ALERT_MESSAGES } from "../../core/alerts/alert-messages.ts";
import { isLocale } from "../../core/alerts/locale.ts";
import type { Status } from "../../core/monitor/monitor-status.ts";
import type { ChannelIO, SendResult } from "../../plugins/channel.ts";

interface ClaimedReport {
  id: number;
  user_id: number;
  period_at: number;
  attempts: number;
  created_at: number;
}

export function weeklyReports({ config, db, clock, channels: catalog }: ServiceDeps, io: ChannelIO, leaseMs: number) {
  const cron = compileCron(config.weeklyReport.cron);
  const zone = config.weeklyReport.timezone;
  /** the latest report time this process has queued */
  let queued: number | null = null;
  let claims = 0;

  async function queue(logger: Logger): Promise<void> {
    const now = clock.now();
    // After a start, look back a week: a report time missed while every notifier was down is sent late, once.
    const period = latestRun(cron, zone, clock, queued ?? now - REPORT_WEEK_MS);
    if (period === null || period === queued) return;
    const users = await db.select<{ id: number }>(
      "SELECT id FROM users WHERE weekly_report = :yes AND email IS NOT NULL AND weekly_report_since < :period AND id NOT IN (SELECT user_id FROM weekly_reports WHERE period_at = :period)",
      { yes: true, period },
    );
    for (const u of users) {
      try {
        await db.write((t) =>
          db.insertRows("weekly_reports", ["user_id", "period_at", "state", "attempts", "next_attempt_at", "created_at"], [[Number(u.id), period, "pending", 0, now, now]], t),
        );
      } catch (err) {
        if (!(err instanceof UniqueConstraintError)) throw err; // another notifier queued it first
      }
    }
    if (users.length) logger.info(`weekly report of ${new Date(period).toISOString()} queued for ${users.length} user(s)`);
    queued = period;
  }

  async function render(userId: number, periodAt: number): Promise<{ to: string; rendered: ReturnType<typeof renderReport> } | null> {
    const [user] = await db.select<{ username: string; email: string | null; weekly_report: unknown; locale: string | null }>("SELECT username, email, weekly_report, locale FROM users WHERE id = ?", [userId]);
    if (!user || !user.email || !Number(user.weekly_report)) return null;
    const from = periodAt - REPORT_WEEK_MS;
    const monitors = (await db.select<{ id: number; name: string; code: string; created_at: number }>("SELECT id, name, code, created_at FROM monitors ORDER BY id")).map(
      (m): ReportMonitor => ({ id: Number(m.id), name: m.name, code: m.code, createdAt: Number(m.created_at) }),
    );
    // The week's flips, and for each monitor the last one before it (the status the week starts in).
    const flips = (
      await db.select<{ monitor_id: number; to_status: Status; reason: string; flipped_at: number }>(
        `SELECT monitor_id, to_status, reason, flipped_at FROM flips WHERE flipped_at < :to AND (flipped_at >= :from
           OR id IN (SELECT MAX(id) FROM flips WHERE flipped_at < :from GROUP BY monitor_id)) ORDER BY id`,
        { from, to: periodAt },
      )
    ).map((f): ReportFlip => ({ monitorId: Number(f.monitor_id), to: f.to_status, reason: f.reason, at: Number(f.flipped_at) }));
    const pings = (
      await db.select<{ monitor_id: number; kind: string; duration_ms: number | null; received_at: number }>(
        "SELECT monitor_id, kind, duration_ms, received_at FROM pings WHERE received_at >= :from AND received_at < :to AND (kind = 'fail' OR duration_ms IS NOT NULL)",
        { from, to: periodAt },
      )
    ).map((p): ReportPing => ({ monitorId: Number(p.monitor_id), kind: p.kind, durationMs: p.duration_ms === null ? null : Number(p.duration_ms), receivedAt: Number(p.received_at) }));
    return { to: user.email, rendered: renderReport(computeReport(periodAt, monitors, flips, pings), zone, user.username, isLocale(user.locale) ? user.locale : config.defaultLocale) };
  }

  async function send(to: string, key: string, r: ReturnType<typeof renderReport>): Promise<SendResult> {
    const email = catalog.get("email");
    if (!email) return { ok: false, retryable: true, error: "the email channel plugin is not loaded" };
    if (!config.smtp) return { ok: false, retryable: false, error: "SMTP_URL is not set in the notifier's environment" };
    const now = clock.now();
    // The email plugin reads the rendered text; the facts say what this is to any reader of them.
    const facts: AlertFacts = {
      event: "report",
      reminder: 0,
      raisedAt: now,
      monitor: { id: 0, name: "weekly report", code: "report", tags: [], timezone: zone },
      flip: { id: 0, from: "up", to: "up", reason: "ping", at: now, expectedAt: null },
      lastPingAt: null,
      failure: null,
      downSince: null,
      dashboardUrl: config.publicUrl,
    };
    const rendered: RenderedAlert = {
      subject: r.subject, title: r.subject, summary: r.subject, rows: [], failureText: null, failureTruncated: false,
      color: "#1a73e8", url: config.publicUrl, text: r.text, html: r.html, markdown: r.text,
      locale: r.locale, labels: { failureReport: ALERT_MESSAGES[r.locale].failureReport, open: ALERT_MESSAGES[r.locale].open },
    };
    try {
      return await email.send({ event: "report", idempotencyKey: key, incidentKey: key, facts, rendered }, { url: config.smtp.url, from: config.smtp.from, to: [to] }, io);
    } catch (err) {
      return { ok: false, retryable: true, error: (err as Error).message };
    }
  }

  /** Queues a newly due report time and sends the claimed reports; returns when none is left. */
  return async function run(nodeId: string, running: () => boolean, logger: Logger): Promise<void> {
    await queue(logger);
    while (running()) {
      const token = `${nodeId}#report${++claims}`;
      const rows = await claimDue<ClaimedReport>(db, "weekly_reports", "id, user_id, period_at, attempts, created_at", { token, now: clock.now(), leaseMs, limit: 20 });
      if (!rows.length) return;
      for (const row of rows) {
        const settle = (set: Record<string, unknown>) => settleClaimed(db, "weekly_reports", Number(row.id), token, set);
        const report = await render(Number(row.user_id), Number(row.period_at));
        if (!report) {
          await settle({ state: "failed", last_error: "the user opted out or has no e-mail address" });
          continue;
        }
        const result = await send(report.to, `hb-report-${row.user_id}-${row.period_at}`, report.rendered);
        const now = clock.now();
        const verdict = afterAttempt(result, Number(row.attempts), Number(row.created_at), now, config.deliveryRetry);
        if (verdict.state === "sent") {
          await settle({ state: "sent", sent_at: now, last_error: null });
          await db.write((t) => db.change("UPDATE users SET weekly_report_sent_at = ? WHERE id = ?", [now, Number(row.user_id)], t));
          logger.info(`weekly report sent to user ${row.user_id}`);
        } else {
          const error = result.ok ? "" : result.error.slice(0, 2000);
          await settle({ state: verdict.state, last_error: error, next_attempt_at: verdict.state === "pending" ? verdict.nextAttemptAt : now });
          logger.warn(`weekly report to user ${row.user_id} failed (attempt ${row.attempts}): ${error}`);
        }
      }
    }
  };
}
