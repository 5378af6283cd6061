// A restore's parents (registry.import on an in-process broker): parents are named by code, may
// come later in the file or be stored already, and are checked as the API checks them — an
// unknown code or a cycle is a 422 naming the monitor's dependsOn, and nothing of the import is
// kept. A running snooze comes back; one that ended before the restore does not.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../support/broker.ts";

let hb: TestBroker;

before(async () => {
  hb = await startBroker({ services: ["registry"] });
});

after(() => hb?.stop());

const schedule = { kind: "interval", periodSeconds: 60, graceSeconds: 60 };
const spec = (code: string, extra: Record<string, unknown> = {}) => ({
  code,
  name: code,
  description: null,
  schedule,
  tags: [],
  paused: false,
  channels: [],
  origin: code,
  ...extra,
});
const plan = (monitors: object[]) => ({ channels: [], monitors, skipped: [] });
const byCode = async () =>
  new Map(
    ((await hb.call("registry.list", { limit: 500 })).items as { code: string; id: number }[]).map((m) => [m.code, m]),
  );

test("an unknown parent code or a cycle is a 422 naming dependsOn, and nothing is kept", async () => {
  const unknown = await hb.refusal("registry.import", plan([spec("orphan", { dependsOn: ["nobody"] })]));
  assert.deepEqual(unknown.fields, ["monitors[0].dependsOn"]);
  const cycle = await hb.refusal(
    "registry.import",
    plan([spec("cyc-a", { dependsOn: ["cyc-b"] }), spec("cyc-b", { dependsOn: ["cyc-a"] })]),
  );
  assert.deepEqual(cycle.fields, ["monitors[1].dependsOn"]);
  assert.equal((await byCode()).size, 0, "the refused imports left nothing");
});

test("parents by code, later in the file or already stored; a running snooze comes back", async () => {
  await hb.call("registry.import", plan([spec("stored-parent")]));
  const future = Date.now() + 3_600_000;
  const report = await hb.call(
    "registry.import",
    plan([
      spec("child", { dependsOn: ["later-parent", "stored-parent"], snoozedUntil: future }),
      spec("later-parent", { snoozedUntil: Date.now() - 1000 }),
    ]),
  );
  assert.equal(report.counts.created, 2);
  const m = await byCode();
  const child = await hb.call("registry.get", { id: m.get("child")!.id });
  assert.deepEqual(
    child.parents.map((p: { name: string }) => p.name),
    ["later-parent", "stored-parent"],
  );
  assert.equal(child.snoozedUntil, new Date(future).toISOString());
  const later = await hb.call("registry.get", { id: m.get("later-parent")!.id });
  assert.equal(later.snoozedUntil, null, "a snooze that ended is not restored");
  assert.deepEqual(
    later.children.map((c: { name: string }) => c.name),
    ["child"],
  );
  // A second restore finds them present and changes no links.
  const again = await hb.call(
    "registry.import",
    plan([spec("child", { dependsOn: ["stored-parent"] }), spec("later-parent")]),
  );
  assert.equal(again.counts.present, 2);
  assert.equal((await hb.call("registry.get", { id: m.get("child")!.id })).parents.length, 2);
});
