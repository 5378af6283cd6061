// Which services read each environment variable: the configuration table's "read by" column,
// and the one log line of a process given a variable that none of its services reads (the
// first admin's password on a gateway-only process would otherwise be ignored in silence).

import type { ServiceName } from "./config.ts";

const DATABASE: readonly ServiceName[] = ["registry", "ingest", "checker", "notifier", "agent-collector"];
const EMAIL: readonly ServiceName[] = ["registry", "notifier"];

/** Variables not listed here are read by every process (broker, ops port, shutdown). */
export const READ_BY: Readonly<Record<string, readonly ServiceName[]>> = {
  PORT: ["gateway"],
  DATABASE_URL: DATABASE,
  SECRET_KEY: DATABASE,
  ADMIN_USERNAME: ["registry"],
  ADMIN_PASSWORD: ["registry"],
  SMTP_URL: EMAIL,
  ALERT_FROM: EMAIL,
  ALERT_TO: EMAIL,
  EMAIL_HOST: EMAIL,
  EMAIL_PORT: EMAIL,
  EMAIL_HOST_USER: EMAIL,
  EMAIL_HOST_PASSWORD: EMAIL,
  DEFAULT_FROM_EMAIL: EMAIL,
  PING_AUTH: ["gateway"],
  PING_BODY_LIMIT: ["gateway", "ingest", "registry", "agent-collector"],
  REQUEST_BODY_LIMIT: ["gateway"],
  PING_RETENTION: ["ingest"],
  PING_BATCH_MAX: ["ingest"],
  TRUST_PROXY: ["gateway"],
  SIGNIN_MAX_FAILURES_PER_USER: ["gateway", "registry"],
  SIGNIN_MAX_FAILURES_PER_IP: ["gateway", "registry"],
  SIGNIN_LOCKOUT_SECONDS: ["gateway", "registry"],
  SESSION_IDLE_SECONDS: ["gateway", "registry"],
  SESSION_MAX_SECONDS: ["gateway", "registry"],
  AUDIT_RETENTION_DAYS: ["registry"],
  DEFAULT_TIMEZONE: ["registry", "notifier"],
  DEFAULT_LOCALE: ["gateway", "registry", "notifier"],
  PUBLIC_URL: ["gateway", "registry", "notifier"],
  NOTIFIER_POLL_MS: ["notifier"],
  DELIVERY_RETRY_FIRST_DELAY: ["notifier"],
  DELIVERY_RETRY_MAX_DELAY: ["notifier"],
  DELIVERY_RETRY_FOR: ["notifier"],
  CHANNEL_TIMEOUT_MS: ["notifier"],
  ALLOW_PRIVATE_WEBHOOKS: ["registry", "notifier"],
  COLLECTOR_CONCURRENCY: ["agent-collector"],
  SSH_CONNECT_TIMEOUT: ["agent-collector", "gateway"],
  SSH_COMMAND_TIMEOUT: ["agent-collector", "gateway"],
  HOST_METRICS_RETENTION_DAYS: ["agent-collector"],
  DASHBOARD_BUILD: ["gateway"],
  AUTO_PROVISION: ["gateway", "registry"],
  AUTO_PROVISION_PERIOD: ["gateway", "registry"],
  AUTO_PROVISION_GRACE: ["gateway", "registry"],
  WEEKLY_REPORT_CRON: ["notifier"],
  WEEKLY_REPORT_TIMEZONE: ["notifier"],
};

/** The variables in `set` that no service in `services` reads, in the table's order. */
export function unreadVariables(set: ReadonlySet<string>, services: readonly ServiceName[]): string[] {
  return Object.entries(READ_BY)
    .filter(([name, readers]) => set.has(name) && !readers.some((s) => services.includes(s)))
    .map(([name]) => name);
}
