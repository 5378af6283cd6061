// Maintenance windows on an in-process broker (registry, ingest, checker, notifier) with a real
// webhook receiver and short real schedules: flips inside a window are recorded but their alerts held back; at the end a
// monitor still down alerts once, one that recovered stays silent; monitors outside the scope
// alert as usual; a recurring window in a non-UTC zone is active when its local time says so;
// deleting a window releases what it held. Plus the refusals (422 naming the field, 404).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { DateTime } from "luxon";
import { startReceiver, type Receiver } from "../support/receiver.ts";
import { eventually } from "../support/system.ts";
import { startBroker, type TestBroker } from "../support/broker.ts";

let rx: Receiver;
let hb: TestBroker;
let hookId: number;

before(async () => {
  rx = await startReceiver();
  hb = await startBroker({
    services: ["registry", "ingest", "checker", "notifier"],
    env: { NOTIFIER_POLL_MS: "200", ALLOW_PRIVATE_WEBHOOKS: "true" },
  });
  const ch = await hb.call("registry.channels.create", {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}/hook` },
  });
  hookId = ch.id;
});

after(async () => {
  await hb?.stop();
  await rx?.close();
});

const hooksFor = (monitorId: number) =>
  rx.requests.filter((r) => r.path === "/hook" && r.json?.monitor?.id === monitorId);

async function monitor(name: string, schedule: Record<string, unknown>, tags: string[] = []) {
  return hb.call<{ id: number; code: string }>("registry.create", { name, schedule, tags, channels: [hookId] });
}

async function ping(code: string, kind: "success" | "fail" = "success"): Promise<void> {
  const accepted = await hb.ping(code, kind);
  assert.equal(accepted.code, code);
}

const notifications = async (id: number) =>
  (await hb.call("registry.notifications", { id })).items as { state: string; event: string }[];
const flips = async (id: number) => (await hb.call("registry.flips", { id })).items as { to: string; reason: string }[];
const newWindow = (body: unknown) => hb.call("registry.maintenance.create", body as object);

test("a one-off window holds alerts back; at its end only monitors still down alert, once", async () => {
  // Down and alerted before the window: its recovery inside the window is told at the end.
  const wasDown = await monitor("was-down", { kind: "interval", periodSeconds: 300, graceSeconds: 300 }, ["maint"]);
  await ping(wasDown.code, "fail");
  await eventually(
    async () => hooksFor(wasDown.id).find((r) => r.json.event === "failure"),
    5_000,
    "the failure alert before the window",
  );

  const startsAt = Date.now();
  const endsAt = startsAt + 9_000;
  const w = await newWindow({
    name: "deploy",
    rule: { kind: "once", startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString() },
    tags: ["Maint"],
  });
  assert.equal(w.active, true);
  assert.deepEqual(w.tags, ["maint"]);
  assert.equal(w.activeUntil, new Date(endsAt).toISOString());

  // stays down: never pinged, down after 2 s (checker); recovers: a failure then a success;
  // outside: the same schedule as the first but not in the window's scope.
  const stays = await monitor("stays-down", { kind: "interval", periodSeconds: 1, graceSeconds: 1 }, ["maint"]);
  const recovers = await monitor("recovers", { kind: "interval", periodSeconds: 60, graceSeconds: 60 }, [
    "maint",
    "web",
  ]);
  const outside = await monitor("outside", { kind: "interval", periodSeconds: 1, graceSeconds: 1 }, ["web"]);

  const shown = await hb.call("registry.get", { id: stays.id });
  assert.deepEqual(shown.maintenance, [w.id], "the monitor answer names the window covering it");
  assert.deepEqual((await hb.call("registry.get", { id: outside.id })).maintenance, []);

  await ping(wasDown.code);
  await ping(recovers.code, "fail");
  await eventually(async () => (await flips(recovers.id)).some((f) => f.to === "down"), 5_000, "the failure flip");
  await ping(recovers.code);

  // The outside monitor alerts during the window, as usual.
  await eventually(
    async () => hooksFor(outside.id).find((r) => r.json.event === "down"),
    10_000,
    "the outside monitor's down alert",
  );
  // The covered one went down: the flip is recorded, its alert held.
  await eventually(
    async () => (await flips(stays.id)).find((f) => f.to === "down" && f.reason === "never-pinged"),
    10_000,
    "the down flip inside the window",
  );
  await eventually(
    async () => (await notifications(stays.id)).find((d) => d.state === "held"),
    5_000,
    "the held alert",
  );
  assert.deepEqual(
    (await notifications(recovers.id)).map((d) => d.state),
    ["held", "held"],
    "the failure and the recovery are held",
  );
  assert.ok(Date.now() < endsAt, "the checks above ran inside the window; make it longer if this fails");
  assert.equal(hooksFor(stays.id).length, 0, "nothing delivered inside the window");
  assert.equal(hooksFor(recovers.id).length, 0);
  assert.equal(hooksFor(wasDown.id).length, 1, "the recovery is held too");

  // The window ends: the monitor still down alerts, once; the one that recovered says nothing.
  const released = await eventually(
    async () => hooksFor(stays.id)[0],
    15_000,
    "the alert released at the window's end",
  );
  assert.ok(
    released.at >= endsAt,
    `released at ${new Date(released.at).toISOString()}, before the end ${new Date(endsAt).toISOString()}`,
  );
  assert.equal(released.json.event, "down");
  assert.equal(released.json.flip.reason, "never-pinged");
  await new Promise((r) => setTimeout(r, 2_000));
  assert.equal(hooksFor(stays.id).length, 1, "released exactly once");
  assert.equal(hooksFor(recovers.id).length, 0, "down and up inside the window: no alert at all");
  assert.deepEqual(
    (await notifications(recovers.id)).map((d) => d.state),
    ["suppressed", "suppressed"],
  );
  assert.deepEqual(
    (await notifications(stays.id)).map((d) => d.state),
    ["sent"],
  );
  const recovery = await eventually(
    async () => hooksFor(wasDown.id).find((r) => r.json.event === "up"),
    5_000,
    "the recovery released for a down told before the window",
  );
  assert.ok(recovery.at >= endsAt);
  assert.equal(hooksFor(wasDown.id).length, 2);
  assert.deepEqual((await hb.call("registry.get", { id: stays.id })).maintenance, []);
  assert.equal((await hb.call("registry.maintenance.get", { id: w.id })).active, false);
});

test("a recurring window is evaluated in its own zone; deleting a window releases what it held", async () => {
  const zone = "Asia/Kathmandu"; // UTC+05:45
  const local = DateTime.now().setZone(zone);
  const m = await monitor("nightly-db", { kind: "interval", periodSeconds: 3600, graceSeconds: 60 });
  // Daily at this very local minute, for 3 minutes: active now only if read in Kathmandu time.
  const w = await newWindow({
    name: "kathmandu",
    rule: {
      kind: "recurring",
      expression: `${local.minute} ${local.hour} * * *`,
      durationSeconds: 180,
      timezone: zone,
    },
    monitorIds: [m.id],
  });
  assert.equal(w.active, true, JSON.stringify(w));
  const start = local.startOf("minute");
  assert.equal(w.activeUntil, start.plus({ seconds: 180 }).toUTC().toISO({ suppressMilliseconds: false }));
  // The same wall time in UTC would be 5 h 45 min away: not active.
  const utc = await newWindow({
    name: "utc",
    rule: {
      kind: "recurring",
      expression: `${local.minute} ${local.hour} * * *`,
      durationSeconds: 180,
      timezone: "UTC",
    },
    monitorIds: [m.id],
  });
  assert.equal(utc.active, false);
  assert.deepEqual((await hb.call("registry.get", { id: m.id })).maintenance, [w.id]);

  await ping(m.code, "fail");
  await eventually(
    async () => (await notifications(m.id)).find((d) => d.state === "held"),
    5_000,
    "the held failure alert",
  );
  assert.equal(hooksFor(m.id).length, 0);

  await hb.call("registry.maintenance.remove", { id: w.id });
  const sent = await eventually(async () => hooksFor(m.id)[0], 5_000, "the alert released by the deletion");
  assert.equal(sent.json.event, "failure");
  assert.equal((await hb.call("registry.maintenance.list")).items.length >= 1, true);
});

test("bad windows are refused with 422 naming the field", async () => {
  const cases: [unknown, string][] = [
    [
      { name: "x", rule: { kind: "recurring", expression: "not cron", durationSeconds: 60 }, tags: ["a"] },
      "rule.expression",
    ],
    [
      { name: "x", rule: { kind: "recurring", expression: "0 * * * *", durationSeconds: 0 }, tags: ["a"] },
      "rule.durationSeconds",
    ],
    [
      {
        name: "x",
        rule: { kind: "recurring", expression: "0 * * * *", durationSeconds: 60, timezone: "Nowhere/City" },
        tags: ["a"],
      },
      "rule.timezone",
    ],
    [
      {
        name: "x",
        rule: { kind: "once", startsAt: "2026-05-01T10:00:00Z", endsAt: "2026-05-01T09:00:00Z" },
        tags: ["a"],
      },
      "rule.endsAt",
    ],
    [
      { name: "x", rule: { kind: "once", startsAt: "2026-05-01T10:00:00Z", endsAt: "2026-05-01T11:00:00Z" } },
      "monitorIds",
    ],
    [
      {
        name: "x",
        rule: { kind: "once", startsAt: "2026-05-01T10:00:00Z", endsAt: "2026-05-01T11:00:00Z" },
        monitorIds: [987654],
      },
      "monitorIds[0]",
    ],
    [{ name: "x", rule: "soon", tags: ["a"] }, "rule"],
  ];
  for (const [body, field] of cases) {
    const res = await hb.refusal("registry.maintenance.create", body as object);
    assert.equal(res.code, 422, `${JSON.stringify(body)} → ${JSON.stringify(res)}`);
    assert.equal(res.fields[0], field, JSON.stringify(res));
  }
  assert.equal((await hb.refusal("registry.maintenance.get", { id: 999999 })).code, 404);
  assert.equal((await hb.refusal("registry.maintenance.update", { id: 999999, name: "y" })).code, 404);
});
