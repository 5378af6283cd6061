import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig, ConfigError } from "../../core/config.ts";

test("defaults: embedded, SQLite, port 5827, basic ping auth, every service", () => {
  const c = loadConfig({});
  assert.equal(c.port, 5827);
  assert.equal(c.databaseUrl, "sqlite:./data/heartbeats.sqlite");
  assert.equal(c.transporter, null);
  assert.deepEqual(c.services, ["gateway", "ingest", "registry", "checker", "notifier", "agent-collector"]);
  assert.equal(c.pingAuth, "basic");
  assert.equal(c.pingBodyLimit, 10_240);
  assert.equal(c.pingRetention, 1000);
  assert.equal(c.smtp, null);
  assert.equal(c.smtp, null);
  assert.equal(c.allowPrivateWebhooks, false);
  assert.deepEqual(c.notifierPlugins, []);
  assert.deepEqual(c.deliveryRetry, { firstDelayMs: 5_000, maxDelayMs: 3_600_000, windowMs: 86_400_000 });
});

test("SERVICES selects services; unknown names are refused", () => {
  assert.deepEqual(loadConfig({ SERVICES: "ingest, checker" }).services, ["ingest", "checker"]);
  assert.throws(() => loadConfig({ SERVICES: "ingest,chekcer" }), /SERVICES: unknown service "chekcer"/);
});

test("bad values are refused with the variable's name", () => {
  assert.throws(() => loadConfig({ PORT: "http" }), ConfigError);
  assert.throws(() => loadConfig({ PORT: "70000" }), /PORT must be between/);
  assert.throws(() => loadConfig({ PING_AUTH: "token" }), /PING_AUTH must be one of basic, none/);
  assert.throws(() => loadConfig({ DEFAULT_TIMEZONE: "Mars/Olympus" }), /DEFAULT_TIMEZONE/);
  assert.throws(() => loadConfig({ ADMIN_USERNAME: "root" }), /ADMIN_USERNAME and ADMIN_PASSWORD/);
  assert.throws(() => loadConfig({ ALERT_TO: "a@b.c" }), /SMTP_URL is not/);
  assert.throws(() => loadConfig({ SMTP_URL: "smtp://x" }), /ALERT_TO is empty/);
});

test("email from SMTP_URL, or from the original tool's email.env variables", () => {
  const c = loadConfig({ SMTP_URL: "smtp://u:p@mail:587", ALERT_TO: "a@x.org, b@x.org", ALERT_FROM: "hb@x.org" });
  assert.deepEqual(c.smtp, { url: "smtp://u:p@mail:587", from: "hb@x.org", to: ["a@x.org", "b@x.org"] });
  const legacy = loadConfig({
    EMAIL_HOST: "smtp.qq.com",
    EMAIL_PORT: "587",
    EMAIL_HOST_USER: "me",
    EMAIL_HOST_PASSWORD: "p@ss",
    DEFAULT_FROM_EMAIL: "me@qq.com",
    ALERT_TO: "ops@x.org",
  });
  assert.deepEqual(legacy.smtp, { url: "smtp://me:p%40ss@smtp.qq.com:587", from: "me@qq.com", to: ["ops@x.org"] });
});

test("notifier settings: retry policy in seconds, private webhooks, plugins", () => {
  const c = loadConfig({
    DELIVERY_RETRY_FIRST_DELAY: "2",
    DELIVERY_RETRY_MAX_DELAY: "60",
    DELIVERY_RETRY_FOR: "3600",
    CHANNEL_TIMEOUT_MS: "2500",
    ALLOW_PRIVATE_WEBHOOKS: "true",
    NOTIFIER_PLUGINS: " heartbeats-channel-example , ./local.js ",
  });
  assert.deepEqual(c.deliveryRetry, { firstDelayMs: 2_000, maxDelayMs: 60_000, windowMs: 3_600_000 });
  assert.equal(c.channelTimeoutMs, 2_500);
  assert.equal(c.allowPrivateWebhooks, true);
  assert.deepEqual(c.notifierPlugins, ["heartbeats-channel-example", "./local.js"]);
  assert.throws(() => loadConfig({ CHANNEL_TIMEOUT_MS: "5" }), /CHANNEL_TIMEOUT_MS must be between/);
  assert.throws(() => loadConfig({ ALLOW_PRIVATE_WEBHOOKS: "maybe" }), /ALLOW_PRIVATE_WEBHOOKS must be true or false/);
});

test("dashboard build and collector settings", () => {
  const d = loadConfig({});
  assert.equal(d.dashboardBuild, "auto");
  // "Check now": two polls' time-outs (one waited out, one its own) and 5 s.
  assert.deepEqual(d.collector, {
    concurrency: 20,
    connectTimeoutMs: 10_000,
    commandTimeoutMs: 20_000,
    checkNowTimeoutMs: 65_000,
    retentionMs: 7 * 86_400_000,
  });
  const c = loadConfig({
    DASHBOARD_BUILD: "off",
    COLLECTOR_CONCURRENCY: "5",
    SSH_CONNECT_TIMEOUT: "2",
    SSH_COMMAND_TIMEOUT: "9",
    HOST_METRICS_RETENTION_DAYS: "30",
  });
  assert.equal(c.dashboardBuild, "off");
  assert.deepEqual(c.collector, {
    concurrency: 5,
    connectTimeoutMs: 2_000,
    commandTimeoutMs: 9_000,
    checkNowTimeoutMs: 27_000,
    retentionMs: 30 * 86_400_000,
  });
  assert.throws(() => loadConfig({ DASHBOARD_BUILD: "sometimes" }), /DASHBOARD_BUILD must be one of auto, off/);
  assert.throws(() => loadConfig({ COLLECTOR_CONCURRENCY: "0" }), /COLLECTOR_CONCURRENCY must be between/);
});

test("DEFAULT_LOCALE: English unless set to a known language", () => {
  assert.equal(loadConfig({}).defaultLocale, "en");
  assert.equal(loadConfig({ DEFAULT_LOCALE: "zh-Hans" }).defaultLocale, "zh-Hans");
  assert.throws(
    () => loadConfig({ DEFAULT_LOCALE: "fr" }),
    (e: Error) => e instanceof ConfigError && /DEFAULT_LOCALE/.test(e.message),
  );
});
