// test-runner: alone (it times real work against the machine: see test/run.ts)
// Scale-out under faults, the short variant kept in CI (the full minute is bench/scale-out.ts):
// gateway ×1, registry ×1, ingest ×2, checker ×2, notifier ×2 as separate OS processes on the
// real NATS and MariaDB; 2,000 monitors under 500 pings/s; one checker and one notifier
// SIGKILLed midway and replaced. Nothing acknowledged is lost, every missed deadline flips
// exactly once, and every flip reaches the receiving server under one key.

import { test } from "node:test";
import assert from "node:assert/strict";
import { needs } from "../support/services.ts";
import { runScaleOut } from "../support/scale-out.ts";

const skip = await needs(["mariadb", "nats"]);

test(
  "scale-out: 8 processes, a checker and a notifier killed under 500 pings/s",
  { skip, timeout: 300_000 },
  async () => {
    const r = await runScaleOut({
      monitors: 2000,
      dying: 300,
      rate: 500,
      seconds: 30,
      log: (l) => console.log(`# ${l}`),
    });
    console.log(`# scale-out report ${JSON.stringify(r)}`);

    const m = r.sameMonitor;
    assert.equal(m.acknowledged, m.sent, "200 concurrent pings of one monitor all acknowledged");
    assert.equal(m.stored, m.acknowledged, "and all stored");
    assert.ok(
      m.perIngest.every((n) => n > 0),
      `both ingest replicas took a share: ${m.perIngest}`,
    );
    assert.equal(m.perIngest[0]! + m.perIngest[1]!, m.sent);
    assert.ok(m.lastPingIsNewest, "the monitor's last ping is the newest stored");
    assert.equal(m.status, "up");
    // Every ping sent was answered 2xx: a graceful stop of an ingest replica under load and the
    // SIGKILLed checker and notifier cost the pinging jobs nothing. ("backlog" counts pings the
    // load generator could not even send because 1,000 were unanswered: a machine too busy to
    // offer 500/s, not a refusal.)
    const { backlog = 0, ...refusals } = r.refused;
    assert.deepEqual(refusals, {}, "no ping refused by the server");
    assert.equal(r.acknowledged + backlog, r.offered);
    assert.ok(backlog < 0.1 * r.offered, `the machine offered most of the load: ${backlog} of ${r.offered} not sent`);
    assert.equal(r.ingestStop.code, 0, `ingest stopped gracefully: ${r.ingestStop.line}`);
    assert.match(r.ingestStop.line, /stopped in \d+ ms/, "the stop ran to its end");
    assert.deepEqual(r.pingMismatches, [], "every acknowledged ping is stored, and only those");
    assert.equal(r.stored, r.acknowledged);
    assert.deepEqual(r.flipErrors, [], "each dying monitor flipped down once, for no-ping; no steady monitor flipped");
    assert.equal(r.downFlips, r.dying);
    // A flip is never before its deadline (the monitor's down_at, which a down flip keeps).
    assert.ok(r.detectionMs.min >= 0, `detection delays ${JSON.stringify(r.detectionMs)}`);
    assert.equal(r.deliveries.missing, 0, "every down flip reached the receiver");
    assert.equal(r.deliveries.unexpected, 0, "no alert the flips do not account for");
    assert.equal(r.deliveries.distinctKeys, r.dying, "one alert per flip and channel");
    // A repeated key is a request in flight when its notifier was killed, sent again under the same key.
    assert.ok(r.deliveries.repeatedKeys <= 50, `repeats ${r.deliveries.repeatedKeys}`);
    // the two live checkers split the monitors instead of each watching all of them
    const watched = r.checkerShares.map((line) => Number(line.match(/(?:watches|watching) (\d+)/)?.[1] ?? NaN));
    assert.equal(watched.length, 2, r.checkerShares.join("; "));
    for (const n of watched) assert.ok(n > 0.3 * 2000 && n < 0.7 * 2000, r.checkerShares.join("; "));
    assert.ok(r.takeoverMs < 15_000, `takeover in ${r.takeoverMs} ms`);
    assert.ok(r.detectionMs.max < 20_000, `detection max ${r.detectionMs.max} ms`);
  },
);
