// The notifier's weekly reports. On each poll: when a new WEEKLY_REPORT_CRON time has passed,
// queue one weekly_reports row per opted-in user with an e-mail address (unique per user and
// time, so every replica and every restart queues it once); then claim due rows with a lease
// (core/db/claims.ts, as the deliveries) and send each through the email channel plugin with
// the SMTP_URL settings, retrying like a delivery. Not a service: the outbox worker calls it.

import type { Logger } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { compileCron, type CompiledCron } from "../../core/schedule/cron.ts";
import {
  computeReport,
  latestRun,
  renderReport,
  REPORT_WEEK_MS,
  type ReportFlip,
  type ReportMonitor,
  type ReportPing,
} from "../../core/alerts/weekly-report.ts";
import { afterAttempt } from "../../core/alerts/delivery.ts";
import type { AlertFacts, RenderedAlert } from "../../core/alerts/alert.ts";
import { ALERT_MESSAGES } from "../../core/alerts/alert-messages.ts";
import { isLocale } from "../../core/alerts/locale.ts";
import type { ChannelIO, SendResult } from "../../plugins/channel.ts";
import * as reports from "../../core/db/weekly-reports.ts";

type Rendered = ReturnType<typeof renderReport>;

export class WeeklyReports {
  private readonly deps: ServiceDeps;
  private readonly io: ChannelIO;
  private readonly leaseMs: number;
  private readonly cron: CompiledCron;
  private readonly zone: string;
  /** the latest report time this process has queued */
  private queued: number | null = null;
  private claims = 0;

  constructor(deps: ServiceDeps, io: ChannelIO, leaseMs: number) {
    this.deps = deps;
    this.io = io;
    this.leaseMs = leaseMs;
    this.cron = compileCron(deps.config.weeklyReport.cron);
    this.zone = deps.config.weeklyReport.timezone;
  }

  /** Queues a newly due report time and sends the claimed reports; returns when none is left. */
  async run(nodeId: string, running: () => boolean, logger: Logger): Promise<void> {
    const { config, db, clock } = this.deps;
    await this.queue(logger);
    while (running()) {
      const token = `${nodeId}#report${++this.claims}`;
      const rows = await reports.claimReports(db, { token, now: clock.now(), leaseMs: this.leaseMs, limit: 20 });
      if (!rows.length) return;
      for (const row of rows) {
        const settle = (set: Record<string, unknown>) => reports.settleReport(db, Number(row.id), token, set);
        const report = await this.render(Number(row.user_id), Number(row.period_at));
        if (!report) {
          await settle({ state: "failed", last_error: "the user opted out or has no e-mail address" });
          continue;
        }
        const result = await this.send(report.to, `hb-report-${row.user_id}-${row.period_at}`, report.rendered);
        const now = clock.now();
        const verdict = afterAttempt(result, Number(row.attempts), Number(row.created_at), now, config.deliveryRetry);
        if (verdict.state === "sent") {
          await settle({ state: "sent", sent_at: now, last_error: null });
          await reports.markReportSent(db, Number(row.user_id), now);
          logger.info(`weekly report sent to user ${row.user_id}`);
        } else {
          const error = result.ok ? "" : result.error.slice(0, 2000);
          await settle({
            state: verdict.state,
            last_error: error,
            next_attempt_at: verdict.state === "pending" ? verdict.nextAttemptAt : now,
          });
          logger.warn(`weekly report to user ${row.user_id} failed (attempt ${row.attempts}): ${error}`);
        }
      }
    }
  }

  private async queue(logger: Logger): Promise<void> {
    const { db, clock } = this.deps;
    const now = clock.now();
    // After a start, look back a week: a report time missed while every notifier was down is sent late, once.
    const period = latestRun(this.cron, this.zone, clock, this.queued ?? now - REPORT_WEEK_MS);
    if (period === null || period === this.queued) return;
    const users = await reports.usersDueReport(db, period);
    // queueReport is false when another notifier queued it first
    for (const u of users) await reports.queueReport(db, u, period, now);
    if (users.length)
      logger.info(`weekly report of ${new Date(period).toISOString()} queued for ${users.length} user(s)`);
    this.queued = period;
  }

  private async render(userId: number, periodAt: number): Promise<{ to: string; rendered: Rendered } | null> {
    const { config, db } = this.deps;
    const user = await reports.reportReader(db, userId);
    if (!user || !user.email || !Number(user.weekly_report)) return null;
    const from = periodAt - REPORT_WEEK_MS;
    const monitors = (await reports.reportMonitors(db)).map((m): ReportMonitor => ({
      id: Number(m.id),
      name: m.name,
      code: m.code,
      createdAt: Number(m.created_at),
    }));
    // The week's flips, and for each monitor the last one before it (the status the week starts in).
    const flips = (await reports.weekFlips(db, from, periodAt)).map((f): ReportFlip => ({
      monitorId: Number(f.monitor_id),
      to: f.to_status,
      reason: f.reason,
      at: Number(f.flipped_at),
    }));
    const pings = (await reports.weekPings(db, from, periodAt)).map((p): ReportPing => ({
      monitorId: Number(p.monitor_id),
      kind: p.kind,
      durationMs: p.duration_ms === null ? null : Number(p.duration_ms),
      receivedAt: Number(p.received_at),
    }));
    const locale = isLocale(user.locale) ? user.locale : config.defaultLocale;
    return {
      to: user.email,
      rendered: renderReport(computeReport(periodAt, monitors, flips, pings), this.zone, user.username, locale),
    };
  }

  private async send(to: string, key: string, r: Rendered): Promise<SendResult> {
    const { config, clock, channels: catalog } = this.deps;
    const email = catalog.get("email");
    if (!email) return { ok: false, retryable: true, error: "the email channel plugin is not loaded" };
    if (!config.smtp)
      return { ok: false, retryable: false, error: "SMTP_URL is not set in the notifier's environment" };
    const now = clock.now();
    // The email plugin reads the rendered text; the facts say what this is to any reader of them.
    const facts: AlertFacts = {
      event: "report",
      reminder: 0,
      raisedAt: now,
      monitor: { id: 0, name: "weekly report", code: "report", tags: [], timezone: this.zone },
      flip: { id: 0, from: "up", to: "up", reason: "ping", at: now, expectedAt: null },
      lastPingAt: null,
      failure: null,
      downSince: null,
      dashboardUrl: config.publicUrl,
    };
    const rendered: RenderedAlert = {
      subject: r.subject,
      title: r.subject,
      summary: r.subject,
      rows: [],
      failureText: null,
      failureTruncated: false,
      held: null,
      color: "#1a73e8",
      url: config.publicUrl,
      text: r.text,
      html: r.html,
      markdown: r.text,
      locale: r.locale,
      labels: { failureReport: ALERT_MESSAGES[r.locale].failureReport, open: ALERT_MESSAGES[r.locale].open },
    };
    try {
      return await email.send(
        { event: "report", idempotencyKey: key, incidentKey: key, facts, rendered },
        { url: config.smtp.url, from: config.smtp.from, to: [to] },
        this.io,
      );
    } catch (err) {
      return { ok: false, retryable: true, error: (err as Error).message };
    }
  }
}
