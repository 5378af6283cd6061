// Moleculer's Prometheus text puts a counter's `_rate` line among the counter's own samples;
// the strict exposition reader refuses that as a split family. withoutRateLines leaves a text
// the reader accepts, with every real sample kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import { withoutRateLines } from "../../bin/ops-server.ts";
import { parseExposition } from "../support/exposition.ts";

// As Moleculer's reporter wrote it in a failing CI run (labels shortened).
const MOLECULER = `# HELP moleculer_request_total Number of requests
# TYPE moleculer_request_total counter
moleculer_request_total{action="gateway.rest"} 41
moleculer_request_total_rate{action="gateway.rest"} 227.63578274760383
moleculer_request_total{action="registry.ready"} 1
# HELP moleculer_request_active Number of active requests
# TYPE moleculer_request_active gauge
moleculer_request_active{action="gateway.rest"} 0
moleculer_request_active_rate{action="gateway.rest"} 1.5

`;

test("Moleculer's own text is refused by the strict reader while a rate is non-zero", () => {
  assert.throws(() => parseExposition(MOLECULER), /samples of moleculer_request_total are split/);
});

test("without the rate lines it is valid exposition, every other sample kept", () => {
  const e = parseExposition(withoutRateLines(MOLECULER));
  assert.deepEqual(
    e.samples.map((s) => `${s.name} ${s.labels.action} ${s.value}`),
    [
      "moleculer_request_total gateway.rest 41",
      "moleculer_request_total registry.ready 1",
      "moleculer_request_active gateway.rest 0",
    ],
  );
});

test("a family whose own name ends in _rate is kept", () => {
  const text = "# HELP x_rate r\n# TYPE x_rate gauge\nx_rate 3\n";
  assert.equal(withoutRateLines(text), text);
});
