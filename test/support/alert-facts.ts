// One down flip of a monitor in Asia/Shanghai, the facts the alert tests render in their variations.

import type { AlertFacts } from "../../core/alerts/alert.ts";

export const at = Date.parse("2026-11-24T08:05:00Z");

export const downFacts: AlertFacts = {
  event: "down",
  reminder: 0,
  raisedAt: at,
  monitor: { id: 7, name: "nightly-backup", code: "abcDEF123456", tags: ["db", "prod"], timezone: "Asia/Shanghai" },
  flip: { id: 1, from: "late", to: "down", reason: "no-ping", at, expectedAt: at - 600_000 },
  lastPingAt: at - 86_400_000,
  failure: null,
  downSince: null,
  dashboardUrl: null,
};
