// The configuration of auto-provisioning and weekly reports.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../core/config.ts";

test("AUTO_PROVISION is off by default; on, its period and grace have defaults and bounds", () => {
  assert.equal(loadConfig({}).autoProvision, null);
  assert.deepEqual(loadConfig({ AUTO_PROVISION: "true" }).autoProvision, { periodSeconds: 86_400, graceSeconds: 3600 });
  assert.deepEqual(
    loadConfig({ AUTO_PROVISION: "yes", AUTO_PROVISION_PERIOD: "600", AUTO_PROVISION_GRACE: "0" }).autoProvision,
    { periodSeconds: 600, graceSeconds: 0 },
  );
  assert.throws(() => loadConfig({ AUTO_PROVISION: "maybe" }), ConfigError);
  assert.throws(() => loadConfig({ AUTO_PROVISION: "true", AUTO_PROVISION_PERIOD: "0" }), /AUTO_PROVISION_PERIOD/);
});

test("WEEKLY_REPORT_CRON defaults to Monday 09:00 in DEFAULT_TIMEZONE; a bad expression or zone is refused at start", () => {
  assert.deepEqual(loadConfig({}).weeklyReport, { cron: "0 9 * * 1", timezone: "UTC" });
  assert.deepEqual(loadConfig({ DEFAULT_TIMEZONE: "Asia/Shanghai" }).weeklyReport, {
    cron: "0 9 * * 1",
    timezone: "Asia/Shanghai",
  });
  assert.deepEqual(
    loadConfig({ WEEKLY_REPORT_CRON: "*/5 * * * * *", WEEKLY_REPORT_TIMEZONE: "Europe/Berlin" }).weeklyReport,
    { cron: "*/5 * * * * *", timezone: "Europe/Berlin" },
  );
  assert.throws(() => loadConfig({ WEEKLY_REPORT_CRON: "every monday" }), /WEEKLY_REPORT_CRON/);
  assert.throws(() => loadConfig({ WEEKLY_REPORT_TIMEZONE: "Mars/Base" }), /WEEKLY_REPORT_TIMEZONE/);
});
