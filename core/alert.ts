// The words of an alert, rendered once from the facts of one flip. Pure, so every channel
// (email now, chat and webhooks later) says the same thing.

import { DateTime } from "luxon";
import type { FlipReason, Status } from "./monitor-status.ts";

export interface AlertFacts {
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
  subject: string;
  text: string;
  html: string;
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

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const parts: string[] = [];
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d) parts.push(`${d}d`);
  if (h) parts.push(`${h}h`);
  if (m) parts.push(`${m}m`);
  if (sec || parts.length === 0) parts.push(`${sec}s`);
  return parts.join(" ");
}

function headline(f: AlertFacts): string {
  const { flip } = f;
  if (flip.to === "up") return "UP";
  if (flip.reason === "failure") return "FAILED";
  return "DOWN";
}

function firstLine(text: string, max: number): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "") ?? "";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

export function renderAlert(f: AlertFacts): RenderedAlert {
  const { monitor, flip } = f;
  const zone = monitor.timezone;
  const rows: [string, string][] = [
    ["Monitor", `${monitor.name} (${monitor.code})`],
    ["Status", `${flip.from} → ${flip.to}`],
    ["Reason", REASONS[flip.reason]],
    ["At", bothZones(flip.at, zone)],
    ["Last ping", f.lastPingAt === null ? "never" : bothZones(f.lastPingAt, zone)],
  ];
  if (flip.expectedAt !== null) rows.push(["Expected", bothZones(flip.expectedAt, zone)]);
  if (f.downSince !== null && flip.to === "up") rows.push(["Down for", duration(flip.at - f.downSince)]);
  if (f.failure?.exitStatus !== null && f.failure?.exitStatus !== undefined) rows.push(["Exit status", String(f.failure.exitStatus)]);
  if (monitor.tags.length) rows.push(["Tags", monitor.tags.join(", ")]);
  if (f.dashboardUrl) rows.push(["Details", f.dashboardUrl]);

  const failureText = f.failure?.data ?? null;
  let subject = `[Heartbeats] ${headline(f)}: ${monitor.name}`;
  if (flip.reason === "failure" && failureText) subject += ` — ${firstLine(failureText, 80)}`;
  else if (flip.to === "down") subject += ` — ${REASONS[flip.reason]}`;

  const width = Math.max(...rows.map(([k]) => k.length));
  let text = rows.map(([k, v]) => `${(k + ":").padEnd(width + 1)} ${v}`).join("\n") + "\n";
  if (failureText) {
    text += `\nFailure report${f.failure!.truncated ? " (truncated)" : ""}:\n${failureText}\n`;
  }

  let html = `<h2>${escapeHtml(subject)}</h2>\n<table>\n`;
  for (const [k, v] of rows) html += `<tr><th align="left">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>\n`;
  html += "</table>\n";
  if (failureText) html += `<h3>Failure report${f.failure!.truncated ? " (truncated)" : ""}</h3>\n<pre>${escapeHtml(failureText)}</pre>\n`;
  return { subject: subject.replace(/[\r\n]+/g, " "), text, html };
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}
