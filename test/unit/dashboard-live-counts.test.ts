// The monitor list under live events: rows, total and status counts move together from the event
// (or the event asks for an immediate reload), and "down since" replaces a next due in the past.

import { test } from "node:test";
import assert from "node:assert/strict";
import { applyLiveEvent, type ListState, type LiveRow } from "../../dashboard/src/app/monitors/live-counts.ts";
import { overdueSince, overdueText } from "../../dashboard/src/app/monitors/down-since.ts";

const row = (id: number, status: LiveRow["status"], name = `m${id}`, tags: string[] = []): LiveRow => ({
  id,
  status,
  name,
  tags,
});
const all = { searching: false, status: "" as const, pageIndex: 0 };
const counts = { new: 1, up: 1, late: 0, down: 0, paused: 0 };
const state = (): ListState<LiveRow> => ({ items: [row(1, "new"), row(2, "up")], total: 2, counts: { ...counts } });

test("a status change moves one from the old status's count to the new one's, with the row", () => {
  const next = applyLiveEvent(state(), { type: "monitor", monitor: row(1, "up") }, all);
  assert.ok(next);
  assert.deepEqual(next.state.counts, { new: 0, up: 2, late: 0, down: 0, paused: 0 });
  assert.deepEqual(
    next.state.items.map((x) => x.status),
    ["up", "up"],
  );
  assert.equal(next.reorder, true);
  const ping = applyLiveEvent(state(), { type: "monitor", monitor: row(2, "up") }, all);
  assert.deepEqual(ping?.state.counts, counts, "a ping that keeps the status changes no count");
  assert.equal(ping?.reorder, false);
});

test("created and deleted monitors count when the page holds the whole unfiltered list", () => {
  const created = applyLiveEvent(state(), { type: "monitor", monitor: row(3, "new") }, all);
  assert.equal(created?.state.total, 3);
  assert.equal(created?.state.counts?.new, 2);
  assert.equal(created?.state.items.length, 3);
  const deleted = applyLiveEvent(state(), { type: "deleted", id: 2 }, all);
  assert.equal(deleted?.state.total, 1);
  assert.equal(deleted?.state.counts?.up, 0);
  assert.deepEqual(
    deleted?.state.items.map((x) => x.id),
    [1],
  );
});

test("what the page cannot count asks for an immediate reload", () => {
  const paged = { ...state(), total: 120 };
  assert.equal(
    applyLiveEvent(paged, { type: "monitor", monitor: row(99, "down") }, all),
    null,
    "a row on another page",
  );
  assert.equal(applyLiveEvent(paged, { type: "deleted", id: 99 }, all), null);
  const searching = { ...all, searching: true };
  assert.equal(
    applyLiveEvent(state(), { type: "monitor", monitor: row(3, "new") }, searching),
    null,
    "new, or an old one that now matches",
  );
  assert.equal(
    applyLiveEvent(state(), { type: "monitor", monitor: row(1, "new", "renamed") }, searching),
    null,
    "renamed under a text search: the server decides whether it still matches",
  );
  assert.equal(
    applyLiveEvent(state(), { type: "monitor", monitor: row(9, "up") }, { ...all, status: "up" }),
    null,
    "under a status filter an unknown monitor's old status is unknown",
  );
  assert.equal(applyLiveEvent({ ...state(), counts: null }, { type: "deleted", id: 1 }, all), null);
});

test("under a search a known row still counts; under a status filter a row leaving the status leaves the page", () => {
  const searching = applyLiveEvent(state(), { type: "monitor", monitor: row(1, "down") }, { ...all, searching: true });
  assert.deepEqual(searching?.state.counts, { new: 0, up: 1, late: 0, down: 1, paused: 0 });
  const upOnly: ListState<LiveRow> = { items: [row(2, "up")], total: 1, counts: { ...counts } };
  const left = applyLiveEvent(upOnly, { type: "monitor", monitor: row(2, "down") }, { ...all, status: "up" });
  assert.deepEqual(left?.state.items, []);
  assert.equal(left?.state.total, 0);
  assert.deepEqual(left?.state.counts, { new: 1, up: 0, late: 0, down: 1, paused: 0 });
  const gone = applyLiveEvent(state(), { type: "deleted", id: 7 }, { ...all, searching: true });
  assert.deepEqual(gone?.state.counts, counts, "a deleted monitor not in the whole search did not match");
});

test("a down monitor, or a late one past its next due, says since when", () => {
  const now = Date.parse("2026-11-24T14:13:30Z");
  const down = {
    status: "down" as const,
    nextDueAt: "2026-11-24T14:02:00Z",
    downAt: "2026-11-24T14:02:00Z",
    statusChangedAt: "2026-11-24T14:02:10Z",
  };
  assert.deepEqual(overdueSince(down, now), { status: "down", at: "2026-11-24T14:02:10Z" });
  assert.equal(overdueText(down, now, "en", "UTC"), "down since 14:02 · 11 min");
  assert.equal(overdueText(down, now, "zh-Hans", "UTC"), "自 14:02 起故障 · 11 分钟");
  assert.equal(
    overdueText({ ...down, statusChangedAt: "2026-11-23T09:00:00Z" }, now, "en", "UTC"),
    "down since 11/23, 09:00 · 29 h 13 min",
  );
  const late = { ...down, status: "late" as const, statusChangedAt: "2026-11-24T14:13:00Z" };
  assert.equal(overdueText(late, now, "en", "UTC"), "late since 14:13 · 30 s");
  assert.equal(overdueSince({ ...late, nextDueAt: "2026-11-24T14:20:00Z" }, now), null, "late, next due ahead");
  assert.equal(overdueSince({ ...down, status: "up" }, now), null);
  // In the browser's own zone (no zone given), today's time is written without Intl: the same text.
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const at of ["2026-11-24T14:02:00Z", "2026-11-24T00:00:00Z", "2026-11-23T09:00:00Z", "2026-11-24T14:12:59Z"])
    for (const locale of ["en", "zh-Hans"] as const) {
      const m = { ...down, statusChangedAt: at };
      assert.equal(overdueText(m, now, locale), overdueText(m, now, locale, own), `${at} ${locale}`);
    }
});
