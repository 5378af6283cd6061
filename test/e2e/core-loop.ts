// The core loop, end to end, against a running system: a job pings, Heartbeats knows when the
// next ping is due, flips the monitor down when it is late, emails, and emails the recovery.
// Shared by the embedded (SQLite, one process) and distributed (MariaDB + NATS) suites.

import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Api } from "../support/api.ts";
import type { TestSmtp, ReceivedMail } from "../support/smtp.ts";
import { eventually } from "../support/system.ts";

const run = promisify(execFile);

export interface System {
  base: string;
  api: Api;
  smtp: TestSmtp;
  admin: [string, string];
  /** stops the process that runs the checker (and only it, where the system is split) */
  stopChecker(): Promise<void>;
  startChecker(): Promise<void>;
}

export async function createMonitor(sys: System, body: Record<string, unknown>) {
  const res = await sys.api.call("POST", "/api/v1/monitors", body);
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return res.body as { id: number; code: string; status: string; name: string; downAt: string };
}

export async function monitor(sys: System, id: number) {
  return (await sys.api.call("GET", `/api/v1/monitors/${id}`)).body;
}

export async function flips(
  sys: System,
  id: number,
): Promise<{ from: string; to: string; reason: string; at: string }[]> {
  return (await sys.api.call("GET", `/api/v1/monitors/${id}/flips?limit=500`)).body.items;
}

const mailsFor = (sys: System, name: string) => sys.smtp.mails.filter((m) => m.subject.includes(`: ${name}`));

/** The original tool's README line, run with the real curl. */
export async function curlOriginal(sys: System, code: string, data?: string): Promise<{ status: number; body: any }> {
  const [u, p] = sys.admin;
  const query = data === undefined ? `service=${code}` : `service=${code}&&data=${encodeURIComponent(data)}`;
  const { stdout } = await run("curl", [
    "-s",
    "-w",
    "\n%{http_code}",
    "-u",
    `${u}:${p}`,
    "-X",
    "POST",
    `${sys.base}/api/pings/?${query}`,
  ]);
  const lines = stdout.trimEnd().split("\n");
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join("\n") || "null") };
}

/** The original tool's Python form: requests.post(url, auth=(user, password)). */
async function pythonRequestsPing(sys: System, code: string): Promise<number | null> {
  const script =
    "import sys, requests\nr = requests.post(sys.argv[1], auth=(sys.argv[2], sys.argv[3]))\nprint(r.status_code)";
  for (const py of ["python3", "/usr/bin/python3"]) {
    try {
      const { stdout } = await run(py, ["-c", script, `${sys.base}/api/pings/?service=${code}`, ...sys.admin]);
      return Number(stdout.trim());
    } catch {
      /* this interpreter has no requests module; try the next */
    }
  }
  return null;
}

async function waitMails(sys: System, name: string, n: number, timeoutMs: number): Promise<ReceivedMail[]> {
  await sys.smtp.waitFor(() => mailsFor(sys, name).length >= n, timeoutMs, `${n} mail(s) about ${name}`);
  return mailsFor(sys, name);
}

/** Waits a little longer and checks that nothing more arrived: "exactly one" means it. */
async function settle(sys: System, name: string, expected: number, ms = 2500) {
  await new Promise((r) => setTimeout(r, ms));
  assert.equal(
    mailsFor(sys, name).length,
    expected,
    `mails about ${name}: ${mailsFor(sys, name)
      .map((m) => m.subject)
      .join(" | ")}`,
  );
}

export function coreLoopTests(getSys: () => System, label: string) {
  test(`${label}: interval monitor goes down once, emails once, recovers with an email`, async (t: TestContext) => {
    const sys = getSys();
    const name = `backup-${label}-interval`;
    const m = await createMonitor(sys, {
      name,
      schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 },
      tags: ["db", "nightly"],
    });
    assert.equal(m.status, "new");
    assert.ok(m.code.length >= 10 && /^[A-Za-z0-9_-]+$/.test(m.code), m.code);

    const first = await curlOriginal(sys, m.code);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.service, m.code);
    assert.equal((await monitor(sys, m.id)).status, "up");

    // Stop pinging: late at +2 s, down at +3 s.
    const before = await monitor(sys, m.id);
    const deadline = Date.parse(before.downAt);
    const [downMail] = await waitMails(sys, name, 1, 8000);
    assert.match(downMail!.subject, /DOWN/);
    assert.match(downMail!.raw, /Last ping:/);
    assert.match(downMail!.raw, /Expected:/);
    t.diagnostic(`deadline → email: ${downMail!.receivedAt - deadline} ms`);
    assert.ok(downMail!.receivedAt >= deadline, "no alert before the deadline");
    const down = await monitor(sys, m.id);
    assert.equal(down.status, "down");
    await settle(sys, name, 1);
    const f1 = await flips(sys, m.id);
    assert.equal(f1.filter((f) => f.to === "down").length, 1, JSON.stringify(f1));
    const flippedAt = Date.parse(f1.find((f) => f.to === "down")!.at);
    t.diagnostic(
      `deadline → flip stored: ${flippedAt - deadline} ms; flip → email received: ${downMail!.receivedAt - flippedAt} ms`,
    );
    assert.deepEqual(f1.map((f) => `${f.from}>${f.to}`).reverse(), ["new>up", "up>late", "late>down"]);

    // Recover: the original tool's Python form where requests is installed (always under CI,
    // which installs it), curl otherwise.
    const viaPython = await pythonRequestsPing(sys, m.code);
    if (viaPython === null && process.env.CI)
      assert.fail("Python requests is not installed: .ci/run should have installed it");
    const status = viaPython ?? (await curlOriginal(sys, m.code)).status;
    assert.equal(status, 200);
    const mails = await waitMails(sys, name, 2, 5000);
    assert.match(mails[1]!.subject, /UP/);
    assert.match(mails[1]!.raw, /Down for:/);
    assert.equal((await monitor(sys, m.id)).status, "up");
    const f2 = await flips(sys, m.id);
    assert.equal(f2[0]!.from + ">" + f2[0]!.to, "down>up");
    // And it is armed again: silence brings one more down alert, not a storm.
    await waitMails(sys, name, 3, 8000);
    await settle(sys, name, 3);
  });

  test(`${label}: a ping with data is a failure report, emailed at once with its text`, async () => {
    const sys = getSys();
    const name = `disk-${label}-failure`;
    const m = await createMonitor(sys, {
      name,
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 600 },
    });
    const sent = Date.now();
    const res = await curlOriginal(sys, m.code, "disk full");
    assert.equal(res.status, 200);
    assert.equal(res.body.data, "disk full");
    const [mail] = await waitMails(sys, name, 1, 5000);
    assert.match(mail!.subject, /FAILED/);
    assert.match(mail!.subject, /disk full/);
    assert.match(mail!.raw, /disk full/);
    assert.ok(mail!.receivedAt - sent < 3000, `failure email took ${mail!.receivedAt - sent} ms`);
    assert.equal((await monitor(sys, m.id)).status, "down");
    const pings = (await sys.api.call("GET", `/api/v1/monitors/${m.id}/pings`)).body;
    assert.equal(pings.items[0].data, "disk full");
    assert.equal(pings.items[0].kind, "fail");
    // A success afterwards recovers it, with a recovery email.
    assert.equal((await curlOriginal(sys, m.code)).status, 200);
    const mails = await waitMails(sys, name, 2, 5000);
    assert.match(mails[1]!.subject, /UP/);
  });

  test(`${label}: a 6-field cron monitor (every 2 s) goes down when its runs are missed`, async () => {
    const sys = getSys();
    const name = `cron-${label}-2s`;
    const m = await createMonitor(sys, {
      name,
      schedule: { kind: "cron", expression: "*/2 * * * * *", timezone: "Europe/Berlin", graceSeconds: 1 },
    });
    const res = await fetch(`${sys.base}/ping/${m.code}`, {
      headers: { authorization: "Basic " + Buffer.from(sys.admin.join(":")).toString("base64") },
    });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "OK");
    assert.equal((await monitor(sys, m.id)).status, "up");
    const [mail] = await waitMails(sys, name, 1, 8000);
    assert.match(mail!.subject, /DOWN/);
    assert.match(mail!.raw, /Europe\/Berlin/);
    const f = await flips(sys, m.id);
    assert.equal(f.filter((x) => x.to === "down").length, 1);

    // A cron monitor that never pings at all is not forgotten: it goes down as "never pinged".
    const silent = await createMonitor(sys, {
      name: `cron-${label}-silent`,
      schedule: { kind: "cron", expression: "*/2 * * * * *", graceSeconds: 1 },
    });
    const [never] = await waitMails(sys, `cron-${label}-silent`, 1, 8000);
    assert.match(never!.raw, /never pinged/);
    assert.equal((await monitor(sys, silent.id)).status, "down");
  });

  test(`${label}: healthchecks-style URLs: start, finish, log, exit status, body as data`, async () => {
    const sys = getSys();
    const auth = { authorization: "Basic " + Buffer.from(sys.admin.join(":")).toString("base64") };
    const m = await createMonitor(sys, {
      name: `hc-${label}`,
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    const ping = (suffix: string, init: RequestInit = {}) =>
      fetch(`${sys.base}/ping/${m.code}${suffix}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });

    assert.equal((await ping("/start")).status, 200);
    assert.equal((await monitor(sys, m.id)).status, "new", "a start does not change the status");
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await ping("", { method: "POST", body: "backup done: 42 files" })).status, 200);
    assert.equal((await ping("/log", { method: "POST", body: "just a note" })).status, 200);
    assert.equal((await ping("", { method: "HEAD" })).status, 200);
    const big = "x".repeat(20_000);
    assert.equal((await ping("/0", { method: "POST", body: big })).status, 200);

    const pings = (await sys.api.call("GET", `/api/v1/monitors/${m.id}/pings`)).body.items;
    assert.equal(pings.length, 5);
    const [exit0, head, log, finish, start] = pings;
    assert.equal(start.kind, "start");
    assert.equal(finish.kind, "success");
    assert.equal(finish.data, "backup done: 42 files");
    assert.ok(finish.durationMs >= 300 && finish.durationMs < 5000, `duration ${finish.durationMs}`);
    assert.equal(log.kind, "log");
    assert.equal(log.data, "just a note");
    assert.equal(head.kind, "success");
    assert.equal(exit0.exitStatus, 0);
    assert.equal(exit0.data.length, 10_240);
    assert.equal(exit0.dataTruncated, true);
    assert.equal((await monitor(sys, m.id)).status, "up");

    const failed = await ping("/3", { method: "POST", body: "exit 3: no space left" });
    assert.equal(failed.status, 200);
    assert.equal((await monitor(sys, m.id)).status, "down");
    const [mail] = await waitMails(sys, `hc-${label}`, 1, 5000);
    assert.match(mail!.raw, /Exit status: 3/);
    assert.match(mail!.raw, /no space left/);
  });

  test(`${label}: ping authentication and unknown codes`, async () => {
    const sys = getSys();
    const m = await createMonitor(sys, {
      name: `auth-${label}`,
      schedule: { kind: "interval", periodSeconds: 3600, graceSeconds: 60 },
    });
    const anon = await fetch(`${sys.base}/api/pings/?service=${m.code}`, { method: "POST" });
    assert.equal(anon.status, 401);
    assert.match(anon.headers.get("www-authenticate") ?? "", /^Basic/);
    const wrong = await fetch(`${sys.base}/ping/${m.code}`, {
      headers: { authorization: "Basic " + Buffer.from(`${sys.admin[0]}:nope`).toString("base64") },
    });
    assert.equal(wrong.status, 401);
    const unknown = await curlOriginal(sys, "doesNotExist123");
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error.code, "NOT_FOUND");
    assert.equal(
      (await sys.api.call("GET", `/api/v1/monitors/${m.id}/pings`)).body.total,
      0,
      "rejected pings are not stored",
    );
  });

  test(`${label}: tag search, text search, status filter, update and schedule preview`, async () => {
    const sys = getSys();
    const hour = { kind: "interval", periodSeconds: 3600, graceSeconds: 60 };
    const both = await createMonitor(sys, {
      name: `search-${label}-both`,
      description: "the nightly dump",
      schedule: hour,
      tags: ["DB", "prod"],
    });
    const dbOnly = await createMonitor(sys, { name: `search-${label}-db`, schedule: hour, tags: ["db"] });
    await createMonitor(sys, { name: `search-${label}-prod`, schedule: hour, tags: ["prod"] });
    const names = async (query: string) =>
      ((await sys.api.call("GET", `/api/v1/monitors?${query}`)).body.items as { name: string }[])
        .map((m) => m.name)
        .filter((n) => n.startsWith(`search-${label}`));
    assert.deepEqual(await names("tags=db,prod"), [`search-${label}-both`], "comma-separated tags: all of them");
    assert.deepEqual(await names("tags=db"), [`search-${label}-both`, `search-${label}-db`]);
    assert.deepEqual(await names("tags=prod,%20db%20,"), [`search-${label}-both`], "blanks and case do not matter");
    assert.deepEqual(await names("q=nightly%20dump"), [`search-${label}-both`], "text search reads descriptions");
    assert.deepEqual(await names(`q=search-${label}-d&tags=db`), [`search-${label}-db`]);
    await curlOriginal(sys, dbOnly.code, "broken");
    assert.deepEqual(await names("status=down"), [`search-${label}-db`]);

    const changed = await sys.api.call("PATCH", `/api/v1/monitors/${both.id}`, {
      name: `search-${label}-renamed`,
      tags: ["archive"],
      schedule: { kind: "cron", expression: "5 16 * * *", timezone: "Asia/Shanghai", deadline: "end-of-day" },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    assert.deepEqual(changed.body.tags, ["archive"]);
    assert.equal(changed.body.schedule.kind, "cron");
    // Never pinged, so armed from creation: the first 16:05 Shanghai time after it, down at that day's end.
    assert.match(changed.body.nextDueAt, /T08:05:00\.000Z$/);
    assert.match(changed.body.downAt, /T16:00:00\.000Z$/);
    assert.deepEqual(await names("tags=db,prod"), []);

    const preview = await sys.api.call(
      "GET",
      "/api/v1/schedule/preview?kind=cron&expression=0%209%2029%202%20*&timezone=Europe/Berlin&count=2",
    );
    assert.equal(preview.status, 200);
    assert.deepEqual(
      preview.body.runs.map((r: { expectedAt: string }) => r.expectedAt),
      ["2028-02-29T08:00:00.000Z", "2032-02-29T08:00:00.000Z"],
    );
    const posted = await sys.api.call("POST", "/api/v1/schedule/preview", {
      kind: "interval",
      periodSeconds: 60,
      graceSeconds: 30,
      count: 3,
    });
    assert.equal(posted.body.runs.length, 3);
    assert.equal(Date.parse(posted.body.runs[0].downAt) - Date.parse(posted.body.runs[0].expectedAt), 30_000);
  });

  test(`${label}: a paused monitor is silent; resumed, it is armed again and goes down if it never pings`, async () => {
    const sys = getSys();
    const name = `pause-${label}`;
    const m = await createMonitor(sys, { name, schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 } });
    const paused = await sys.api.call("POST", `/api/v1/monitors/${m.id}/pause`);
    assert.equal(paused.body.status, "paused");
    assert.equal(paused.body.downAt, null);
    assert.equal((await curlOriginal(sys, m.code, "ignored while paused")).status, 200);
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal((await monitor(sys, m.id)).status, "paused");
    assert.equal(mailsFor(sys, name).length, 0, "no alert while paused");

    const resumedAt = Date.now();
    const resumed = await sys.api.call("POST", `/api/v1/monitors/${m.id}/resume`);
    assert.equal(resumed.body.status, "new");
    assert.ok(Math.abs(Date.parse(resumed.body.downAt) - (resumedAt + 3000)) < 1000, `down at ${resumed.body.downAt}`);
    const [mail] = await waitMails(sys, name, 1, 8000);
    assert.match(mail!.raw, /never pinged/);
    const f = await flips(sys, m.id);
    assert.deepEqual(f.map((x) => `${x.from}>${x.to}`).reverse(), ["new>paused", "paused>new", "new>down"]);
  });

  test(`${label}: a checker stopped while a monitor goes overdue flips it once on restart`, async () => {
    const sys = getSys();
    const name = `restart-${label}`;
    const m = await createMonitor(sys, { name, schedule: { kind: "interval", periodSeconds: 2, graceSeconds: 1 } });
    assert.equal((await curlOriginal(sys, m.code)).status, 200);
    const deadline = Date.parse((await monitor(sys, m.id)).downAt);
    await sys.stopChecker();
    await new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now()) + 1500));
    assert.equal(mailsFor(sys, name).length, 0, "nobody alerted while the checker was stopped");
    await sys.startChecker();
    await waitMails(sys, name, 1, 10_000);
    await settle(sys, name, 1);
    const f = await flips(sys, m.id);
    assert.deepEqual(f.map((x) => `${x.from}>${x.to}`).reverse(), ["new>up", "up>down"]);
  });
}

export { eventually };
