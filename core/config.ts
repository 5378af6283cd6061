// The one place that reads the environment. Everything else receives a Config.
// Each variable is documented in docs/configuration.md's table; keep the two in step.

import fs from "node:fs";
import { IANAZone } from "luxon";
import type { RetryPolicy } from "./alerts/delivery.ts";
import { LOCALES, isLocale, type Locale } from "./alerts/locale.ts";
import { compileCron } from "./schedule/cron.ts";
import { unreadVariables } from "./config-readers.ts";

export const SERVICE_NAMES = ["gateway", "ingest", "registry", "checker", "notifier", "agent-collector"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export interface SmtpConfig {
  /** nodemailer transport URL, e.g. smtp://user:pass@host:587 — holds a secret, never log it */
  url: string;
  from: string;
  to: string[];
}

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  transporter: string | null;
  namespace: string;
  services: ServiceName[];
  nodeId: string | null;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace";
  /** "json": one JSON object a line, for log collectors */
  logFormat: "text" | "json";
  /** variables set (directly or as X_FILE) that no service of this process reads; names only */
  unreadVariables: string[];
  pingAuth: "basic" | "none";
  pingBodyLimit: number;
  requestBodyLimit: number;
  pingRetention: number;
  pingBatchMax: number;
  trustProxy: boolean;
  /** failed sign-ins (basic auth, login, API keys) before a user or an address is locked out */
  signIn: { maxPerUser: number; maxPerIp: number; lockMs: number };
  /** dashboard sessions end after this long unused, and this long after sign-in whatever happens */
  session: { idleMs: number; maxMs: number };
  /** audit log entries older than this are deleted; 0 keeps them forever */
  auditRetentionMs: number;
  defaultTimezone: string;
  /** language of alerts from channels that choose none, and of the dashboard when neither the user nor the browser chooses */
  defaultLocale: Locale;
  publicUrl: string | null;
  admin: { username: string; password: string } | null;
  smtp: SmtpConfig | null;
  notifierPollMs: number;
  deliveryRetry: RetryPolicy;
  /** one attempt of one delivery (connect, send, answer) must finish within this */
  channelTimeoutMs: number;
  allowPrivateWebhooks: boolean;
  /** npm package names (or file paths) of third-party channel plugins */
  notifierPlugins: string[];
  /** build the dashboard at start when it is missing ("auto"), or never ("off") */
  dashboardBuild: "auto" | "off";
  /** port of /healthz, /readyz and /metrics for this process; null: no ops server, no metrics */
  opsPort: number | null;
  /** seals stored secrets (channel tokens, SSH keys); null: a key file beside a SQLite database, or none */
  secretKey: string | null;
  /** SIGTERM: how long the process may take to finish its work before it exits anyway */
  shutdownTimeoutMs: number;
  /** AUTO_PROVISION=true: an authenticated ping to /ping/<slug>?create=1 creates the monitor; null: off */
  /** the weekly reports' schedule (a cron expression, seconds allowed) and its time zone */
  weeklyReport: { cron: string; timezone: string };
  autoProvision: { periodSeconds: number; graceSeconds: number } | null;
  collector: {
    /** SSH connections one agent-collector holds at once */
    concurrency: number;
    connectTimeoutMs: number;
    commandTimeoutMs: number;
    /** "Check now" may wait out a poll in flight and then poll: two polls' time-outs, and a margin */
    checkNowTimeoutMs: number;
    /** how long host metrics samples are kept */
    retentionMs: number;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/** Secrets that may come from a file instead (X_FILE), as Kubernetes and compose secrets mount them. */
const FILE_VARIABLES = ["DATABASE_URL", "SECRET_KEY", "SMTP_URL", "ADMIN_PASSWORD"] as const;

/**
 * The environment with each X_FILE replaced by X, the file's content less one trailing newline.
 * Errors name the variable and the path, never what the file holds.
 */
function withFileVariables(env: Env): Env {
  const out: Env = { ...env };
  for (const name of FILE_VARIABLES) {
    const path = env[`${name}_FILE`];
    if (path === undefined || path === "") continue;
    if (env[name] !== undefined && env[name] !== "")
      throw new ConfigError(`${name} and ${name}_FILE are both set: set one of them`);
    let content: string;
    try {
      content = fs.readFileSync(path, "utf8");
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? "unreadable";
      throw new ConfigError(`${name}_FILE: cannot read ${path} (${code})`);
    }
    out[name] = content.replace(/\r?\n$/, "");
    delete out[`${name}_FILE`];
  }
  return out;
}

function str(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function int(env: Env, name: string, dflt: number, min: number, max: number): number {
  const raw = str(env, name);
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], dflt: T): T {
  const raw = str(env, name);
  if (raw === undefined) return dflt;
  const v = raw.toLowerCase() as T;
  if (!allowed.includes(v)) throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${raw}"`);
  return v;
}

function bool(env: Env, name: string, dflt: boolean): boolean {
  const raw = str(env, name);
  if (raw === undefined) return dflt;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function services(env: Env): ServiceName[] {
  const raw = str(env, "SERVICES");
  if (raw === undefined || raw === "all") return [...SERVICE_NAMES];
  const names = raw
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const n of names) {
    if (!SERVICE_NAMES.includes(n as ServiceName)) {
      throw new ConfigError(`SERVICES: unknown service "${n}" (known: ${SERVICE_NAMES.join(", ")}, or all)`);
    }
  }
  return [...new Set(names)] as ServiceName[];
}

// The original tool configured Django's EMAIL_* variables in email.env; accept them so
// an existing email.env keeps working, but SMTP_URL wins when both are present.
function smtp(env: Env): SmtpConfig | null {
  let url = str(env, "SMTP_URL");
  if (!url && str(env, "EMAIL_HOST")) {
    const host = str(env, "EMAIL_HOST")!;
    const port = int(env, "EMAIL_PORT", 25, 1, 65535);
    const user = str(env, "EMAIL_HOST_USER");
    const pass = str(env, "EMAIL_HOST_PASSWORD");
    const auth = user ? `${encodeURIComponent(user)}${pass ? ":" + encodeURIComponent(pass) : ""}@` : "";
    url = `${port === 465 ? "smtps" : "smtp"}://${auth}${host}:${port}`;
  }
  const to = (str(env, "ALERT_TO") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!url) {
    if (to.length) throw new ConfigError("ALERT_TO is set but SMTP_URL is not: alerts could not be sent");
    return null;
  }
  if (!/^smtps?:\/\//i.test(url)) throw new ConfigError("SMTP_URL must start with smtp:// or smtps://");
  if (to.length === 0) throw new ConfigError("SMTP_URL is set but ALERT_TO is empty: nobody would receive alerts");
  const from = str(env, "ALERT_FROM") ?? str(env, "DEFAULT_FROM_EMAIL") ?? "heartbeats@localhost";
  return { url, from, to };
}

function secretKey(env: Env): string | null {
  const raw = env.SECRET_KEY;
  if (raw === undefined || raw === "") return null;
  if (raw.length < 16)
    throw new ConfigError("SECRET_KEY must be at least 16 characters (e.g. openssl rand -base64 32)");
  return raw;
}

function weeklyReport(env: Env, defaultTimezone: string): Config["weeklyReport"] {
  const cron = str(env, "WEEKLY_REPORT_CRON") ?? "0 9 * * 1";
  try {
    compileCron(cron);
  } catch (err) {
    throw new ConfigError(`WEEKLY_REPORT_CRON: ${(err as Error).message}`);
  }
  const timezone = str(env, "WEEKLY_REPORT_TIMEZONE") ?? defaultTimezone;
  if (!IANAZone.isValidZone(timezone))
    throw new ConfigError(`WEEKLY_REPORT_TIMEZONE must be an IANA time zone, got "${timezone}"`);
  return { cron, timezone };
}

export function loadConfig(rawEnv: Env = process.env): Config {
  const env = withFileVariables(rawEnv);
  const selected = services(env);
  const defaultTimezone = str(env, "DEFAULT_TIMEZONE") ?? "UTC";
  if (!IANAZone.isValidZone(defaultTimezone)) {
    throw new ConfigError(`DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Berlin, got "${defaultTimezone}"`);
  }
  const defaultLocale = str(env, "DEFAULT_LOCALE") ?? "en";
  if (!isLocale(defaultLocale))
    throw new ConfigError(`DEFAULT_LOCALE must be one of ${LOCALES.join(", ")}, got "${defaultLocale}"`);
  const adminUser = str(env, "ADMIN_USERNAME");
  const adminPass = str(env, "ADMIN_PASSWORD");
  if (Boolean(adminUser) !== Boolean(adminPass)) {
    throw new ConfigError("ADMIN_USERNAME and ADMIN_PASSWORD go together: set both or neither");
  }
  const publicUrl = str(env, "PUBLIC_URL") ?? null;
  return {
    port: int(env, "PORT", 5827, 0, 65535),
    host: str(env, "HOST") ?? "0.0.0.0",
    databaseUrl: str(env, "DATABASE_URL") ?? "sqlite:./data/heartbeats.sqlite",
    transporter: str(env, "TRANSPORTER") ?? null,
    namespace: str(env, "NAMESPACE") ?? "heartbeats",
    services: selected,
    nodeId: str(env, "NODE_ID") ?? null,
    logLevel: oneOf(env, "LOG_LEVEL", ["fatal", "error", "warn", "info", "debug", "trace"] as const, "info"),
    logFormat: oneOf(env, "LOG_FORMAT", ["text", "json"] as const, "text"),
    unreadVariables: unreadVariables(new Set(Object.keys(env).filter((k) => str(env, k) !== undefined)), selected),
    pingAuth: oneOf(env, "PING_AUTH", ["basic", "none"] as const, "basic"),
    pingBodyLimit: int(env, "PING_BODY_LIMIT", 10_240, 0, 1_048_576),
    requestBodyLimit: int(env, "REQUEST_BODY_LIMIT", 1_048_576, 1024, 104_857_600),
    pingRetention: int(env, "PING_RETENTION", 1000, 1, 1_000_000),
    pingBatchMax: int(env, "PING_BATCH_MAX", 200, 1, 10_000),
    trustProxy: bool(env, "TRUST_PROXY", false),
    signIn: {
      maxPerUser: int(env, "SIGNIN_MAX_FAILURES_PER_USER", 10, 1, 1_000_000),
      maxPerIp: int(env, "SIGNIN_MAX_FAILURES_PER_IP", 50, 1, 1_000_000),
      lockMs: int(env, "SIGNIN_LOCKOUT_SECONDS", 900, 1, 86_400) * 1000,
    },
    session: {
      idleMs: int(env, "SESSION_IDLE_SECONDS", 43_200, 10, 31_536_000) * 1000,
      maxMs: int(env, "SESSION_MAX_SECONDS", 604_800, 10, 31_536_000) * 1000,
    },
    auditRetentionMs: int(env, "AUDIT_RETENTION_DAYS", 365, 0, 36_500) * 86_400_000,
    defaultTimezone,
    defaultLocale,
    publicUrl: publicUrl ? publicUrl.replace(/\/+$/, "") : null,
    admin: adminUser && adminPass ? { username: adminUser, password: adminPass } : null,
    smtp: smtp(env),
    notifierPollMs: int(env, "NOTIFIER_POLL_MS", 5000, 100, 3_600_000),
    deliveryRetry: {
      firstDelayMs: int(env, "DELIVERY_RETRY_FIRST_DELAY", 5, 1, 86_400) * 1000,
      maxDelayMs: int(env, "DELIVERY_RETRY_MAX_DELAY", 3600, 1, 86_400) * 1000,
      windowMs: int(env, "DELIVERY_RETRY_FOR", 86_400, 0, 30 * 86_400) * 1000,
    },
    channelTimeoutMs: int(env, "CHANNEL_TIMEOUT_MS", 10_000, 100, 120_000),
    allowPrivateWebhooks: bool(env, "ALLOW_PRIVATE_WEBHOOKS", false),
    notifierPlugins: (str(env, "NOTIFIER_PLUGINS") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    dashboardBuild: oneOf(env, "DASHBOARD_BUILD", ["auto", "off"] as const, "auto"),
    opsPort: str(env, "OPS_PORT") === undefined ? null : int(env, "OPS_PORT", 0, 0, 65535),
    shutdownTimeoutMs: int(env, "SHUTDOWN_TIMEOUT", 20, 1, 600) * 1000,
    secretKey: secretKey(env),
    weeklyReport: weeklyReport(env, defaultTimezone),
    autoProvision: bool(env, "AUTO_PROVISION", false)
      ? {
          periodSeconds: int(env, "AUTO_PROVISION_PERIOD", 86_400, 1, 365 * 86_400),
          graceSeconds: int(env, "AUTO_PROVISION_GRACE", 3600, 0, 365 * 86_400),
        }
      : null,
    collector: collectorConfig(env),
  };
}

function collectorConfig(env: Env): Config["collector"] {
  const connectTimeoutMs = int(env, "SSH_CONNECT_TIMEOUT", 10, 1, 300) * 1000;
  const commandTimeoutMs = int(env, "SSH_COMMAND_TIMEOUT", 20, 1, 600) * 1000;
  return {
    concurrency: int(env, "COLLECTOR_CONCURRENCY", 20, 1, 1000),
    connectTimeoutMs,
    commandTimeoutMs,
    checkNowTimeoutMs: 2 * (connectTimeoutMs + commandTimeoutMs) + 5000,
    retentionMs: int(env, "HOST_METRICS_RETENTION_DAYS", 7, 1, 3650) * 86_400_000,
  };
}

/** `npm run user`'s password when --password is not given: keeps it out of shell history. */
export function passwordFromEnv(env: Env = process.env): string | undefined {
  return str(env, "HEARTBEATS_PASSWORD");
}
