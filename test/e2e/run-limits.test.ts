// Duration alerts and thresholds against flapping, end to end on the real system: real pings
// over HTTP with real run times, the real checker, and a webhook channel delivering to a real
// node:http receiver. Once embedded (SQLite, every service in one process, as `bin/start.ts`),
// once distributed (MariaDB + NATS, gateway/registry/ingest and checker/notifier in two
// processes, so the run deadline crosses NATS and the checker's row-locked update on MariaDB).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startReceiver, type Receiver, type ReceivedRequest } from "../support/receiver.ts";
import { eventually } from "../support/system.ts";
import { api, monitorsOf, type Api, type MonitorBody } from "../support/api.ts";
import { onBothRuns } from "../support/both-runs.ts";

const admin: [string, string] = ["root", "correct horse battery"];
let rx: Receiver;

before(async () => {
  rx = await startReceiver();
});

after(async () => {
  await rx?.close();
});

interface System {
  a: Api;
  /** the receiver path of this system's webhook channel */
  hook: string;
  channelId: number;
}

const systemEnv = {
  ADMIN_USERNAME: admin[0],
  ADMIN_PASSWORD: admin[1],
  PING_AUTH: "none",
  NOTIFIER_POLL_MS: "200",
  CHANNEL_TIMEOUT_MS: "2000",
  ALLOW_PRIVATE_WEBHOOKS: "true",
};

async function withChannel(base: string, hook: string): Promise<System> {
  const a = api(base, admin);
  const ch = await a.call("POST", "/api/v1/channels", {
    name: "hook",
    type: "webhook",
    config: { url: `${rx.url}${hook}` },
  });
  assert.equal(ch.status, 201, JSON.stringify(ch.body));
  return { a, hook, channelId: ch.body.id };
}

await onBothRuns("run limits", "rl", systemEnv, (running, kind) => {
  let sys: System;
  before(async () => {
    sys = await withChannel(running().base, `/hook-${kind}`);
  });
  runLimitTests(() => sys);

  if (kind === "distributed")
    test("a checker stopped while a run is overdue flips it once when it is back (the run deadline is loaded from MariaDB)", async () => {
      const { a, channelId, hook } = sys;
      const created = await a.call("POST", "/api/v1/monitors", {
        name: "hung while away",
        schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
        channels: [channelId],
        maxRunSeconds: 1,
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const m = created.body;
      await running().stopBack!();
      const start = await fetch(`${a.base}/ping/${m.code}/start`);
      assert.equal(start.status, 200);
      await new Promise((r) => setTimeout(r, 2500));
      await running().startBack!();
      const alerts = () => rx.requests.filter((r) => r.path === hook && r.json?.monitor?.id === m.id);
      const [alert] = await eventually(
        async () => (alerts().length ? alerts() : null),
        20_000,
        "the running-too-long alert after the restart",
      );
      assert.equal(alert!.json.flip.reason, "running-too-long");
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(alerts().length, 1, "flipped and alerted once");
      const flips = (await a.call("GET", `/api/v1/monitors/${m.id}/flips`)).body.items;
      assert.deepEqual(
        flips.map((f: { reason: string }) => f.reason),
        ["running-too-long"],
      );
    });
});

function runLimitTests(system: () => System): void {
  type Monitor = MonitorBody;
  const monitors = () => monitorsOf(system().a, () => [system().channelId]);
  const createMonitor = (body: Record<string, unknown>) => monitors().create(body);
  const ping = (m: Monitor, suffix = "") => monitors().ping(m, suffix);
  const get = (m: Monitor) => monitors().get(m);

  /** The webhook alerts the receiver got about this monitor, in arrival order. */
  const alertsOf = (m: Monitor): ReceivedRequest[] =>
    rx.requests.filter((r) => r.path === system().hook && r.json?.monitor?.id === m.id);

  /** A real run: /start, the job "works" for `ms`, then the success ping. */
  async function runFor(m: Monitor, ms: number): Promise<void> {
    await ping(m, "/start");
    await new Promise((r) => setTimeout(r, ms));
    await ping(m);
  }

  test("maxRunSeconds: a /start with no finish is alerted once as running-too-long, and the finish recovers", async () => {
    const m = await createMonitor({ name: "hangs", maxRunSeconds: 2 });
    assert.equal(m.maxRunSeconds, 2);
    await ping(m);
    await ping(m, "/start");
    assert.ok((await get(m)).runDeadlineAt, "the run is being timed");
    const [down] = await eventually(
      async () => (alertsOf(m).length ? alertsOf(m) : null),
      15_000,
      "the running-too-long alert",
    );
    assert.equal(down!.json.event, "down");
    assert.equal(down!.json.flip.reason, "running-too-long");
    assert.deepEqual([down!.json.flip.from, down!.json.flip.to], ["up", "down"]);
    assert.match(down!.json.text, /did not finish within its maximum run time/);
    assert.equal((await get(m)).status, "down");
    // Still hung a while later: no second alert (one alert per change).
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(alertsOf(m).length, 1);
    await ping(m);
    const up = await eventually(
      async () => alertsOf(m).find((r) => r.json.event === "up"),
      15_000,
      "the recovery alert",
    );
    assert.equal(up.json.flip.reason, "ping");
    assert.ok(
      up.json.run.durationMs >= 2000,
      `the finished run reports its whole duration (${up.json.run.durationMs} ms)`,
    );
    const after = await get(m);
    assert.equal(after.status, "up");
    assert.equal(after.runDeadlineAt, null);
    assert.equal(alertsOf(m).length, 2);
  });

  test("maxRunSeconds: a run that finishes in time raises nothing", async () => {
    const m = await createMonitor({ name: "quick", maxRunSeconds: 2 });
    await ping(m);
    await runFor(m, 200);
    assert.equal((await get(m)).runDeadlineAt, null);
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await get(m)).status, "up");
    assert.equal(alertsOf(m).length, 0);
  });

  test("slow runs: after short runs, one about 10× the median is alerted once as slow; the monitor stays up", async () => {
    const m = await createMonitor({ name: "slowpoke", slowFactor: 3, slowWindow: 20 });
    for (let i = 0; i < 5; i++) await runFor(m, 100);
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(alertsOf(m).length, 0, "short runs raise nothing");
    await runFor(m, 1100);
    const slow = await eventually(
      async () => alertsOf(m).find((r) => r.json.flip.reason === "slow"),
      15_000,
      "the slow-run alert",
    );
    assert.equal(slow.json.event, "failure");
    assert.deepEqual([slow.json.flip.from, slow.json.flip.to], ["up", "up"]);
    assert.ok(slow.json.run.durationMs >= 1100, JSON.stringify(slow.json.run));
    assert.ok(slow.json.run.medianMs >= 100 && slow.json.run.medianMs < 1100 / 3, JSON.stringify(slow.json.run));
    assert.match(slow.json.subject, /SLOW: slowpoke — the run took 1\.\ds, usually 0\.\ds/);
    assert.equal((await get(m)).status, "up");
    // A short run again is not slow.
    await runFor(m, 100);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(alertsOf(m).length, 1);
    // The durations are in the pings the dashboard charts.
    const pings = (await system().a.call("GET", `/api/v1/monitors/${m.id}/pings?limit=3`)).body.items;
    assert.ok(pings[0].durationMs >= 100 && pings[0].durationMs < 1000, JSON.stringify(pings[0]));
    assert.ok(pings[2].durationMs >= 1100, JSON.stringify(pings[2]));
  });

  test("slow runs are off by default: the same history raises nothing", async () => {
    const m = await createMonitor({ name: "not judged" });
    assert.equal(m.slowFactor, null);
    for (let i = 0; i < 5; i++) await runFor(m, 50);
    await runFor(m, 800);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(alertsOf(m).length, 0);
  });

  test("failureThreshold 3: fail pings alert only at the third in a row", async () => {
    const m = await createMonitor({ name: "flaky", failureThreshold: 3 });
    await ping(m);
    await ping(m, "/fail");
    await ping(m, "/fail");
    const mid = await get(m);
    assert.deepEqual([mid.status, mid.consecutiveFailures], ["up", 2]);
    await ping(m);
    assert.equal((await get(m)).consecutiveFailures, 0, "a success resets the count");
    await ping(m, "/fail");
    await ping(m, "/fail");
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(alertsOf(m).length, 0, "two failures in a row raise nothing");
    await ping(m, "/fail");
    const alert = await eventually(async () => alertsOf(m)[0], 15_000, "the failure alert");
    assert.equal(alert.json.event, "failure");
    assert.equal(alert.json.flip.reason, "failure");
    assert.equal((await get(m)).status, "down");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(alertsOf(m).length, 1);
  });

  test("failureThreshold 3 with missed runs: an interval of 2 s is alerted at the third missed deadline, not the first", async () => {
    const m = await createMonitor({
      name: "misses",
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
      failureThreshold: 3,
    });
    await ping(m);
    const pingedAt = Date.parse((await get(m)).lastPingAt as string);
    // The first missed run (at ping + 3 s) is counted, shown late, and not alerted.
    const one = await eventually(
      async () => {
        const v = await get(m);
        return v.consecutiveFailures >= 1 ? v : null;
      },
      15_000,
      "the first missed run counted",
    );
    assert.equal(one.status, "late");
    if (one.consecutiveFailures < 3) assert.equal(alertsOf(m).length, 0, "no alert after one missed run");
    const alert = await eventually(async () => alertsOf(m)[0], 20_000, "the alert at the third missed run");
    assert.equal(alert.json.event, "down");
    assert.equal(alert.json.flip.reason, "no-ping");
    // Missed runs were due at ping + 3 s, + 5 s and + 7 s: the flip cannot come before the third.
    const flippedAt = Date.parse(alert.json.flip.at);
    assert.ok(flippedAt - pingedAt >= 7000, `flipped ${flippedAt - pingedAt} ms after the ping`);
    const v = await get(m);
    assert.deepEqual([v.status, v.consecutiveFailures], ["down", 3]);
    const flips = (await system().a.call("GET", `/api/v1/monitors/${m.id}/flips`)).body.items.map(
      (f: any) => `${f.from}->${f.to}`,
    );
    assert.deepEqual(flips, ["late->down", "up->late", "new->up"], "one late flip, one down flip");
  });

  test("recoveryThreshold 2: a down monitor comes back up only at the second success in a row", async () => {
    const m = await createMonitor({ name: "wobbly", recoveryThreshold: 2 });
    await ping(m);
    await ping(m, "/fail");
    await eventually(async () => alertsOf(m)[0], 15_000, "the failure alert");
    await ping(m);
    const once = await get(m);
    assert.deepEqual([once.status, once.consecutiveSuccesses], ["down", 1]);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(alertsOf(m).length, 1, "one success is not a recovery");
    await ping(m);
    const up = await eventually(
      async () => alertsOf(m).find((r) => r.json.event === "up"),
      15_000,
      "the recovery alert",
    );
    assert.equal(up.json.flip.to, "up");
    assert.equal((await get(m)).status, "up");
  });

  test("run limits are validated: 422 naming the field, and nothing stored", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ maxRunSeconds: 0 }, "maxRunSeconds"],
      [{ maxRunSeconds: -5 }, "maxRunSeconds"],
      [{ maxRunSeconds: 1.5 }, "maxRunSeconds"],
      [{ maxRunSeconds: "ten" }, "maxRunSeconds"],
      [{ slowFactor: 1 }, "slowFactor"],
      [{ slowFactor: 0.5 }, "slowFactor"],
      [{ slowWindow: 2 }, "slowWindow"],
      [{ failureThreshold: 0 }, "failureThreshold"],
      [{ failureThreshold: null }, "failureThreshold"],
      [{ recoveryThreshold: 2.5 }, "recoveryThreshold"],
    ];
    const a = system().a;
    const before = (await system().a.call("GET", "/api/v1/monitors")).body.total;
    for (const [body, field] of cases) {
      const res = await a.call("POST", "/api/v1/monitors", {
        name: "bad",
        schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 60 },
        ...body,
      });
      assert.equal(res.status, 422, JSON.stringify([body, res.body]));
      assert.equal(res.body.error.field, field, JSON.stringify([body, res.body]));
    }
    assert.equal((await system().a.call("GET", "/api/v1/monitors")).body.total, before);
    const m = await createMonitor({ name: "editable" });
    const bad = await a.call("PATCH", `/api/v1/monitors/${m.id}`, { slowFactor: 1 });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.field, "slowFactor");
    const ok = await a.call("PATCH", `/api/v1/monitors/${m.id}`, {
      maxRunSeconds: 600,
      slowFactor: 2.5,
      slowWindow: 10,
      failureThreshold: 2,
      recoveryThreshold: 3,
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(
      [
        ok.body.maxRunSeconds,
        ok.body.slowFactor,
        ok.body.slowWindow,
        ok.body.failureThreshold,
        ok.body.recoveryThreshold,
      ],
      [600, 2.5, 10, 2, 3],
    );
    const off = await a.call("PATCH", `/api/v1/monitors/${m.id}`, { maxRunSeconds: null, slowFactor: null });
    assert.deepEqual([off.body.maxRunSeconds, off.body.slowFactor], [null, null]);
  });
}
