// The PagerDuty plugin against a real local receiver: Events API v2 trigger and resolve.

import { test } from "node:test";
import assert from "node:assert/strict";
import * as pagerduty from "../../../plugins/pagerduty.ts";
import {
  DASHBOARD,
  NASTY,
  down,
  up,
  failure,
  testAlert,
  longName,
  io,
  receiver,
  assertOk,
  assertFailed,
  ROUTING,
} from "../../support/channels.ts";

test("pagerduty: trigger then resolve with one dedup_key; payload per Events API v2", async (t) => {
  const rx = await receiver(t);
  rx.respond("/v2/enqueue", (req) => ({
    status: 202,
    body: { status: "success", message: "Event processed", dedup_key: req.json.dedup_key },
  }));
  const config = {
    routingKey: ROUTING,
    eventsUrl: `${rx.url}/v2/enqueue`,
    component: "backups",
    group: "prod",
    class: "cron",
  };
  const d = down();
  assertOk(await pagerduty.send(d, config, io));
  assertOk(await pagerduty.send(up(), config, io));
  const [trigger, resolve] = rx.requests.map((r) => r.json);
  assert.equal(rx.requests[0].path, "/v2/enqueue");
  assert.equal(trigger.routing_key, ROUTING);
  assert.equal(trigger.event_action, "trigger");
  assert.equal(trigger.dedup_key, d.incidentKey);
  assert.equal(trigger.client, "Heartbeats");
  assert.equal(trigger.client_url, DASHBOARD);
  assert.deepEqual(trigger.links, [{ href: DASHBOARD, text: "Open in Heartbeats" }]);
  assert.deepEqual(
    { ...trigger.payload, custom_details: undefined },
    {
      summary: "DOWN: nightly-backup — no ping arrived before the deadline",
      source: "nightly-backup",
      severity: "critical",
      timestamp: "2026-11-24T08:05:00.000Z",
      component: "backups",
      group: "prod",
      class: "cron",
      custom_details: undefined,
    },
  );
  assert.equal(trigger.payload.custom_details.Monitor, "nightly-backup (abcDEF123456)");
  assert.deepEqual(resolve, { routing_key: ROUTING, dedup_key: d.incidentKey, event_action: "resolve" });
  assert.equal(rx.byKey((r) => r.json.dedup_key).get(d.incidentKey), 2);
});

test("pagerduty: failure is severity error with the report, summary ≤ 1024; 400 permanent, 429/5xx retried", async (t) => {
  const rx = await receiver(t);
  const config = { routingKey: ROUTING, eventsUrl: `${rx.url}/v2/enqueue` };
  rx.respond("*", { status: 202, body: { status: "success" } });
  assertOk(await pagerduty.send(longName(failure(), "m".repeat(3000)), config, io));
  const p = rx.requests[0].json.payload;
  assert.equal(p.severity, "error");
  assert.ok(p.summary.length <= 1024 && p.source.length <= 255);
  assert.equal(p.custom_details.failure, NASTY);
  assertOk(await pagerduty.send(testAlert(), config, io));
  assert.deepEqual([rx.requests[1].json.event_action, rx.requests[1].json.payload.severity], ["trigger", "info"]);
  assertOk(await pagerduty.send(down(), { ...config, severity: "warning" as const }, io));
  assert.equal(rx.requests[2].json.payload.severity, "warning");

  rx.respond("*", {
    status: 400,
    body: {
      status: "invalid event",
      message: "Event object is invalid",
      errors: ["Length of 'routing_key' is incorrect (should be 32 characters)"],
    },
  });
  assertFailed(
    await pagerduty.send(down(), config, io),
    false,
    /^PagerDuty answered 400: Event object is invalid; Length of 'routing_key' is incorrect/,
  );
  rx.respond("*", {
    status: 429,
    body: { status: "throttle event", message: "Requests for this service are arriving too quickly." },
  });
  assertFailed(await pagerduty.send(down(), config, io), true);
  rx.respond("*", { status: 503, body: "" });
  assertFailed(await pagerduty.send(down(), config, io), true, /^PagerDuty answered 503$/);
});
