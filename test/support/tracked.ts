// The state the status-transition unit tests start from: a monitor every 10 s (5 s of grace),
// armed at T and never pinged, with times as seconds after T.

import type { Tracked } from "../../core/monitor/monitor-status.ts";
import type { Schedule } from "../../core/schedule/schedule.ts";

export const every10: Schedule = { kind: "interval", periodSeconds: 10, graceSeconds: 5 };
export const T = Date.parse("2026-11-24T12:00:00Z");
/** T plus `n` seconds */
export const s = (n: number) => T + n * 1000;
export const fresh: Tracked = {
  status: "new",
  lateAt: s(10),
  downAt: s(15),
  lastPingAt: null,
  lastStartAt: null,
  runDeadlineAt: null,
  failures: 0,
  successes: 0,
  outcomes: "",
};
