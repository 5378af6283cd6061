// Export and restore: a real server's monitors, tags and channels go to a JSON file with
// npm run export; after a wipe, npm run import -- backup restores them, secrets included when
// the SECRET_KEY is the same, and says why it cannot when it is not.

import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { needs, scratchDatabase } from "../support/services.ts";
import { freePort, startProcess, stopProcess, waitReady, eventually, ROOT, type Proc } from "../support/system.ts";
import { api, type Api } from "../support/api.ts";
import { runCli } from "../support/cli.ts";
import { startReceiver, type Receiver } from "../support/receiver.ts";

const ADMIN: [string, string] = ["root", "correct horse battery"];
const KEY = "export-test-secret-key-0123456789";
const WEBHOOK_SECRET = "hmac-secret-that-must-not-leak";
const SMTP_PASSWORD = "smtp-password-that-must-not-leak";

async function withServer(env: Record<string, string>, work: (a: Api) => Promise<void>): Promise<void> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc: Proc = startProcess("server", {
    PORT: String(port),
    HOST: "127.0.0.1",
    ADMIN_USERNAME: ADMIN[0],
    ADMIN_PASSWORD: ADMIN[1],
    ALLOW_PRIVATE_WEBHOOKS: "true",
    ...env,
  });
  try {
    await waitReady(`${base}/readyz`, [proc]);
    await work(api(base, ADMIN));
  } finally {
    await stopProcess(proc);
  }
}

/** What must survive a round trip: monitors by code with their channels by name, and the channels. */
async function snapshot(a: Api) {
  const channels = (await a.call("GET", "/api/v1/channels")).body.items;
  const nameOf = new Map(channels.map((c: any) => [c.id, c.name]));
  const monitors = (await a.call("GET", "/api/v1/monitors?limit=500")).body.items.map((m: any) => ({
    code: m.code,
    name: m.name,
    description: m.description,
    schedule: m.schedule,
    tags: m.tags,
    paused: m.paused,
    repeatEverySeconds: m.repeatEverySeconds,
    runLimits: [m.maxRunSeconds, m.slowFactor, m.slowWindow, m.failureThreshold, m.recoveryThreshold],
    runRules: [m.failureRate, m.minRunSeconds, m.minGapSeconds, m.reportUnexpectedRuns],
    channels: m.channels.map((c: number) => nameOf.get(c)).sort(),
    // parents by name (ids are not kept by a restore), and a running snooze
    parents: m.parents.map((p: { name: string }) => p.name).sort(),
    snoozedUntil: m.snoozedUntil,
  }));
  const codeOf = new Map(monitors.map((m: any) => [m.id, m.code]));
  const allMonitors = (await a.call("GET", "/api/v1/monitors?limit=500")).body.items;
  for (const m of allMonitors) codeOf.set(m.id, m.code);
  const windows = (await a.call("GET", "/api/v1/maintenance")).body.items.map((w: any) => ({
    name: w.name,
    rule: w.rule,
    monitors: w.monitorIds.map((id: number) => codeOf.get(id)).sort(),
    tags: w.tags,
  }));
  return {
    windows,
    monitors: monitors.sort((x: any, y: any) => x.code.localeCompare(y.code)),
    channels: channels.map((c: any) => ({
      name: c.name,
      type: c.type,
      config: c.config,
      events: c.events,
      isDefault: c.isDefault,
      enabled: c.enabled,
    })),
  };
}

const skip = await needs(["mariadb"]);

describe("export and restore", { skip, timeout: 240_000 }, () => {
  let dir: string;
  let receiver: Receiver;
  let source: Awaited<ReturnType<typeof scratchDatabase>>;
  let restored: Awaited<ReturnType<typeof scratchDatabase>>;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-export-"));
    receiver = await startReceiver();
    source = await scratchDatabase();
    restored = await scratchDatabase();
  });
  after(async () => {
    await receiver?.close();
    await source?.drop();
    await restored?.drop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("monitors (with their run limits), tags, channels and maintenance windows come back the same on a wiped database; secrets only sealed in the file", async () => {
    const env = { DATABASE_URL: source.url, SECRET_KEY: KEY };
    // A 36-character healthchecks.io code on MariaDB too (migration 007).
    const hc = await runCli(
      "bin/import.ts",
      ["healthchecks", "--file", path.join(ROOT, "test/fixtures/healthchecks-checks.json")],
      env,
    );
    assert.equal(hc.code, 0, hc.stderr);
    let before!: Awaited<ReturnType<typeof snapshot>>;
    await withServer(env, async (a) => {
      const hook = await a.call("POST", "/api/v1/channels", {
        name: "ops hook",
        type: "webhook",
        config: { url: `${receiver.url}/hook`, secret: WEBHOOK_SECRET },
        events: ["down", "failure"],
      });
      assert.equal(hook.status, 201, JSON.stringify(hook.body));
      const mail = await a.call("POST", "/api/v1/channels", {
        name: "ops mail",
        type: "email",
        config: {
          host: "smtp.example.org",
          port: 587,
          username: "hb",
          password: SMTP_PASSWORD,
          from: "hb@example.org",
          to: ["ops@example.org"],
        },
        isDefault: true,
      });
      assert.equal(mail.status, 201);
      for (const body of [
        {
          name: "nightly",
          description: "db dump",
          schedule: { kind: "cron", expression: "30 2 * * *", timezone: "Europe/Berlin", deadline: "end-of-day" },
          tags: ["db", "prod"],
          channels: [hook.body.id, mail.body.id],
          repeatEverySeconds: 3600,
          maxRunSeconds: 1800,
          slowFactor: 3,
          slowWindow: 10,
          failureThreshold: 2,
          recoveryThreshold: 3,
          failureRate: { failures: 2, runs: 4 },
          minRunSeconds: 30,
          minGapSeconds: 3600,
          reportUnexpectedRuns: true,
        },
        {
          name: "queue",
          schedule: { kind: "interval", periodSeconds: 60, graceSeconds: 30 },
          tags: ["prod"],
          channels: [],
        },
        {
          name: "k8s job",
          schedule: { kind: "cron", expression: "15 */6 * * *", timezone: "America/New_York", dialect: "kubernetes" },
          channels: [],
        },
        {
          name: "timer",
          schedule: {
            kind: "oncalendar",
            expressions: ["Mon..Fri 09:00", "Sat 10:00"],
            timezone: "Europe/Berlin",
            graceSeconds: 600,
          },
          channels: [],
        },
      ]) {
        const r = await a.call("POST", "/api/v1/monitors", body);
        assert.equal(r.status, 201, JSON.stringify(r.body));
        if (body.name === "queue")
          assert.equal((await a.call("POST", `/api/v1/monitors/${r.body.id}/pause`)).status, 200);
        if (body.name === "nightly") {
          const once = await a.call("POST", "/api/v1/maintenance", {
            name: "db upgrade",
            rule: { kind: "once", startsAt: "2031-03-01T22:00:00.000Z", endsAt: "2031-03-02T02:00:00.000Z" },
            monitorIds: [r.body.id],
          });
          assert.equal(once.status, 201, JSON.stringify(once.body));
        }
      }
      // Dependencies (k8s job and timer under nightly, timer under k8s job too) and a snooze travel by code.
      const byName = new Map(
        (await a.call("GET", "/api/v1/monitors?limit=500")).body.items.map((m: any) => [m.name, m.id]),
      );
      for (const [child, parents] of [
        ["k8s job", ["nightly"]],
        ["timer", ["nightly", "k8s job"]],
      ] as const) {
        const r = await a.call("PATCH", `/api/v1/monitors/${byName.get(child)}`, {
          dependsOn: parents.map((p) => byName.get(p)),
        });
        assert.equal(r.status, 200, JSON.stringify(r.body));
      }
      const snoozed = await a.call("POST", `/api/v1/monitors/${byName.get("nightly")}/snooze`, { seconds: 86_400 });
      assert.equal(snoozed.status, 200, JSON.stringify(snoozed.body));
      const weekly = await a.call("POST", "/api/v1/maintenance", {
        name: "patch night",
        rule: { kind: "recurring", expression: "0 3 * * 0", durationSeconds: 7200, timezone: "Asia/Shanghai" },
        tags: ["prod"],
      });
      assert.equal(weekly.status, 201, JSON.stringify(weekly.body));
      before = await snapshot(a);
    });
    assert.equal(before.monitors.length, 7); // 3 from the healthchecks.io listing (one OnCalendar), 4 made here
    assert.equal(before.monitors.find((m: any) => m.name === "k8s job").schedule.dialect, "kubernetes");
    assert.deepEqual(before.monitors.find((m: any) => m.name === "timer").schedule.expressions, [
      "Mon..Fri 09:00",
      "Sat 10:00",
    ]);
    assert.equal(before.windows.length, 2);
    assert.deepEqual(before.monitors.find((m: any) => m.name === "nightly").runLimits, [1800, 3, 10, 2, 3]);
    assert.deepEqual(before.monitors.find((m: any) => m.name === "nightly").runRules, [
      { failures: 2, runs: 4 },
      30,
      3600,
      true,
    ]);
    assert.deepEqual(before.monitors.find((m: any) => m.name === "timer").parents, ["k8s job", "nightly"]);
    assert.ok(before.monitors.find((m: any) => m.name === "nightly").snoozedUntil, "nightly is snoozed");

    const file = path.join(dir, "backup.json");
    const exp = await runCli("bin/export.ts", ["--file", file], env);
    assert.equal(exp.code, 0, exp.stderr);
    const text = fs.readFileSync(file, "utf8");
    assert.doesNotMatch(text, new RegExp(`${WEBHOOK_SECRET}|${SMTP_PASSWORD}|/hook`), "secrets only sealed");
    const json = JSON.parse(text);
    assert.deepEqual(Object.keys(json), [
      "format",
      "version",
      "exportedAt",
      "tags",
      "channels",
      "monitors",
      "maintenanceWindows",
    ]);
    assert.match(json.channels[0].sealedSecrets, /^enc:v1:/);

    // Restore into an empty database with the same key, twice.
    // The import checks channels with the rules of the API: this receiver is on loopback.
    const renv = { DATABASE_URL: restored.url, SECRET_KEY: KEY, ALLOW_PRIVATE_WEBHOOKS: "true" };
    const r1 = await runCli("bin/import.ts", ["backup", "--file", file], renv);
    assert.equal(r1.code, 0, r1.stderr);
    assert.match(r1.stdout, /^11 created, 0 already present, 0 skipped$/m);
    const r2 = await runCli("bin/import.ts", ["backup", "--file", file], renv);
    assert.match(r2.stdout, /^0 created, 11 already present, 0 skipped$/m);

    await withServer(renv, async (a) => {
      assert.deepEqual(await snapshot(a), before);
      // The webhook's sealed URL and HMAC secret came back: a test alert reaches the receiver, signed.
      const hook = (await a.call("GET", "/api/v1/channels")).body.items.find((c: any) => c.name === "ops hook");
      const sent = await a.call("POST", `/api/v1/channels/${hook.id}/test`);
      assert.equal(sent.body.ok, true, JSON.stringify(sent.body));
      const got = await eventually(
        async () => receiver.requests.find((r) => r.path === "/hook"),
        10_000,
        "the test alert",
      );
      assert.ok(got.headers["x-heartbeats-signature"]);
    });

    // Another key cannot open the sealed secrets: those channels are skipped with the reason, the monitors still come.
    const other = fs.mkdtempSync(path.join(dir, "other-"));
    const r3 = await runCli("bin/import.ts", ["backup", "--file", file], {
      DATABASE_URL: `sqlite:${path.join(other, "hb.sqlite")}`,
      SECRET_KEY: "a-completely-different-key-987654",
      ALLOW_PRIVATE_WEBHOOKS: "true",
    });
    assert.equal(r3.code, 0, r3.stderr);
    assert.match(r3.stdout, /^skipped\tchannel "ops hook": its secrets cannot be opened here .*SECRET_KEY/m);
    assert.match(r3.stdout, /^9 created, 0 already present, 2 skipped$/m);
  });
});
