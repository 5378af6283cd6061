// The words of an alert, rendered once from the facts of one flip: plain text and HTML for
// email, Markdown and labelled rows for chat. Pure, so every channel says the same thing;
// channels only escape it for their target.

import { DateTime } from "luxon";
import type { FlipReason, Status } from "./monitor-status.ts";

/** What happened, from a channel's point of view. Channels choose which of down, up and failure they receive. */
/** "report": the weekly report (core/weekly-report.ts), sent by email only */
export type AlertEvent = "down" | "up" | "failure" | "reminder" | "test" | "report";
export const CHOOSABLE_EVENTS = ["down", "up", "failure"] as const;

/** The event a flip is alerted as, or null when nobody hears of it (late, paused, resumed). */
export function eventOf(flip: { from: Status; to: Status; reason: FlipReason }): "down" | "up" | "failure" | null {
  if (flip.to === "down") return flip.reason === "failure" ? "failure" : "down";
  if (flip.from === "down" && flip.to === "up") return "up";
  return null;
}

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
  /** red for down and failure, green for up, amber for reminders, blue for tests */
  color: string;
  url: string | null;
  text: string;
  html: string;
  /** CommonMark: bold title, one line per fact, the failure report in a code block */
  markdown: string;
}

const REASONS: Record<FlipReason, string> = {
  ping: "a successful ping arrived",
  failure: "the job reported a failure",
  late: "the ping is late",
  "no-ping": "no ping arrived before the deadline",
  "never-pinged": "the monitor has never pinged",
  paused: "paused by hand",
  resumed: "resumed by hand",
};

/** "2026-11-24 16:05:00 Asia/Shanghai (2026-11-24 08:05:00 UTC)" */
export function bothZones(ms: number, zone: string): string {
  const local = DateTime.fromMillis(ms, { zone }).toFormat("yyyy-LL-dd HH:mm:ss");
  const utc = DateTime.fromMillis(ms, { zone: "UTC" }).toFormat("yyyy-LL-dd HH:mm:ss");
  return zone === "UTC" ? `${utc} UTC` : `${local} ${zone} (${utc} UTC)`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (sec || parts.length === 0) parts.push(`${sec}s`);
  return parts.join(" ");
}

const HEADLINES: Record<AlertEvent, string> = { down: "DOWN", up: "UP", failure: "FAILED", reminder: "STILL DOWN", test: "TEST", report: "REPORT" };
const COLORS: Record<AlertEvent, string> = { down: "#d93025", failure: "#d93025", up: "#188038", reminder: "#e37400", test: "#1a73e8", report: "#1a73e8" };

function firstLine(text: string, max: number): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

export function renderAlert(f: AlertFacts): RenderedAlert {
  const { monitor, flip } = f;
  const zone = monitor.timezone;
  if (f.event === "test") return renderTest(f);
  const rows: [string, string][] = [
    ["Monitor", `${monitor.name} (${monitor.code})`],
    ["Status", `${flip.from} → ${flip.to}`],
    ["Reason", REASONS[flip.reason]],
    ["At", bothZones(flip.at, zone)],
    ["Last ping", f.lastPingAt === null ? "never" : bothZones(f.lastPingAt, zone)],
  ];
  if (flip.expectedAt !== null) rows.push(["Expected", bothZones(flip.expectedAt, zone)]);
  if (f.downSince !== null && flip.to === "up") rows.push(["Down for", duration(flip.at - f.downSince)]);
  if (f.event === "reminder") rows.push(["Reminder", `#${f.reminder}`]);
  if (f.failure?.exitStatus !== null && f.failure?.exitStatus !== undefined) rows.push(["Exit status", String(f.failure.exitStatus)]);
  if (monitor.tags.length) rows.push(["Tags", monitor.tags.join(", ")]);
  if (f.dashboardUrl) rows.push(["Details", f.dashboardUrl]);

  const failureText = f.failure?.data ?? null;
  const title = `${HEADLINES[f.event]}: ${oneLine(monitor.name)}`;
  let summary = REASONS[flip.reason];
  if (flip.reason === "failure" && failureText) summary = firstLine(failureText, 80);
  if (f.event === "reminder" && f.downSince !== null) summary = `down for ${duration(f.raisedAt - f.downSince)}: ${summary}`;
  return finish(f, title, summary, rows, failureText);
}

/** What a channel's "send test" shows: proof that the channel works, not an incident. */
function renderTest(f: AlertFacts): RenderedAlert {
  const rows: [string, string][] = [
    ["Channel", f.monitor.name],
    ["At", bothZones(f.flip.at, f.monitor.timezone)],
  ];
  if (f.dashboardUrl) rows.push(["Dashboard", f.dashboardUrl]);
  return finish(f, `TEST: ${oneLine(f.monitor.name)}`, "a test alert from Heartbeats: this channel works", rows, null);
}

function finish(f: AlertFacts, title: string, summary: string, rows: [string, string][], failureText: string | null): RenderedAlert {
  const truncated = Boolean(f.failure?.truncated);
  let subject = `[Heartbeats] ${title}`;
  if (f.event !== "up") subject += ` — ${summary}`;

  const width = Math.max(...rows.map(([k]) => k.length));
  let text = rows.map(([k, v]) => `${(k + ":").padEnd(width + 1)} ${v}`).join("\n") + "\n";
  if (failureText) text += `\nFailure report${truncated ? " (truncated)" : ""}:\n${failureText}\n`;

  let html = `<h2>${escapeHtml(subject)}</h2>\n<table>\n`;
  for (const [k, v] of rows) html += `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>\n`;
  html += "</table>\n";
  if (failureText) html += `<h3>Failure report${truncated ? " (truncated)" : ""}</h3>\n<pre>${escapeHtml(failureText)}</pre>\n`;

  let markdown = `**${escapeMarkdown(title)}**\n${escapeMarkdown(summary)}\n\n`;
  markdown += rows.map(([k, v]) => `**${escapeMarkdown(k)}:** ${escapeMarkdown(v)}`).join("\n") + "\n";
  if (failureText) markdown += `\n**Failure report${truncated ? " (truncated)" : ""}:**\n${codeBlock(failureText)}\n`;

  return {
    subject: oneLine(subject),
    title,
    summary: oneLine(summary),
    rows,
    failureText,
    failureTruncated: truncated,
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
