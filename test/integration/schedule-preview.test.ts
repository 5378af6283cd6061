// The schedule preview (registry.preview) against the reference run times: every line of the three
// vector files (cronsim for Debian cron, robfig/cron v3 for Kubernetes, systemd-analyze for
// OnCalendar) asked of the action with `from`, and the DST notes it gives, with a body's params and
// with a query string's (all strings). Plus its refusals, each a 422 naming the field. On an
// in-process broker: the routes themselves (GET and POST /api/v1/schedule/preview) are
// test/e2e/api-contract.test.ts's.

import { before, after, test } from "node:test";
import assert from "node:assert/strict";
import { startBroker, type TestBroker } from "../support/broker.ts";
import { scheduleVectors, type ScheduleVector } from "../support/schedule-vectors.ts";

let hb: TestBroker;

type Vector = ScheduleVector;
const vectors = scheduleVectors;

before(async () => {
  hb = await startBroker({ services: ["registry"] });
});

after(() => hb?.stop());

/** What the action answers, or its error as the gateway would send it: the status and the error's data. */
async function preview(params: Record<string, unknown>): Promise<{ status: number; body: any }> {
  try {
    return { status: 200, body: await hb.call("registry.preview", params) };
  } catch (err) {
    const e = err as { code?: number; message: string; data?: unknown };
    return { status: e.code ?? 500, body: { message: e.message, data: e.data } };
  }
}

/** Asks the action for each vector's runs, 16 calls at a time; returns the disagreements. */
async function disagreements(set: Vector[], body: (v: Vector) => Record<string, unknown>): Promise<string[]> {
  const bad: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < set.length) {
      const v = set[next++]!;
      const r = await preview({
        ...body(v),
        timezone: v.zone,
        from: v.from,
        count: v.runs.length,
      });
      const got =
        r.status === 200
          ? r.body.runs.map((x: { expectedAt: string }) => Date.parse(x.expectedAt))
          : [`HTTP ${r.status} ${JSON.stringify(r.body)}`];
      if (got.join() !== v.runs.join()) {
        bad.push(
          `"${v.expr}" ${v.zone} from ${new Date(v.from).toISOString()}: want ${v.runs.map((t) => new Date(t).toISOString()).join(" ")}, got ${got.map((t: number) => (typeof t === "number" ? new Date(t).toISOString() : t)).join(" ")}`,
        );
      }
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  return bad;
}

test("Debian cron (dialect cron): the preview agrees with every line computed by cronsim", async () => {
  const set = vectors("cron");
  const bad = await disagreements(set, (v) => ({ kind: "cron", expression: v.expr, dialect: "cron" }));
  assert.equal(bad.length, 0, `${bad.length} of ${set.length} disagree:\n${bad.slice(0, 5).join("\n")}`);
});

test("Kubernetes (dialect kubernetes): the preview agrees with every line computed by robfig/cron v3", async () => {
  const set = vectors("kubernetes");
  const bad = await disagreements(set, (v) => ({ kind: "cron", expression: v.expr, dialect: "kubernetes" }));
  assert.equal(bad.length, 0, `${bad.length} of ${set.length} disagree:\n${bad.slice(0, 5).join("\n")}`);
});

test("OnCalendar: the preview agrees with every line computed by systemd-analyze", async () => {
  const set = vectors("oncalendar");
  const bad = await disagreements(set, (v) => ({ kind: "oncalendar", expressions: [v.expr] }));
  assert.equal(bad.length, 0, `${bad.length} of ${set.length} disagree:\n${bad.slice(0, 5).join("\n")}`);
});

test("DST notes: in the answer, to a body's params and a query string's, with from as ISO 8601", async () => {
  const post = await preview({
    kind: "cron",
    expression: "30 2 * * *",
    timezone: "Europe/Berlin",
    from: "2026-03-28T12:00:00Z",
    count: 2,
  });
  assert.equal(post.status, 200, JSON.stringify(post.body));
  assert.equal(post.body.from, "2026-03-28T12:00:00.000Z");
  assert.equal(post.body.schedule.dialect, "cron");
  assert.deepEqual(
    post.body.runs.map((r: { expectedAt: string }) => r.expectedAt),
    ["2026-03-29T01:00:00.000Z", "2026-03-30T00:30:00.000Z"],
  );
  assert.equal(post.body.runs[0].note, "02:30 does not exist on 2026-03-29 (Europe/Berlin); cron runs it at 03:00");
  assert.equal(post.body.runs[0].clockChange.kind, "moved");
  assert.equal(post.body.runs[1].note, undefined);

  // A query string's params, as the gateway passes GET's on: every one a string.
  const get = await preview({
    kind: "cron",
    expression: "30 2 * * *",
    timezone: "Europe/Berlin",
    dialect: "kubernetes",
    from: "2026-03-28T12:00:00+01:00",
    count: "1",
  });
  assert.equal(get.status, 200, JSON.stringify(get.body));
  assert.equal(get.body.runs[0].expectedAt, "2026-03-30T00:30:00.000Z");
  assert.equal(get.body.runs[0].note, "02:30 does not exist on 2026-03-29 (Europe/Berlin); Kubernetes does not run it");

  const oc = await preview({
    kind: "oncalendar",
    expressions: "*-*-* 02:30\nSat 10:00",
    timezone: "Europe/Berlin",
    from: "1774699200000",
    count: "2",
  });
  assert.equal(oc.status, 200, JSON.stringify(oc.body));
  assert.deepEqual(oc.body.schedule.expressions, ["*-*-* 02:30", "Sat 10:00"]);
  assert.ok(oc.body.runs[0].note, JSON.stringify(oc.body.runs));
});

test("preview refusals are 422s naming the field", async () => {
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ kind: "cron", expression: "0 3 * * *", from: "yesterday" }, "from"],
    [{ kind: "cron", expression: "0 3 * * *", from: "2026-03-28T12:00:00" }, "from"],
    [{ kind: "cron", expression: "0 3 * * *", from: -5 }, "from"],
    [{ kind: "cron", expression: "0 3 * * *", dialect: "systemd" }, "dialect"],
    [{ kind: "cron", expression: "0 0 * * 7", dialect: "kubernetes" }, "expression"],
    [{ kind: "oncalendar", expressions: ["Mon..Fri 09:00", "Mnn 10:00"] }, "expressions[1]"],
    [{ kind: "oncalendar", expressions: [] }, "expressions"],
    [{ kind: "oncalendar" }, "expressions"],
  ];
  for (const [body, field] of cases) {
    const r = await preview(body);
    assert.equal(r.status, 422, `${JSON.stringify(body)} -> ${r.status} ${JSON.stringify(r.body)}`);
    assert.ok(
      JSON.stringify(r.body).includes(`"${field}"`),
      `${JSON.stringify(body)} names ${field}: ${JSON.stringify(r.body)}`,
    );
  }
});
