// The badge dialog's addresses: absolute SVG and JSON URLs (PUBLIC_URL's as the server gives them), and a shields.io endpoint URL that
// carries the JSON URL as one encoded query value.

import { test } from "node:test";
import assert from "node:assert/strict";
import { badgeLinks } from "../../dashboard/src/app/badges/badge-links.ts";

test("badge links: SVG, JSON and shields.io, absolute, under the dashboard's origin", () => {
  const urls = { svg: "/badge/Ab_c-9.svg", json: "/badge/Ab_c-9.json" };
  assert.deepEqual(badgeLinks("https://hb.example.com/", urls), [
    { id: "svg", url: "https://hb.example.com/badge/Ab_c-9.svg" },
    { id: "json", url: "https://hb.example.com/badge/Ab_c-9.json" },
    {
      id: "shields",
      url: "https://img.shields.io/endpoint?url=https%3A%2F%2Fhb.example.com%2Fbadge%2FAb_c-9.json",
    },
  ]);
  const shields = new URL(badgeLinks("http://127.0.0.1:8080", urls)[2]!.url);
  assert.equal(shields.searchParams.get("url"), "http://127.0.0.1:8080/badge/Ab_c-9.json");
  assert.equal([...shields.searchParams.keys()].length, 1, "the JSON URL is one value, not split into more");
  // With PUBLIC_URL the server's URLs are absolute already: they are kept, not put under this origin.
  const pub = { svg: "https://status.example.org/badge/k.svg", json: "https://status.example.org/badge/k.json" };
  assert.deepEqual(
    badgeLinks("http://10.0.0.5:5827", pub).map((l) => l.url),
    [pub.svg, pub.json, `https://img.shields.io/endpoint?url=${encodeURIComponent(pub.json)}`],
  );
});
