// Check expressions, their evaluation, and both failure texts (original and detailed).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  evaluate,
  failureReport,
  originalChecks,
  originalFailureText,
  parseCheck,
  processPatterns,
  type Check,
} from "../../core/hosts/host-checks.ts";
import type { HostMetrics } from "../../core/hosts/host-metrics.ts";

const metrics: HostMetrics = {
  cpuPercent: 97.24,
  load: [4.5, 2, 1],
  memoryPercent: 88,
  swapPercent: null,
  disks: [
    { device: "/dev/sda1", mount: "/", sizeKb: 1000, usedPercent: 93 },
    { device: "/dev/sdb1", mount: "/data", sizeKb: 1000, usedPercent: 50 },
    { device: "tmpfs", mount: "/run", sizeKb: 1000, usedPercent: 99 },
    { device: "/dev/loop3", mount: "/snap/core/1", sizeKb: 1000, usedPercent: 100 },
  ],
  processes: { nginx: 0, cron: 2, sshd: 1 },
};

function checks(...texts: string[]): Check[] {
  return texts.map((t) => {
    const r = parseCheck(t);
    assert.ok(r.ok, `${t}: ${!r.ok && r.error}`);
    return r.check;
  });
}

test("parseCheck reads every metric and operator", () => {
  for (const t of [
    "cpu > 90",
    "memory > 85",
    "mem>85",
    "swap > 50",
    "load1 > 4",
    "load5 >= 4.5",
    "load15 < 1",
    "disk:/ > 90",
    "disk:/mnt/my disk > 90",
    "disk > 90",
    "process:nginx >= 1",
    "process:cron == 0",
    "process:php-fpm: pool www != 3",
    "cpu <= 10%",
  ]) {
    assert.ok(parseCheck(t).ok, t);
  }
  const d = parseCheck("disk:/var/lib > 80");
  assert.ok(d.ok);
  assert.deepEqual(d.check.metric, { kind: "disk", mount: "/var/lib" });
  const p = parseCheck("process:php-fpm: pool www != 3");
  assert.ok(p.ok);
  assert.deepEqual(p.check.metric, { kind: "process", pattern: "php-fpm: pool www" });
  assert.equal(p.check.op, "!=");
});

test("parseCheck explains what is wrong", () => {
  const cases: [unknown, RegExp][] = [
    ["cpu", /expected <metric>/],
    ["gpu > 5", /unknown metric "gpu"/],
    ["cpu:x > 5", /takes no ":"/],
    ["disk:var > 5", /absolute path/],
    ["process > 1", /pattern/],
    ["cpu => 5", /expected/],
    [42, /must be a string/],
  ];
  for (const [t, re] of cases) {
    const r = parseCheck(t);
    assert.equal(r.ok, false, String(t));
    if (!r.ok) assert.match(r.error, re);
  }
});

test("evaluate: resource checks alarm when true, process checks breach when false", () => {
  const b = evaluate(
    checks(
      "cpu > 90",
      "memory > 90",
      "swap > 50",
      "load1 > 4",
      "load15 > 4",
      "disk:/ > 90",
      "disk:/data > 90",
      "disk:/nope > 90",
      "process:nginx >= 1",
      "process:cron == 0",
      "process:sshd >= 1",
    ),
    metrics,
  );
  assert.deepEqual(
    b.map((x) => [x.check.text, x.observed]),
    [
      ["cpu > 90", 97.24],
      ["load1 > 4", 4.5],
      ["disk:/ > 90", 93],
      ["disk:/nope > 90", null],
      ["process:nginx >= 1", 0],
      ["process:cron == 0", 2],
    ],
  );
});

test("evaluate: disk without a mount checks every real filesystem (not tmpfs or snap loops)", () => {
  const b = evaluate(checks("disk > 40"), metrics);
  assert.deepEqual(
    b.map((x) => x.disk?.mount),
    ["/", "/data"],
  );
  assert.deepEqual(evaluate(checks("process:absent >= 1"), metrics)[0].observed, 0);
});

test("originalChecks mirrors BASIC thresholds and PROCESS names", () => {
  const c = originalChecks({ MEM: 85, DISK: 90, CPU: 90 }, ["nginx", "mysqld"]);
  assert.deepEqual(
    c.map((x) => x.text),
    ["cpu > 90", "memory > 85", "disk > 90", "process:nginx >= 1", "process:mysqld >= 1"],
  );
  assert.deepEqual(processPatterns(c), ["nginx", "mysqld"]);
  assert.deepEqual(processPatterns(["process:cron == 0", "cpu > 1", "bogus", "process:cron >= 1"]), ["cron"]);
  assert.deepEqual(originalChecks(undefined, undefined), []);
});

test("originalFailureText matches the original agent's format", () => {
  const c = originalChecks({ MEM: 85, DISK: 90, CPU: 90 }, ["nginx", "sshd"]);
  assert.equal(
    originalFailureText("192.168.1.10", evaluate(c, metrics)),
    "192.168.1.10:cpu:97.2,mem:88.0,/dev/sda1:93.0,process:nginx",
  );
  assert.equal(
    originalFailureText("192.168.1.10", evaluate(originalChecks({ MEM: 99, DISK: 99, CPU: 99 }, ["sshd"]), metrics)),
    null,
  );
  assert.equal(
    originalFailureText("10.0.0.1", { kind: "unreachable", error: "unreachable: connect ETIMEDOUT " + "x".repeat(200) })
      ?.length,
    "10.0.0.1:".length + 100,
  );
});

test("failureReport: one readable line per breach, errors as they are", () => {
  const b = evaluate(
    checks("cpu > 90", "disk:/ > 90", "disk > 90", "process:nginx >= 1", "load1 > 4", "disk:/nope > 1"),
    metrics,
  );
  assert.equal(
    failureReport("web1", b),
    [
      "web1: cpu 97.2% > 90%",
      "web1: disk / 93% > 90%",
      "web1: disk / 93% > 90% (/dev/sda1)",
      "web1: process nginx: 0 running, expected >= 1",
      "web1: load1 4.5 > 4",
      "web1: disk /nope: not mounted",
    ].join("\n"),
  );
  assert.equal(failureReport("web1", []), "");
  assert.equal(failureReport("db", { kind: "auth", error: "authentication failed" }), "db: authentication failed");
  assert.equal(
    failureReport("db", { kind: "hostkey", error: "host key changed: expected SHA256:a, got SHA256:b" }),
    "db: host key changed: expected SHA256:a, got SHA256:b",
  );
});
