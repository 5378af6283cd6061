import { test } from "node:test";
import assert from "node:assert/strict";
import {
  parseSignal,
  originalSignal,
  boundData,
  queryParam,
  NotUtf8Error,
  outcomeOf,
} from "../../core/monitor/ping.ts";

test("signals of /ping/CODE/<signal>", () => {
  assert.deepEqual(parseSignal(undefined), { kind: "success", exitStatus: null });
  assert.deepEqual(parseSignal("start"), { kind: "start", exitStatus: null });
  assert.deepEqual(parseSignal("fail"), { kind: "fail", exitStatus: null });
  assert.deepEqual(parseSignal("log"), { kind: "log", exitStatus: null });
  assert.deepEqual(parseSignal("0"), { kind: "success", exitStatus: 0 });
  assert.deepEqual(parseSignal("255"), { kind: "fail", exitStatus: 255 });
  for (const bad of ["256", "-1", "1.5", "stop", "0001", "1e2"]) assert.equal(parseSignal(bad), null, bad);
});

test("the original URL: non-empty data is a failure report, empty or blank data is not", () => {
  assert.equal(originalSignal(null).kind, "success");
  assert.equal(originalSignal("").kind, "success");
  assert.equal(originalSignal("  ").kind, "success");
  assert.equal(originalSignal("disk full").kind, "fail");
  assert.equal(outcomeOf("fail"), "failure");
});

test("data is kept whole up to the limit and cut on a character boundary past it", () => {
  assert.deepEqual(boundData(Buffer.from("hello"), 10), { data: "hello", truncated: false });
  assert.deepEqual(boundData(Buffer.from(""), 10), { data: null, truncated: false });
  assert.deepEqual(boundData(Buffer.from("abcdefghijkl"), 10), { data: "abcdefghij", truncated: true });
  // "é" is two bytes: a limit that falls inside it keeps the character out, never half of it.
  assert.deepEqual(boundData(Buffer.from("aaaaaaaaaé"), 10), { data: "aaaaaaaaa", truncated: true });
  assert.deepEqual(boundData(Buffer.from("€€€€"), 7), { data: "€€", truncated: true });
  assert.deepEqual(boundData(Buffer.from("abc"), 10, true), { data: "abc", truncated: true });
});

test("bytes that are not UTF-8 are refused", () => {
  assert.throws(() => boundData(Buffer.from([0x61, 0xff, 0x62]), 100), NotUtf8Error);
  assert.throws(() => boundData(Buffer.from([0xc3]), 100), NotUtf8Error);
});

test("query parameters: percent and plus decoding, last occurrence wins, raw bytes kept", () => {
  assert.equal(queryParam("service=abc&&data=disk+full%21", "data")!.toString(), "disk full!");
  assert.equal(queryParam("service=abc&&data=123", "service")!.toString(), "abc");
  assert.equal(queryParam("data=1&data=2", "data")!.toString(), "2");
  assert.equal(queryParam("service=abc", "data"), null);
  assert.equal(queryParam("data", "data")!.toString(), "");
  assert.deepEqual([...queryParam("data=%FF", "data")!], [0xff]);
  assert.equal(queryParam("data=%E2%82%AC", "data")!.toString(), "€");
  assert.equal(queryParam("data=100%", "data")!.toString(), "100%");
});
