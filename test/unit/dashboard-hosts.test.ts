// The dashboard's host pages without a browser: the form model (secrets write-only, checks,
// API errors on the right row), the state of a poll, samples -> chart series, and the line
// chart's geometry.

import "@angular/compiler";
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  applyHostApiErrors,
  checkProblem,
  createHostForm,
  emptyHostValue,
  formValueToHostInput,
  hostControlPath,
  hostErrorMessage,
  hostToFormValue,
  normalizeKey,
  sentCheckRows,
  storedSecrets,
} from "../../dashboard/src/app/hosts/host-form-model.ts";
import {
  chartDomain,
  diskRows,
  hostCharts,
  hostState,
  metricRows,
  percent,
  rangeBounds,
  resultState,
  sizeKb,
} from "../../dashboard/src/app/hosts/host-view.ts";
import {
  downsample,
  lineChartModel,
  timeLabel,
  timeTicks,
  typicalGap,
} from "../../dashboard/src/app/hosts/line-chart-model.ts";
import type { Host, HostMetrics, HostSample } from "../../dashboard/src/app/api/models.ts";

const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n";
const FP = "SHA256:" + "A".repeat(43);

const metrics: HostMetrics = {
  cpuPercent: 12.34,
  load: [0.5, 0.25, 0.1],
  memoryPercent: 41,
  swapPercent: null,
  disks: [
    { device: "/dev/sdb1", mount: "/var", sizeKb: 2 * 1024 * 1024, usedPercent: 95 },
    { device: "/dev/sda1", mount: "/", sizeKb: 50 * 1024 * 1024, usedPercent: 40.5 },
    { device: "tmpfs", mount: "/dev/shm", sizeKb: 1024, usedPercent: 0 },
    { device: "/dev/loop3", mount: "/snap/core/1", sizeKb: 1024, usedPercent: 100 },
  ],
  processes: { sshd: 2, nginx: 0 },
};

function host(over: Partial<Host> = {}): Host {
  return {
    id: 7,
    name: "web1",
    address: "10.0.0.5",
    port: 2222,
    username: "mon",
    privateKey: "********",
    keyPath: null,
    passphrase: null,
    hostKeyFingerprint: FP,
    trustOnFirstUse: false,
    intervalSeconds: 120,
    graceSeconds: 30,
    checks: ["cpu > 90", "disk:/ > 80"],
    monitorId: 3,
    enabled: true,
    lastPollAt: null,
    lastResult: null,
    createdAt: "2024-05-01T00:00:00Z",
    updatedAt: "2024-05-01T00:00:00Z",
    ...over,
  };
}

test("a new host: defaults, required key, the POST body", () => {
  const form = createHostForm();
  assert.equal(form.controls.port.value, 22);
  assert.equal(form.valid, false);
  form.patchValue({
    name: " web1 ",
    address: "127.0.0.1",
    username: "me",
    hostKeyFingerprint: "",
    interval: 2,
    intervalUnit: "seconds",
  });
  assert.deepEqual(form.controls.privateKey.errors, { required: true }, "a new host needs a key");
  form.controls.privateKey.setValue("not a key");
  assert.ok(form.controls.privateKey.hasError("privateKey"));
  form.controls.privateKey.setValue(KEY.replace(/\n/g, "\r\n"));
  assert.equal(form.valid, true, JSON.stringify(form.errors));
  const body = formValueToHostInput({ ...form.getRawValue(), checks: [" process:sshd  >= 1", "", "memory > 100"] });
  assert.deepEqual(body, {
    name: "web1",
    address: "127.0.0.1",
    port: 22,
    username: "me",
    hostKeyFingerprint: null,
    trustOnFirstUse: false,
    intervalSeconds: 2,
    graceSeconds: 60,
    checks: ["process:sshd >= 1", "memory > 100"],
    enabled: true,
    privateKey: KEY,
  });
  assert.equal(normalizeKey("  a\r\nb  "), "a\nb\n");
});

test("editing: stored secrets are never put in the form; empty keeps them; key path replaces the key", () => {
  const h = host({ passphrase: "********" });
  const v = hostToFormValue(h);
  assert.equal(v.privateKey, "");
  assert.equal(v.passphrase, "");
  assert.equal(v.interval, 2);
  assert.equal(v.intervalUnit, "minutes");
  assert.ok(!JSON.stringify(v).includes("********"), "the mask is not a value either");
  const form = createHostForm(v, storedSecrets(h));
  assert.equal(form.valid, true, "an empty key field is fine when one is stored");
  const body = formValueToHostInput(form.getRawValue(), { editing: true });
  assert.equal("privateKey" in body, false);
  assert.equal("passphrase" in body, false);
  assert.equal("keyPath" in body, false);
  assert.deepEqual(body.checks, ["cpu > 90", "disk:/ > 80"]);

  form.controls.clearPassphrase.setValue(true);
  assert.equal(formValueToHostInput(form.getRawValue(), { editing: true }).passphrase, null);

  form.controls.keyMode.setValue("path");
  assert.equal(form.controls.privateKey.disabled, true);
  assert.equal(form.valid, false, "a key path is required in path mode");
  form.controls.keyPath.setValue(" /etc/hb/web1 ");
  const byPath = formValueToHostInput(form.getRawValue(), { editing: true });
  assert.equal(byPath.keyPath, "/etc/hb/web1");
  assert.equal("privateKey" in byPath, false);

  const pathHost = hostToFormValue(host({ privateKey: null, keyPath: "/k" }));
  assert.equal(pathHost.keyMode, "path");
  // A host with only a key path, switched to "paste a key", needs the key.
  const f2 = createHostForm({ ...pathHost, keyMode: "key" }, storedSecrets(host({ privateKey: null, keyPath: "/k" })));
  assert.deepEqual(f2.controls.privateKey.errors, { required: true });
});

test("checks and fingerprints are validated like the server does", () => {
  for (const ok of [
    "cpu > 90",
    "memory > 85",
    "mem>=1",
    "swap > 50",
    "load1 > 8",
    "disk:/ > 90",
    "disk > 95",
    "process:nginx >= 1",
    "cpu > 90%",
  ]) {
    assert.equal(checkProblem(ok), null, ok);
  }
  assert.match(checkProblem("cpu >> 9") ?? "", /Expected/);
  assert.match(checkProblem("cpu:x > 9") ?? "", /no ":" argument/);
  assert.match(checkProblem("disk:var > 9") ?? "", /absolute path/);
  assert.match(checkProblem("gpu > 9") ?? "", /Unknown metric "gpu"/);

  const form = createHostForm({ ...emptyHostValue(), checks: ["cpu > 90", "", "bogus > 1"] });
  assert.equal(form.controls.checks.at(1).errors, null, "an empty row is dropped, not an error");
  assert.ok(form.controls.checks.at(2).errors?.["check"]);
  assert.match(hostErrorMessage(form.controls.checks.at(2).errors, "Check"), /Unknown metric/);

  form.controls.hostKeyFingerprint.setValue("SHA256:short");
  assert.match(hostErrorMessage(form.controls.hostKeyFingerprint.errors, "Fingerprint"), /SHA256/);
  form.controls.hostKeyFingerprint.setValue(FP);
  assert.equal(form.controls.hostKeyFingerprint.errors, null);
  form.controls.port.setValue(70000);
  assert.match(hostErrorMessage(form.controls.port.errors, "Port"), /1 to 65535/);
  form.controls.interval.setValue(2);
  form.controls.intervalUnit.setValue("days");
  assert.match(hostErrorMessage(form.controls.interval.errors, "Interval"), /at most 1 day/);
});

test("422 fields land on their controls; checks[i] on the row the user typed", () => {
  assert.equal(hostControlPath("checks[2]"), "checks.2");
  assert.equal(hostControlPath("checks.0"), "checks.0");
  assert.equal(hostControlPath("intervalSeconds"), "interval");
  assert.equal(hostControlPath("hostKeyFingerprint"), "hostKeyFingerprint");
  assert.equal(hostControlPath("whatever"), null);

  const checks = ["cpu > 90", "", "memory > 85"];
  const form = createHostForm({ ...emptyHostValue(), checks });
  const rows = sentCheckRows(checks);
  assert.deepEqual(rows, [0, 2]);
  const rest = applyHostApiErrors(
    form,
    [
      { field: "checks[1]", message: "threshold out of range" },
      { field: "privateKey", message: "a private key in PEM or OpenSSH format" },
      { field: "hostKeyFingerprint", message: "a fingerprint as OpenSSH prints it" },
      { field: "nonsense", message: "x" },
    ],
    rows,
  );
  assert.equal(form.controls.checks.at(2).errors?.["server"], "Threshold out of range", "sent index 1 is form row 2");
  assert.equal(form.controls.checks.at(1).errors, null);
  assert.equal(form.controls.privateKey.errors?.["server"], "A private key in PEM or OpenSSH format");
  assert.equal(
    hostErrorMessage(form.controls.hostKeyFingerprint.errors, "Fingerprint"),
    "A fingerprint as OpenSSH prints it",
  );
  assert.deepEqual(
    rest.map((r) => r.field),
    ["nonsense"],
  );

  form.controls.keyMode.setValue("path");
  applyHostApiErrors(form, [{ field: "privateKey", message: "give either privateKey or keyPath" }]);
  assert.ok(form.controls.keyPath.errors?.["server"], "with a key path, a key error shows on the path");
});

test("a host's state from its last poll", () => {
  const base = { ok: true, startedAt: "2024-05-01T00:00:00Z", durationMs: 120, metrics, breaches: [], error: null };
  assert.equal(resultState(null), "pending");
  assert.equal(resultState(base), "ok");
  assert.equal(resultState({ ...base, ok: false, breaches: ["web1: cpu 95 > 90"] }), "breach");
  assert.equal(
    resultState({ ...base, ok: false, metrics: null, breaches: ["web1: unreachable"], error: "connect ECONNREFUSED" }),
    "error",
  );
  assert.equal(hostState(host({ lastResult: base })), "ok");
  assert.equal(hostState(host({ lastResult: base, enabled: false })), "disabled");
});

test("a poll's metrics as text; pseudo filesystems left out", () => {
  assert.deepEqual(
    metricRows(metrics).map((r) => r.value),
    ["12.3 %", "0.50 · 0.25 · 0.10", "41 %", "none"],
  );
  assert.deepEqual(
    diskRows(metrics).map((d) => [d.mount, d.used, d.size]),
    [
      ["/", "40.5 %", "50.0 GB"],
      ["/var", "95 %", "2.0 GB"],
    ],
  );
  assert.equal(percent(null), "—");
  assert.equal(sizeKb(512), "512 KB");
  assert.deepEqual(rangeBounds("day", 1_000_000_000), { from: 1_000_000_000 - 86_400_000, to: 1_000_000_000 });
});

test('samples -> series: swap only when present, one line per real mount ("/" first), failed polls and breaches marked', () => {
  const t0 = Date.parse("2024-05-01T12:00:00Z");
  const at = (i: number) => new Date(t0 + i * 60_000).toISOString();
  const samples: HostSample[] = [
    {
      at: at(0),
      durationMs: 100,
      ok: true,
      cpu: 10,
      memory: 50,
      swap: null,
      load1: 0.1,
      disks: [
        { mount: "/var", usedPercent: 60 },
        { mount: "/", usedPercent: 30 },
        { mount: "/dev/shm", usedPercent: 0 },
      ],
      error: null,
    },
    {
      at: at(1),
      durationMs: 100,
      ok: false,
      cpu: null,
      memory: null,
      swap: null,
      load1: null,
      disks: [],
      error: "connect ECONNREFUSED",
    },
    {
      at: at(2),
      durationMs: 100,
      ok: false,
      cpu: 99,
      memory: 52,
      swap: null,
      load1: 3,
      disks: [
        { mount: "/var", usedPercent: 61 },
        { mount: "/", usedPercent: 30 },
      ],
      error: null,
    },
  ];
  const c = hostCharts(samples);
  assert.deepEqual(
    c.memory.map((s) => s.key),
    ["memory"],
  );
  assert.deepEqual(
    c.disk.map((s) => s.label),
    ["/", "/var"],
  );
  assert.deepEqual(
    c.cpu[0].points.map((p) => p.v),
    [10, null, 99],
  );
  assert.deepEqual(
    c.marks.map((m) => m.kind),
    ["error", "breach"],
  );
  assert.match(c.marks[0].title, /ECONNREFUSED/);
  const withSwap = hostCharts([{ ...samples[0], swap: 5 }]);
  assert.deepEqual(
    withSwap.memory.map((s) => s.key),
    ["memory", "swap"],
  );
});

test("line chart: x over the whole range, y 0..100, breaks at missing values, dots for lone points", () => {
  const from = 0;
  const to = 100_000;
  const m = lineChartModel({
    width: 642,
    height: 122,
    from,
    to,
    series: [
      {
        key: "a",
        label: "A",
        points: [
          { t: 0, v: 0 },
          { t: 10_000, v: 50 },
          { t: 20_000, v: 100 },
          { t: 30_000, v: null },
          { t: 40_000, v: 20 },
          { t: 200_000, v: 1 },
        ],
      },
      { key: "b", label: "B", points: [] },
    ],
    marks: [
      { t: 30_000, kind: "error", title: "failed" },
      { t: 500_000, kind: "error", title: "outside" },
    ],
    maxPoints: 1000,
  });
  // plot: x 34..634 (600 px), y baseline 100 .. top 6
  assert.equal(m.left, 34);
  assert.equal(m.baseline, 100);
  assert.equal(m.lines[0].d, "M34 100 L94 53 L154 6", "one segment before the gap");
  assert.deepEqual(m.lines[0].dots, [{ x: 274, y: 81.2 }], "the lone point after the failed poll is a dot");
  assert.equal(m.lines[0].latestLabel, "20%", "the latest value in range (t=200000 is outside)");
  assert.equal(m.lines[0].color, 0);
  assert.equal(m.lines[1].d, "");
  assert.equal(m.lines[1].latestLabel, "—");
  assert.deepEqual(
    m.marks.map((k) => k.x),
    [214],
  );
  assert.deepEqual(
    m.yTicks.map((y) => y.label),
    ["0%", "50%", "100%"],
  );
  assert.equal(m.empty, false);
  assert.match(m.summary, /A latest 20%, max 100%; 1 failed poll/);

  const none = lineChartModel({ width: 300, height: 100, from, to, series: [{ key: "a", label: "A", points: [] }] });
  assert.equal(none.empty, true);
  assert.equal(none.summary, "No samples in this range");

  // A gap much longer than the usual spacing breaks the line even without a null.
  const gap = lineChartModel({
    width: 642,
    height: 122,
    from: 0,
    to: 100_000,
    maxPoints: 1000,
    series: [
      { key: "a", label: "A", points: [0, 1000, 2000, 3000, 60_000, 61_000, 62_000].map((t) => ({ t, v: 50 })) },
    ],
  });
  assert.equal((gap.lines[0].d.match(/M/g) ?? []).length, 2);
});

test("line chart helpers: downsampling averages, ticks on round times, typical gap", () => {
  const pts = Array.from({ length: 100 }, (_, i) => ({ t: i * 1000, v: i % 2 ? 10 : 20 }));
  const d = downsample(pts, 0, 100_000, 10);
  assert.equal(d.length, 10);
  assert.ok(d.every((p) => p.v === 15));
  assert.equal(downsample(pts, 0, 100_000, 1000).length, 100, "few points are kept as they are");
  assert.deepEqual(
    downsample(
      [
        { t: 0, v: null },
        { t: 1, v: null },
        { t: 50, v: 4 },
      ],
      0,
      100,
      2,
    ).map((p) => p.v),
    [null, 4],
  );
  assert.equal(typicalGap(pts), 1000);
  const hour = Date.parse("2024-05-01T12:07:00Z");
  const { step, ticks } = timeTicks(hour, hour + 3_600_000, 4);
  assert.equal(step, 15 * 60_000);
  assert.equal(ticks.length, 4);
  assert.ok(ticks.every((t) => new Date(t).getMinutes() % 15 === 0 && new Date(t).getSeconds() === 0));
});

test("the chart's time axis starts at the first sample when the range has nothing before it", () => {
  const to = Date.parse("2024-05-01T12:00:00Z");
  const bounds = { from: to - 3_600_000, to };
  assert.deepEqual(chartDomain(bounds, []), bounds);
  assert.deepEqual(chartDomain(bounds, [{ at: new Date(to - 7_200_000).toISOString() }]), bounds);
  assert.deepEqual(chartDomain(bounds, [{ at: new Date(to - 600_000).toISOString() }]), { from: to - 600_000, to });
  assert.deepEqual(
    chartDomain(bounds, [{ at: new Date(to - 5_000).toISOString() }]),
    { from: to - 60_000, to },
    "at least a minute",
  );
  const { step, ticks } = timeTicks(to - 60_000, to, 6);
  assert.equal(step, 10_000);
  assert.equal(ticks.length, 7, "both ends are on the 10-second grid");
  assert.match(timeLabel(ticks[1], step), /^\d\d:\d\d:\d\d$/);
  assert.match(timeLabel(ticks[1], 3_600_000), /^\d\d:\d\d$/);
});
