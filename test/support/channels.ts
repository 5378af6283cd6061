// What the channel plugin tests (test/integration/channels/) share: the alerts they send, a
// receiver per test, the assertions on a send's result, and the example credentials whose
// leaking into an error message they look for.

import type { TestContext } from "node:test";
import assert from "node:assert/strict";
import { renderAlert } from "../../core/alerts/alert.ts";
import type { AlertFacts } from "../../core/alerts/alert.ts";
import type { Alert, SendResult } from "../../plugins/channel.ts";
import { createHttpIO } from "../../plugins/http.ts";
import { startReceiver } from "./receiver.ts";
import { at, downFacts as sharedDownFacts } from "./alert-facts.ts";
import type { Receiver } from "./receiver.ts";

export const DASHBOARD = "https://hb.example.com/monitors/7?tab=flips&x=1";
export const NASTY =
  "disk <b>full</b> & \"quoted\" 'single'\n```\nrm -rf `pwd` *bold* _it_ <@everyone>\n```\nlast line";

/** Example credentials, each checked never to appear in an error message. */
export const BOT = "123456789:AAHsecret-TOKEN_value0123456789abcdefg";
export const ROUTING = "R0123456789abcdef0123456789ABCDE";
export const GENIE = "eb243592-faa2-4ba2-a551-1afdf565c889";

// The alert tests' down flip, as flip 11 and with a dashboard link.
export const downFacts: AlertFacts = {
  ...sharedDownFacts,
  flip: { ...sharedDownFacts.flip, id: 11 },
  dashboardUrl: DASHBOARD,
};

export function alertOf(facts: AlertFacts, channel = 3): Alert {
  return {
    event: facts.event,
    idempotencyKey: `flip-${facts.flip.id}:ch-${channel}${facts.reminder ? `:r${facts.reminder}` : ""}`,
    incidentKey: `hb-7-11/ch ${channel}`,
    facts,
    rendered: renderAlert(facts),
  };
}

export const down = () => alertOf(downFacts);
export const up = () =>
  alertOf({
    ...downFacts,
    event: "up",
    raisedAt: at + 3_723_000,
    flip: { id: 12, from: "down", to: "up", reason: "ping", at: at + 3_723_000, expectedAt: null },
    downSince: at,
    lastPingAt: at + 3_723_000,
  });
export const failure = (data = NASTY) =>
  alertOf({
    ...downFacts,
    event: "failure",
    flip: { ...downFacts.flip, from: "up", reason: "failure", expectedAt: null },
    failure: { data, exitStatus: 2, truncated: false },
  });
/** A down alert held while its parent was down, then released. */
export const released = () => alertOf({ ...downFacts, held: { kind: "parent", detail: "db server" } });
export const testAlert = () =>
  alertOf({ ...downFacts, event: "test", monitor: { ...downFacts.monitor, name: "ops channel" }, dashboardUrl: null });
export const longName = (a: Alert, name: string) => alertOf({ ...a.facts, monitor: { ...a.facts.monitor, name } });

/** The `io` the notifier uses, with private addresses allowed for the local receiver. */
export const io = createHttpIO({ timeoutMs: 2000, allowPrivate: true });

/** A receiver closed when the test ends. */
export async function receiver(t: TestContext): Promise<Receiver> {
  const rx = await startReceiver();
  t.after(() => rx.close());
  return rx;
}

export function assertOk(r: SendResult): void {
  assert.equal(r.ok, true, r.ok ? "" : r.error);
}

/** Asserts a failure with this retryability (and message); returns the message. */
export function assertFailed(r: SendResult, retryable: boolean, pattern?: RegExp): string {
  assert.equal(r.ok, false, "expected a failure");
  if (r.ok) return "";
  assert.equal(r.retryable, retryable, `retryable: ${r.error}`);
  if (pattern) assert.match(r.error, pattern);
  return r.error;
}
