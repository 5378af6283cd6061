// A healthchecks.io Management API checks listing (GET /api/v3/checks/, saved as JSON),
// mapped into an import plan. Pure; bin/import.ts reads the file.
//
// simple checks (timeout + grace, seconds) → interval; cron checks (schedule + tz + grace) → cron
// with that grace, Debian cron's dialect (healthchecks.io's cronsim follows it); OnCalendar checks
// (a schedule that is not 5 or 6 cron fields: one systemd calendar event a line) → oncalendar; status "paused" → paused; tags (space-separated) → tags; desc → description.
// A listing made with a read-write key carries ping_url https://hc-ping.com/<uuid>: the UUID
// becomes the code, so a job is repointed by changing only the host of its URL. A read-only
// listing has no ping URL (only unique_key), so its checks are skipped with that reason.

import { CODE_PATTERN } from "../monitor/code.ts";
import { cleanTags, ImportInputError, isObject, type ImportPlan, type MonitorSpec, type Skipped } from "./plan.ts";

const UUID_AT_END = /\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;
// Five or six fields of cron characters; anything else healthchecks.io stores as a schedule is
// OnCalendar ("Mon..Fri 09:00"), as its own API tells them apart.
const CRON_LIKE = /^[0-9A-Za-z*/,?#-]+(\s+[0-9A-Za-z*/,?#-]+){4,5}$/;

function seconds(v: unknown, field: string): number {
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0)
    throw new ImportInputError(field, "must be a number of seconds");
  return Math.round(v);
}

function optionalString(v: unknown, field: string): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw new ImportInputError(field, "must be a string");
  return v;
}

/** Throws ImportInputError naming the first malformed field; checks that fit no schedule go to `skipped`. */
export function mapHealthchecks(input: unknown, defaultTimezone: string): ImportPlan {
  const list = Array.isArray(input) ? input : isObject(input) ? input.checks : undefined;
  if (!Array.isArray(list))
    throw new ImportInputError("checks", 'must be a list of checks (the "checks" of GET /api/v3/checks/)');
  const skipped: Skipped[] = [];
  const monitors: MonitorSpec[] = [];
  list.forEach((c: unknown, i) => {
    const at = `checks[${i}]`;
    if (!isObject(c)) throw new ImportInputError(at, "must be an object");
    const name = optionalString(c.name, `${at}.name`) || optionalString(c.slug, `${at}.slug`) || `check ${i + 1}`;
    const item = `${at} "${name}"`;
    const tags = optionalString(c.tags, `${at}.tags`) ?? "";
    const description = optionalString(c.desc, `${at}.desc`) || null;
    const grace = seconds(c.grace ?? 3600, `${at}.grace`);
    const pingUrl = optionalString(c.ping_url, `${at}.ping_url`);
    const expression = optionalString(c.schedule, `${at}.schedule`);
    const tz = optionalString(c.tz, `${at}.tz`);
    let schedule: Record<string, unknown>;
    if (expression !== null) {
      const timezone = tz || defaultTimezone;
      schedule = CRON_LIKE.test(expression.trim())
        ? {
            kind: "cron",
            expression: expression.trim(),
            timezone,
            dialect: "cron",
            graceSeconds: grace,
            deadline: "grace",
          }
        : {
            kind: "oncalendar",
            expressions: expression
              .split("\n")
              .map((l) => l.trim())
              .filter((l) => l !== ""),
            timezone,
            graceSeconds: grace,
            deadline: "grace",
          };
    } else {
      schedule = { kind: "interval", periodSeconds: seconds(c.timeout, `${at}.timeout`), graceSeconds: grace };
    }
    const code = pingUrl === null ? undefined : UUID_AT_END.exec(pingUrl)?.[1]?.toLowerCase();
    if (!code || !CODE_PATTERN.test(code)) {
      skipped.push({
        kind: "monitor",
        item,
        reason:
          pingUrl === null
            ? "no ping_url (a listing made with a read-only API key): list the checks with a read-write key"
            : `ping_url "${pingUrl}" does not end in a check UUID`,
      });
      return;
    }
    monitors.push({
      code,
      name,
      description,
      schedule,
      tags: cleanTags(tags.split(/\s+/), item, skipped),
      paused: c.status === "paused",
      // The listing does not say where a check alerts: the default channels, as for a new monitor.
      origin: item,
    });
  });
  return { channels: [], monitors, skipped };
}
