// Status badges: a monitor's (or a tag's worst) status as a shields-style SVG or as shields.io's
// endpoint JSON. Pure: the registry finds the status, the gateway sends what this renders.
// A badge is named by its own random key, never by the ping code, so a badge URL lets nobody ping.

import { randomBytes } from "node:crypto";
import type { Status } from "./monitor-status.ts";

/** 128 random bits, URL-safe: 22 characters. */
export function newBadgeKey(): string {
  return randomBytes(16).toString("base64url");
}

export const BADGE_KEY_PATTERN = /^[A-Za-z0-9_-]{22}$/;
export const BADGE_LABEL_MAX = 100;

/** What a badge says: a tag with no monitors is "unknown". */
export type BadgeStatus = Status | "unknown";

/** Worst first: a tag's badge shows the worst status among its monitors. */
const SEVERITY: BadgeStatus[] = ["down", "late", "up", "new", "paused", "unknown"];

export function worstStatus(statuses: readonly Status[]): BadgeStatus {
  let best = SEVERITY.length - 1;
  for (const s of statuses) best = Math.min(best, SEVERITY.indexOf(s));
  return SEVERITY[best]!;
}

/** shields.io's named colours, as hex for the SVG. */
const COLORS: Record<BadgeStatus, { name: string; hex: string }> = {
  up: { name: "brightgreen", hex: "#4c1" },
  late: { name: "orange", hex: "#fe7d37" },
  down: { name: "red", hex: "#e05d44" },
  new: { name: "lightgrey", hex: "#9f9f9f" },
  paused: { name: "lightgrey", hex: "#9f9f9f" },
  unknown: { name: "lightgrey", hex: "#9f9f9f" },
};

export function badgeColor(status: BadgeStatus): { name: string; hex: string } {
  return COLORS[status];
}

/** shields.io's endpoint badge format (https://shields.io/badges/endpoint-badge). */
export function badgeJson(
  label: string,
  status: BadgeStatus,
): { schemaVersion: 1; label: string; message: string; color: string } {
  return { schemaVersion: 1, label, message: status, color: COLORS[status].name };
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c]!);
}

/**
 * Approximate width in pixels of text in 11px Verdana (as shields measures it), close enough
 * to size the badge: narrow, wide and upper-case letters differ, everything else is average.
 */
export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) {
    if ("iIjl.,:;|!'`()[] ".includes(ch)) w += 4;
    else if ("mwMW@%".includes(ch)) w += 10.5;
    else if (/[A-Z0-9]/.test(ch)) w += 7.5;
    else if (ch.codePointAt(0)! > 0x2e80)
      w += 11; // CJK and the like: full width
    else w += 6.5;
  }
  return Math.round(w);
}

/** A flat shields-style badge: grey label on the left, the status in its colour on the right. */
export function renderBadgeSvg(label: string, status: BadgeStatus): string {
  const message = status;
  const lw = textWidth(label) + 10;
  const mw = textWidth(message) + 10;
  const w = lw + mw;
  const l = escapeXml(label);
  const m = escapeXml(message);
  const color = COLORS[status].hex;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="20" role="img" aria-label="${l}: ${m}">` +
    `<title>${l}: ${m}</title>` +
    `<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>` +
    `<clipPath id="r"><rect width="${w}" height="20" rx="3" fill="#fff"/></clipPath>` +
    `<g clip-path="url(#r)"><rect width="${lw}" height="20" fill="#555"/><rect x="${lw}" width="${mw}" height="20" fill="${color}"/><rect width="${w}" height="20" fill="url(#s)"/></g>` +
    `<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">` +
    `<text x="${lw / 2}" y="15" fill="#010101" fill-opacity=".3">${l}</text><text x="${lw / 2}" y="14">${l}</text>` +
    `<text x="${lw + mw / 2}" y="15" fill="#010101" fill-opacity=".3">${m}</text><text x="${lw + mw / 2}" y="14">${m}</text>` +
    `</g></svg>`
  );
}

/** `<key>.svg` or `<key>.json` from a badge URL's last segment; null for anything else. */
export function parseBadgeFile(file: string): { key: string; format: "svg" | "json" } | null {
  const m = /^([^.]+)\.(svg|json)$/.exec(file);
  if (!m || !BADGE_KEY_PATTERN.test(m[1]!)) return null;
  return { key: m[1]!, format: m[2] as "svg" | "json" };
}
