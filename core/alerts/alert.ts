// The words of an alert, rendered once from the facts of one flip: plain text and HTML for
// email, Markdown and labelled rows for chat. Pure, so every channel says the same thing;
// channels only escape it for their target.

import { DateTime } from "luxon";
import type { FlipReason, Status } from "../monitor/monitor-status.ts";
import { ALERT_MESSAGES, fill, type AlertMessages } from "./alert-messages.ts";
import type { Locale } from "./locale.ts";
import type { Hold } from "./holds.ts";

/** What happened, from a channel's point of view. Channels choose which of down, up and failure they receive. */
/** "report": the weekly report (core/alerts/weekly-report.ts), sent by email only */
export type AlertEvent = "down" | "up" | "failure" | "reminder" | "test" | "report";
export const CHOOSABLE_EVENTS = ["down", "up", "failure"] as const;

/** The event a flip is alerted as, or null when nobody hears of it (late, paused, resumed). */
export function eventOf(flip: { from: Status; to: Status; reason: FlipReason }): "down" | "up" | "failure" | null {
  // A slow run that succeeded changes no status: a one-off report, heard by channels that hear failure reports.
  if (flip.reason === "slow") return "failure";
  if (flip.to === "down") return FAILURE_REPORTS.has(flip.reason) ? "failure" : "down";
  if (flip.from === "down" && flip.to === "up") return "up";
  return null;
}

/** Reasons that are a run's own failure report: a failure sent, or a successful run that broke a run rule. */
const FAILURE_REPORTS = new Set<FlipReason>(["failure", "too-fast", "too-often", "unexpected-run"]);

export interface AlertFacts {
  event: AlertEvent;
  /** which reminder this is (1, 2, …); 0 for the alert of the flip itself */
  reminder: number;
  /** when this alert was raised: the flip's time, or the reminder's */
  raisedAt: number;
  monitor: { id: number; name: string; code: string; tags: string[]; timezone: string };
  flip: { id: number; from: Status; to: Status; reason: FlipReason; at: number; expectedAt: number | null };
  lastPingAt: number | null;
  /** the failure report that caused the flip, when one did */
  failure: { data: string | null; exitStatus: number | null; truncated: boolean } | null;
  /** when the monitor went down, for a recovery */
  downSince: number | null;
  /** the duration of the run that caused the flip, when it was timed; for a slow run, the median it is compared with */
  run?: { durationMs: number; medianMs: number | null } | null;
  /** the run rule the flip is about (too-fast, too-often, failure-rate), as the monitor has it */
  rule?: {
    minRunSeconds: number | null;
    minGapSeconds: number | null;
    /** when the run before a too-often run was reported */
    previousRunAt: number | null;
    failureRate: { failures: number; runs: number } | null;
  } | null;
  /** a released alert: what held it back (a maintenance window, a snooze, a down parent) */
  held?: Hold | null;
  dashboardUrl: string | null;
}

export interface RenderedAlert {
  /** "[Heartbeats] DOWN: name — reason", one line */
  subject: string;
  /** "DOWN: name", for chat titles */
  title: string;
  /** one line saying why */
  summary: string;
  /** the labelled facts, unescaped: channels escape them for their target */
  rows: [string, string][];
  failureText: string | null;
  failureTruncated: boolean;
  /** a released alert: "Held back while parent db was down", in the alert's language; null otherwise */
  held: string | null;
  /** the alert's language, and the words channels add around the rendered parts */
  locale: Locale;
  labels: {
    /** "Failure report" or "Failure report (truncated)", in the alert's language */
    failureReport: string;
    /** the dashboard link's text: "Open in Heartbeats" */
    open: string;
  };
  /** red for down and failure, green for up, amber for reminders, blue for tests */
  color: string;
  url: string | null;
  text: string;
  html: string;
  /** CommonMark: bold title, one line per fact, the failure report in a code block */
  markdown: string;
}

/** "2026-11-24 16:05:00 Asia/Shanghai (2026-11-24 08:05:00 UTC)" */
export function bothZones(ms: number, zone: string): string {
  const local = DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd HH:mm:ss");
  const utc = DateTime.fromMillis(ms, { zone: "UTC" }).toFormat("yyyy-LL-dd HH:mm:ss");
  return zone === "UTC" ? `${utc} UTC` : `${local} ${zone} (${utc} UTC)`;
}

export function duration(ms: number, units: AlertMessages["units"] = ALERT_MESSAGES.en.units): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  const d = Math.floor(s / 86400),
    h = Math.floor((s % 86400) / 3600),
    m = Math.floor((s % 3600) / 60),
    sec = s % 60;
  if (d) parts.push(fill(units.d, { n: d }));
  if (h) parts.push(fill(units.h, { n: h }));
  if (m) parts.push(fill(units.m, { n: m }));
  if (sec || parts.length === 0) parts.push(fill(units.s, { n: sec }));
  return parts.join(" ");
}

/** A run's length: tenths of a second under a minute ("0.1s", "12.5s"), else as duration(). */
function runLength(ms: number, units: AlertMessages["units"]): string {
  return ms < 60_000 ? fill(units.s, { n: (Math.max(0, ms) / 1000).toFixed(1) }) : duration(ms, units);
}

const COLORS: Record<AlertEvent, string> = {
  down: "#d93025",
  failure: "#d93025",
  up: "#188038",
  reminder: "#e37400",
  test: "#1a73e8",
  report: "#1a73e8",
};

function firstLine(text: string, max: number): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

/** The alert in `locale` (English unless the channel chose another language). */
export function renderAlert(f: AlertFacts, locale: Locale = "en"): RenderedAlert {
  const { monitor, flip } = f;
  const zone = monitor.timezone;
  const w = ALERT_MESSAGES[locale];
  if (f.event === "test") return renderTest(f, locale);
  const rows: [string, string][] = [
    [w.rows.monitor, `${monitor.name} (${monitor.code})`],
    [w.rows.status, `${w.statuses[flip.from]} → ${w.statuses[flip.to]}`],
    [w.rows.reason, w.reasons[flip.reason]],
    [w.rows.at, bothZones(flip.at, zone)],
    [w.rows.lastPing, f.lastPingAt === null ? w.never : bothZones(f.lastPingAt, zone)],
  ];
  if (flip.expectedAt !== null)
    rows.push([
      flip.reason === "running-too-long" ? w.rows.dueToFinish : w.rows.expected,
      bothZones(flip.expectedAt, zone),
    ]);
  if (f.run) rows.push([w.rows.runTook, runLength(f.run.durationMs, w.units)]);
  if (f.run?.medianMs !== null && f.run?.medianMs !== undefined)
    rows.push([w.rows.usualRun, `${runLength(f.run.medianMs, w.units)} (${w.rows.median})`]);
  if (flip.reason === "too-often" && f.rule?.previousRunAt != null)
    rows.push([w.rows.previousRun, bothZones(f.rule.previousRunAt, zone)]);
  if (f.downSince !== null && flip.to === "up") rows.push([w.rows.downFor, duration(flip.at - f.downSince, w.units)]);
  if (f.event === "reminder") rows.push([w.rows.reminder, `#${f.reminder}`]);
  if (f.held) rows.push([w.rows.heldBack, fill(w.heldWhile[f.held.kind], { detail: f.held.detail ?? "" })]);
  if (f.failure?.exitStatus !== null && f.failure?.exitStatus !== undefined)
    rows.push([w.rows.exitStatus, String(f.failure.exitStatus)]);
  if (monitor.tags.length) rows.push([w.rows.tags, monitor.tags.join(w.listSeparator)]);
  if (f.dashboardUrl) rows.push([w.rows.details, f.dashboardUrl]);

  const failureText = f.failure?.data ?? null;
  const title = `${flip.reason === "slow" ? w.slowHeadline : w.headlines[f.event]}: ${oneLine(monitor.name)}`;
  let summary = w.reasons[flip.reason];
  if (flip.reason === "failure" && failureText) summary = firstLine(failureText, 80);
  if (flip.reason === "slow" && f.run) {
    const took = runLength(f.run.durationMs, w.units);
    summary =
      f.run.medianMs === null
        ? fill(w.slowSummaryAlone, { took })
        : fill(w.slowSummary, { took, usual: runLength(f.run.medianMs, w.units) });
  }
  summary = ruleSummary(f, w) ?? summary;
  if (f.event === "reminder" && f.downSince !== null)
    summary = fill(w.stillDown, { duration: duration(f.raisedAt - f.downSince, w.units), reason: summary });
  return finish(f, locale, title, summary, rows, failureText);
}

/** The summary of a flip about a run rule, with the rule's numbers: "ran 2s; at least 1m expected". */
function ruleSummary(f: AlertFacts, w: AlertMessages): string | null {
  const { reason, at } = f.flip;
  const rule = f.rule;
  if (!rule) return null;
  const min = (seconds: number) => duration(seconds * 1000, w.units);
  if (reason === "too-fast" && f.run && rule.minRunSeconds !== null)
    return fill(w.tooFastSummary, { took: runLength(f.run.durationMs, w.units), min: min(rule.minRunSeconds) });
  if (reason === "too-often" && rule.previousRunAt !== null && rule.minGapSeconds !== null)
    return fill(w.tooOftenSummary, { gap: runLength(at - rule.previousRunAt, w.units), min: min(rule.minGapSeconds) });
  if (reason === "failure-rate" && rule.failureRate) return fill(w.rateSummary, { ...rule.failureRate });
  return null;
}

/** What a channel's "send test" shows: proof that the channel works, not an incident. */
function renderTest(f: AlertFacts, locale: Locale): RenderedAlert {
  const w = ALERT_MESSAGES[locale];
  const rows: [string, string][] = [
    [w.rows.channel, f.monitor.name],
    [w.rows.at, bothZones(f.flip.at, f.monitor.timezone)],
  ];
  if (f.dashboardUrl) rows.push([w.rows.dashboard, f.dashboardUrl]);
  return finish(f, locale, `${w.headlines.test}: ${oneLine(f.monitor.name)}`, w.testSummary, rows, null);
}

function finish(
  f: AlertFacts,
  locale: Locale,
  title: string,
  summary: string,
  rows: [string, string][],
  failureText: string | null,
): RenderedAlert {
  const w = ALERT_MESSAGES[locale];
  const truncated = Boolean(f.failure?.truncated);
  const failureReport = w.failureReport + (truncated ? w.truncated : "");
  let subject = `[Heartbeats] ${title}`;
  if (f.event !== "up") subject += ` — ${summary}`;

  const width = Math.max(...rows.map(([k]) => k.length));
  let text = rows.map(([k, v]) => `${(k + ":").padEnd(width + 1)} ${v}`).join("\n") + "\n";
  if (failureText) text += `\n${failureReport}:\n${failureText}\n`;

  let html = `<h2>${escapeHtml(subject)}</h2>\n<table>\n`;
  for (const [k, v] of rows) html += `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>\n`;
  html += "</table>\n";
  if (failureText) html += `<h3>${escapeHtml(failureReport)}</h3>\n<pre>${escapeHtml(failureText)}</pre>\n`;

  let markdown = `**${escapeMarkdown(title)}**\n${escapeMarkdown(summary)}\n\n`;
  markdown += rows.map(([k, v]) => `**${escapeMarkdown(k)}:** ${escapeMarkdown(v)}`).join("\n") + "\n";
  if (failureText) markdown += `\n**${failureReport}:**\n${codeBlock(failureText)}\n`;

  return {
    subject: oneLine(subject),
    title,
    summary: oneLine(summary),
    rows,
    failureText,
    failureTruncated: truncated,
    held: f.held ? `${w.rows.heldBack} ${fill(w.heldWhile[f.held.kind], { detail: f.held.detail ?? "" })}` : null,
    locale,
    labels: { failureReport, open: w.open },
    color: COLORS[f.event],
    url: f.dashboardUrl,
    text,
    html,
    markdown,
  };
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, " ");
}

/** Backslash-escapes what CommonMark (and Slack, Discord, Gotify, ntfy) would read as markup. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => "\\" + c);
}

/** A fenced code block that the text itself cannot close: its backtick runs are broken up. */
export function codeBlock(s: string): string {
  return "```\n" + s.replace(/`{3,}/g, (run) => run.split("").join("\u200b")) + "\n```";
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
