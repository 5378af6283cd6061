import { test } from "node:test";
import assert from "node:assert/strict";
import {
  badgeJson,
  newBadgeKey,
  parseBadgeFile,
  renderBadgeSvg,
  textWidth,
  worstStatus,
  BADGE_KEY_PATTERN,
} from "../../core/monitor/badge.ts";

test("a tag's badge shows the worst status of its monitors", () => {
  assert.equal(worstStatus(["up", "late", "up"]), "late");
  assert.equal(worstStatus(["up", "down", "late", "paused"]), "down");
  assert.equal(worstStatus(["new", "up"]), "up");
  assert.equal(worstStatus(["paused", "new"]), "new");
  assert.equal(worstStatus(["paused"]), "paused");
  assert.equal(worstStatus([]), "unknown");
});

test("the JSON is shields.io's endpoint format, coloured by status", () => {
  assert.deepEqual(badgeJson("backup", "up"), {
    schemaVersion: 1,
    label: "backup",
    message: "up",
    color: "brightgreen",
  });
  assert.equal(badgeJson("x", "late").color, "orange");
  assert.equal(badgeJson("x", "down").color, "red");
  assert.equal(badgeJson("x", "new").color, "lightgrey");
  assert.equal(badgeJson("x", "paused").color, "lightgrey");
});

test("the SVG carries label and status, sized to its text, coloured by status", () => {
  const up = renderBadgeSvg("nightly backup", "up");
  assert.match(up, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(up, /<title>nightly backup: up<\/title>/);
  assert.match(up, /fill="#4c1"/);
  assert.match(renderBadgeSvg("x", "down"), /fill="#e05d44"/);
  assert.match(renderBadgeSvg("x", "late"), /fill="#fe7d37"/);
  const width = (svg: string) => Number(/width="(\d+)"/.exec(svg)![1]);
  assert.ok(width(renderBadgeSvg("a much longer label than that", "up")) > width(up));
  assert.ok(textWidth("WWW") > textWidth("iii"));
});

test("label text is XML-escaped: a label cannot inject markup", () => {
  const svg = renderBadgeSvg(`<script>alert(1)</script>"&'`, "up");
  assert.ok(!svg.includes("<script>"));
  assert.ok(svg.includes("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&apos;"));
  // Every attribute is still well-formed: no quote from the label ends one.
  assert.ok(!/aria-label="[^"]*"[^ >/]/.test(svg));
});

test("badge keys are random, URL-safe and only keys parse as badge files", () => {
  const k = newBadgeKey();
  assert.match(k, BADGE_KEY_PATTERN);
  assert.notEqual(k, newBadgeKey());
  assert.deepEqual(parseBadgeFile(`${k}.svg`), { key: k, format: "svg" });
  assert.deepEqual(parseBadgeFile(`${k}.json`), { key: k, format: "json" });
  assert.equal(parseBadgeFile(`${k}.png`), null);
  assert.equal(parseBadgeFile("short.svg"), null);
  assert.equal(parseBadgeFile(`${k}`), null);
  assert.equal(parseBadgeFile(`../${k}.svg`), null);
});
