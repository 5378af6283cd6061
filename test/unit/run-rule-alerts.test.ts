// What the alerts of the run rules (issue 18) say: too fast, too often, unexpected runs and the
// failure rate, in both locales, as which event, in the webhook payload, and through every chat
// channel's message builder (each renders the same summary, escaped for its target).

import { test } from "node:test";
import assert from "node:assert/strict";
import { renderAlert, eventOf, type AlertFacts } from "../../core/alerts/alert.ts";
import { at, downFacts } from "../support/alert-facts.ts";
import { payload } from "../../plugins/webhook.ts";
import { messageText } from "../../plugins/telegram.ts";
import { message as slack } from "../../plugins/slack.ts";
import { message as discord } from "../../plugins/discord.ts";
import { message as gotify } from "../../plugins/gotify.ts";
import { message as ntfy } from "../../plugins/ntfy.ts";
import { message as teams } from "../../plugins/teams.ts";
import { createBody as opsgenie } from "../../plugins/opsgenie.ts";
import { event as pagerduty } from "../../plugins/pagerduty.ts";
import type { FlipReason } from "../../core/monitor/monitor-status.ts";

const rule = {
  minRunSeconds: 60,
  minGapSeconds: 600,
  previousRunAt: at - 12_000,
  failureRate: { failures: 3, runs: 5 },
};

function facts(reason: FlipReason, extra: Partial<AlertFacts> = {}): AlertFacts {
  const flip = { ...downFacts.flip, from: "up" as const, to: "down" as const, reason, expectedAt: null };
  return { ...downFacts, event: eventOf(flip)!, flip, rule, ...extra };
}

test("the run rules' flips are alerted: a broken rule as a failure report, the failure rate as down", () => {
  for (const reason of ["too-fast", "too-often", "unexpected-run"] as const)
    assert.equal(eventOf({ from: "up", to: "down", reason }), "failure", reason);
  assert.equal(eventOf({ from: "late", to: "down", reason: "failure-rate" }), "down");
});

test("each rule's summary states its numbers, in English and in Chinese", () => {
  const fast = facts("too-fast", { run: { durationMs: 2000, medianMs: null } });
  assert.equal(renderAlert(fast).subject, "[Heartbeats] FAILED: nightly-backup — ran 2.0s; at least 1m expected");
  assert.equal(renderAlert(fast, "zh-Hans").summary, "运行仅 2.0秒；预期至少 1分");
  assert.match(renderAlert(fast).text, /Reason:\s+a run finished sooner than its minimum run time/);

  const often = facts("too-often");
  assert.equal(renderAlert(often).summary, "ran again after 12.0s; at least 10m apart expected");
  assert.match(renderAlert(often).text, /Previous run:\s+2026-11-24 16:04:48 Asia\/Shanghai/);
  assert.equal(renderAlert(often, "zh-Hans").summary, "间隔 12.0秒 后再次运行；预期间隔至少 10分");
  assert.match(renderAlert(often, "zh-Hans").text, /上次运行:/);

  const unexpected = facts("unexpected-run");
  assert.equal(renderAlert(unexpected).summary, "a run came at no scheduled time, nor within its grace");
  assert.equal(renderAlert(unexpected, "zh-Hans").summary, "在非计划时间运行，且不在宽限期内");

  const rate = facts("failure-rate");
  assert.equal(renderAlert(rate).subject, "[Heartbeats] DOWN: nightly-backup — 3 of the last 5 runs failed");
  assert.equal(renderAlert(rate, "zh-Hans").summary, "最近 5 次运行中有 3 次失败");
  // Without the rule's numbers (a monitor deleted since) the reason stands alone.
  assert.equal(renderAlert(facts("failure-rate", { rule: null })).summary, "too many of the last runs failed");
});

test("the webhook payload carries the reason and the rule's numbers, only for the rules' reasons", () => {
  const alert = (f: AlertFacts) => ({
    event: f.event,
    idempotencyKey: "k",
    incidentKey: "i",
    facts: f,
    rendered: renderAlert(f),
  });
  const p = payload(alert(facts("too-often")));
  assert.equal(p.flip.reason, "too-often");
  assert.deepEqual(p.rule, {
    minRunSeconds: 60,
    minGapSeconds: 600,
    previousRunAt: new Date(at - 12_000).toISOString(),
    failureRate: { failures: 3, runs: 5 },
  });
  assert.equal(payload(alert({ ...downFacts, rule })).rule, null, "a missed deadline is no rule's");
});

test("every chat channel renders a rule's alert with its summary", () => {
  const f = facts("too-fast", { run: { durationMs: 2000, medianMs: null } });
  const alert = { event: f.event, idempotencyKey: "k", incidentKey: "i", facts: f, rendered: renderAlert(f) };
  const said = {
    telegram: messageText(alert),
    slack: JSON.stringify(slack(alert)),
    discord: JSON.stringify(discord(alert)),
    gotify: JSON.stringify(gotify(alert)),
    ntfy: JSON.stringify(ntfy(alert, "topic")),
    teams: JSON.stringify(teams(alert)),
    opsgenie: JSON.stringify(opsgenie(alert, { priority: "P3" })),
    pagerduty: JSON.stringify(pagerduty(alert, { routingKey: "R0123456789abcdef0123456789ABCDE" } as never)),
  };
  for (const [channel, text] of Object.entries(said))
    assert.match(text.replace(/\\\\/g, "\\").replace(/\\(.)/g, "$1"), /ran 2\.0s; at least 1m expected/, channel);
});
