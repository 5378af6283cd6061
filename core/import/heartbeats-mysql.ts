// The original Django "Heartbeats" tool's database, mapped into an import plan. Its tables:
// service (name, status running|stoped, tp every|at, value, grace, notify_to, short_url),
// tag, service_tags and ping. Pure: bin/import.ts reads the rows, this decides what they mean.
//
// The original's checker (app/management/commands/check.py, every 5 minutes):
// - every: alert when now − last ping > value + grace minutes. → interval: period = value
//   minutes, grace = grace minutes.
// - at: value is a local "HH:MM" in its TIME_ZONE (Asia/Shanghai); once now ≥ today's HH:MM +
//   grace it alerts if the last ping is older than today's HH:MM. → a daily cron "MM HH * * *"
//   in that zone with the same grace: down at HH:MM + grace when no ping came since HH:MM. When
//   HH:MM + grace reaches past midnight the original never alerted at all (it looked at "today"
//   again); here that becomes the end-of-day deadline, the closest schedule that does alert.
// - stoped: not checked. → paused.
// - notify_to: addresses separated by ";", mailed through the server's one SMTP account. → one
//   email channel per address (through this server's SMTP_URL), shared by the monitors that
//   notified it.

import { CODE_PATTERN } from "../monitor/code.ts";
import {
  channelIdentity,
  cleanTags,
  type ChannelSpec,
  type ImportPlan,
  type MonitorSpec,
  type PingSpec,
  type Skipped,
} from "./plan.ts";

export interface OriginalService {
  id: number;
  name: string;
  status: string;
  tp: string;
  value: string;
  grace: number | string;
  notify_to: string | null;
  short_url: string | null;
}
export interface OriginalPing {
  service_id: number;
  remote_addr: string | null;
  ua: string | null;
  data: string | null;
  created: Date | string;
}
export interface OriginalRows {
  services: OriginalService[];
  tags: { id: number; name: string }[];
  serviceTags: { service_id: number; tag_id: number }[];
  /** only when the ping history is wanted */
  pings?: OriginalPing[];
}
export interface OriginalOptions {
  /** the original's TIME_ZONE, in which `at` times are read */
  timezone: string;
  /** this server's SMTP account for the notify_to channels; null: no channels (reported) */
  smtp: { url: string; from: string } | null;
}

export const ORIGINAL_TIMEZONE = "Asia/Shanghai";

const EMAIL = /^[^\s@;,]+@[^\s@;,]+\.[^\s@;,]+$/;
const DAY_MINUTES = 24 * 60;

/** The schedule of one service, or why it has none. */
export function originalSchedule(
  s: Pick<OriginalService, "tp" | "value" | "grace">,
  timezone: string,
): { schedule: Record<string, unknown> } | { reason: string } {
  const grace = Number(s.grace);
  if (!Number.isInteger(grace) || grace < 0) return { reason: `grace "${s.grace}" is not a whole number of minutes` };
  const value = String(s.value ?? "").trim();
  if (s.tp === "every") {
    const minutes = Number(value);
    if (!/^\d+$/.test(value) || minutes < 1) return { reason: `value "${value}" is not a number of minutes` };
    return { schedule: { kind: "interval", periodSeconds: minutes * 60, graceSeconds: grace * 60 } };
  }
  if (s.tp === "at") {
    const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(value);
    const hh = Number(m?.[1]);
    const mm = Number(m?.[2]);
    if (!m || hh > 23 || mm > 59) return { reason: `value "${value}" is not a time of day HH:MM` };
    const expression = `${mm} ${hh} * * *`;
    // A daily time: Debian cron's rules, which run a time a spring-forward skipped right after the change.
    if (hh * 60 + mm + grace >= DAY_MINUTES)
      return { schedule: { kind: "cron", expression, timezone, dialect: "cron", deadline: "end-of-day" } };
    return {
      schedule: { kind: "cron", expression, timezone, dialect: "cron", graceSeconds: grace * 60, deadline: "grace" },
    };
  }
  return { reason: `tp "${s.tp}" is neither "every" nor "at"` };
}

const utcMs = (v: Date | string): number =>
  v instanceof Date ? v.getTime() : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v.replace(" ", "T")}Z`);

/** One of the original's pings. As in the original: non-empty data is a failure report. */
export function originalPing(p: OriginalPing): PingSpec {
  const data = p.data ?? "";
  return {
    kind: data ? "fail" : "success",
    data: data || null,
    receivedAt: utcMs(p.created),
    sourceIp: p.remote_addr || null,
    userAgent: p.ua || null,
  };
}

/** The code each service's monitor has (its short_url), for the services among `codes`. */
export function codeOfService(services: OriginalService[], codes: Set<string>): Map<number, string> {
  const out = new Map<number, string>();
  for (const s of services) {
    const code = (s.short_url ?? "").trim();
    if (codes.has(code)) out.set(Number(s.id), code);
  }
  return out;
}

export function mapOriginal(rows: OriginalRows, opts: OriginalOptions): ImportPlan {
  const skipped: Skipped[] = [];
  const tagName = new Map(rows.tags.map((t) => [Number(t.id), t.name]));
  const tagsOf = new Map<number, string[]>();
  for (const st of rows.serviceTags) {
    const n = tagName.get(Number(st.tag_id));
    if (n !== undefined) tagsOf.set(Number(st.service_id), [...(tagsOf.get(Number(st.service_id)) ?? []), n]);
  }
  const pingsOf = new Map<number, PingSpec[]>();
  for (const p of rows.pings ?? []) {
    const list = pingsOf.get(Number(p.service_id)) ?? [];
    list.push(originalPing(p));
    pingsOf.set(Number(p.service_id), list);
  }

  const channels = new Map<string, ChannelSpec>();
  const monitors: MonitorSpec[] = [];
  let noSmtpReported = false;
  for (const s of rows.services) {
    const item = `service #${s.id} "${s.name}"`;
    const code = (s.short_url ?? "").trim();
    if (!code) {
      skipped.push({ kind: "monitor", item, reason: "it has no short_url, so no job can ping it" });
      continue;
    }
    if (!CODE_PATTERN.test(code)) {
      skipped.push({
        kind: "monitor",
        item,
        reason: `short_url "${code}" is not a usable code (1 to 36 of A-Z a-z 0-9 _ -)`,
      });
      continue;
    }
    const sched = originalSchedule(s, opts.timezone);
    if ("reason" in sched) {
      skipped.push({ kind: "monitor", item, reason: sched.reason });
      continue;
    }
    const ids: string[] = [];
    for (const raw of (s.notify_to ?? "").split(";")) {
      const address = raw.trim();
      if (!address) continue;
      if (!EMAIL.test(address)) {
        skipped.push({ kind: "channel", item: `${item} notify_to "${address}"`, reason: "not an email address" });
        continue;
      }
      if (!opts.smtp) {
        if (!noSmtpReported)
          skipped.push({
            kind: "channel",
            item: "notify_to email channels",
            reason: "no SMTP server is configured (SMTP_URL, or the original's EMAIL_HOST…): set it and import again",
          });
        noSmtpReported = true;
        continue;
      }
      const spec: ChannelSpec = {
        name: `Email ${address}`,
        type: "email",
        config: { url: opts.smtp.url, from: opts.smtp.from, to: [address] },
      };
      const key = channelIdentity(spec);
      if (!channels.has(key)) channels.set(key, spec);
      ids.push(key);
    }
    monitors.push({
      code,
      name: s.name,
      description: null,
      schedule: sched.schedule,
      tags: cleanTags(tagsOf.get(Number(s.id)) ?? [], item, skipped),
      paused: s.status === "stoped",
      channels: [...new Set(ids)],
      pings: rows.pings ? (pingsOf.get(Number(s.id)) ?? []).sort((a, b) => a.receivedAt - b.receivedAt) : undefined,
      origin: item,
    });
  }
  return { channels: [...channels.values()], monitors, skipped };
}
