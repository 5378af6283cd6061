// The monitor form's cron dialects and systemd OnCalendar schedules in real Chromium (Debian's,
// driven by playwright-core) against the real embedded system: a cron monitor "30 2 * * *" in
// Europe/Berlin previewed from 2026-03-28 shows the DST note for 2026-03-29 beside its run,
// marked, in English as the server words it and in Chinese after the language switch; switching
// the dialect to Kubernetes changes the note (Kubernetes does not run it); the saved monitor's
// API answer carries the dialect, the detail page states it and the edit form keeps it. An
// OnCalendar monitor with two calendar events (one a line) is saved as {kind: "oncalendar",
// expressions: [...]}, and a bad line is named under the textarea. Screenshots go to
// test/artifacts/ (not committed).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import type { Page } from "playwright-core";
import { api, type Api } from "../support/api.ts";
import { eventually } from "../support/system.ts";
import {
  ARTIFACTS,
  chromiumUnavailable,
  logIn,
  startDashboardSystem,
  stopDashboardSystem,
  type DashboardSystem,
} from "../support/browser.ts";

const admin: [string, string] = ["root", "correct horse battery"];
const skip = chromiumUnavailable();

let sys: DashboardSystem | undefined;
let base: string;
let a: Api;
let page: Page;

before(async () => {
  if (skip) return;
  sys = await startDashboardSystem("dashboard-schedule-dialects", admin);
  ({ base, page } = sys);
  a = api(base, admin);
});

after(() => stopDashboardSystem(sys));

const EN_CRON = "02:30 does not exist on 2026-03-29 (Europe/Berlin); cron runs it at 03:00";
const ZH_CRON = "2026-03-29（Europe/Berlin）没有 02:30 这一时刻（时钟拨快）；cron 改在 03:00 运行";
const ZH_K8S = "2026-03-29（Europe/Berlin）没有 02:30 这一时刻（时钟拨快）；Kubernetes 不运行这一次";
const EN_K8S = "02:30 does not exist on 2026-03-29 (Europe/Berlin); Kubernetes does not run it";

/** The preview's notes as shown (badge and sentence), once one reads `text`. */
async function noteShown(text: string): Promise<string[]> {
  const notes = page.getByTestId("preview-note");
  return eventually(
    async () => {
      const all = (await notes.allInnerTexts()).map((t) => t.replace(/\s+/g, " ").trim());
      return all.some((t) => t.includes(text)) ? all : null;
    },
    15_000,
    `the preview note "${text}"`,
  );
}

async function fillTimeZone(zone: string): Promise<void> {
  const tz = page.getByTestId("form-timezone");
  await tz.fill(zone);
  await tz.press("Escape"); // close the suggestions
}

/**
 * A full-page screenshot from the top (the sticky toolbar would otherwise sit over the form where
 * the page was scrolled to), and, on the form, one of the schedule card alone.
 */
async function shot(name: string): Promise<void> {
  await page.evaluate(() => (globalThis as any).scrollTo(0, 0));
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const card = page.locator("mat-card", { has: page.getByTestId("form-kind-interval") });
  if (await card.count()) await card.screenshot({ path: path.join(ARTIFACTS, `${name}-schedule.png`) });
}

async function monitorNamed(name: string): Promise<any> {
  return eventually(
    async () => (await a.call("GET", `/api/v1/monitors?q=${name}`)).body.items[0],
    15_000,
    `the monitor ${name} saved by the form`,
  );
}

test(
  "a cron monitor's preview shows the DST night in both languages and by the chosen dialect; the dialect is saved and kept",
  { skip, timeout: 120_000 },
  async () => {
    await logIn(page, base, admin);
    await page.getByTestId("new-monitor").click();
    await page.getByTestId("form-name").fill("dst-cron");
    await page.getByTestId("form-kind-cron").click();
    await page.getByTestId("form-expression").fill("30 2 * * *");
    await fillTimeZone("Europe/Berlin");
    assert.equal(await page.getByTestId("form-dialect").inputValue(), "cron", "Debian cron / cronie is the default");
    assert.match(await page.getByTestId("form-dialect-hint").innerText(), /crontab.*Kubernetes/s);

    // The evening before the spring-forward night: the run of 2026-03-29 carries the note.
    await page.getByTestId("preview-from").fill("2026-03-28T00:00");
    const notes = await noteShown(EN_CRON);
    assert.equal(notes.length, 1, `one run has a note: ${JSON.stringify(notes)}`);
    const marked = page.getByTestId("preview-run").filter({ has: page.getByTestId("preview-note") });
    assert.equal(await marked.count(), 1);
    assert.match(
      await marked.locator(".expected").innerText(),
      /2026-03-29 03:00:00/,
      "the run is at 03:00 that night, in the schedule's zone",
    );
    const badge = marked.getByTestId("preview-dst-badge");
    assert.ok(await badge.isVisible(), "the note is marked visibly");
    assert.equal((await badge.innerText()).trim(), "DST");
    const runs = await page.getByTestId("preview-run").locator(".expected").allInnerTexts();
    assert.equal(runs.length, 5);
    assert.match(runs[0]!, /^2026-03-28 02:30:00/, "the preview starts at the chosen date");
    const noteColor = await page
      .getByTestId("preview-note")
      .first()
      .evaluate((el) => (globalThis as any).getComputedStyle(el).color as string);
    assert.notEqual(
      noteColor,
      await page
        .locator(".expected")
        .first()
        .evaluate((el) => (globalThis as any).getComputedStyle(el).color as string),
      "the note is set apart in colour",
    );
    await shot("dashboard-dst-cron-en");

    // In Chinese: the same note, built from the structured clock change.
    await page.getByTestId("language-switch").click();
    await noteShown(ZH_CRON);
    assert.equal((await page.getByTestId("preview-dst-badge").first().innerText()).trim(), "夏令时");
    assert.match(await page.getByTestId("form-dialect-hint").innerText(), /夏令时/);
    assert.equal(
      // An option's label is its text with the white space collapsed, as the select shows it.
      (await page.getByTestId("form-dialect").locator("option:checked").innerText()).trim(),
      "Debian cron / cronie（crontab 定时任务）",
    );
    await shot("dashboard-dst-cron-zh");

    // Kubernetes' controller does not run a time the clock skips.
    await page.getByTestId("form-dialect").selectOption("kubernetes");
    await noteShown(ZH_K8S);
    const zhRuns = await page.getByTestId("preview-run").locator(".expected").allInnerTexts();
    assert.ok(!zhRuns.some((t) => t.startsWith("2026年03月29日")), `no run on 2026-03-29 under Kubernetes: ${zhRuns}`);
    await shot("dashboard-dst-kubernetes-zh");

    await page.getByTestId("language-switch").click();
    const enNotes = await noteShown(EN_K8S);
    assert.ok(enNotes[0]!.includes("does not run"), enNotes[0]);
    await shot("dashboard-dst-kubernetes-en");

    // Saved as chosen.
    await page.getByTestId("form-save").click();
    const created = await monitorNamed("dst-cron");
    assert.deepEqual(created.schedule, {
      kind: "cron",
      expression: "30 2 * * *",
      timezone: "Europe/Berlin",
      dialect: "kubernetes",
      graceSeconds: 300,
      deadline: "grace",
    });
    await page.waitForURL(`**/monitors/${created.id}`);
    await page.getByTestId("detail-schedule").waitFor();
    const summary = await page.getByTestId("detail-schedule").innerText();
    assert.ok(summary.includes("Cron “30 2 * * *” (Europe/Berlin, Kubernetes CronJob rules)"), summary);
    await shot("dashboard-dst-cron-detail");

    // Editing keeps the dialect.
    await page.getByTestId("edit").click();
    await eventually(
      async () => ((await page.getByTestId("form-expression").inputValue()) === "30 2 * * *" ? true : null),
      10_000,
      "the edit form filled",
    );
    assert.equal(await page.getByTestId("form-dialect").inputValue(), "kubernetes");
    await page.getByTestId("form-name").fill("dst-cron-edited");
    await page.getByTestId("form-save").click();
    await page.waitForURL(`**/monitors/${created.id}`);
    const edited = (await a.call("GET", `/api/v1/monitors/${created.id}`)).body;
    assert.equal(edited.name, "dst-cron-edited");
    assert.equal(edited.schedule.dialect, "kubernetes", "an edit that did not touch the schedule keeps its dialect");
  },
);

test(
  "an OnCalendar monitor: two calendar events, one a line, saved as expressions; a bad line is named",
  { skip, timeout: 90_000 },
  async () => {
    await page.goto(`${base}/monitors/new`);
    await page.getByTestId("form-name").fill("dst-timer");
    await page.getByTestId("form-kind-oncalendar").click();
    const lines = page.getByTestId("form-expressions");
    await lines.fill("Mon..Fri 09:00\n\nSat 25:00");
    await fillTimeZone("Europe/Berlin");
    // The server's word on the second event, under the textarea, on the line the user sees (3).
    const error = page.getByTestId("error-expressions");
    await error.waitFor({ timeout: 15_000 });
    assert.match(await error.innerText(), /^Line 3: /);

    await lines.fill("Mon..Fri 09:00\nSat 10:00");
    await page.getByTestId("preview-from").fill("2026-03-27T00:00");
    await eventually(
      async () => ((await page.getByTestId("preview-run").count()) === 5 ? true : null),
      15_000,
      "five previewed runs",
    );
    const runs = await page.getByTestId("preview-run").locator(".expected").allInnerTexts();
    assert.match(runs[0]!, /^2026-03-27 09:00:00/, runs.join(" | "));
    assert.match(runs[1]!, /^2026-03-28 10:00:00/, "Saturday at 10:00");
    assert.match(runs[2]!, /^2026-03-30 09:00:00/, "no run on Sunday");
    await shot("dashboard-oncalendar-form");

    await page.getByTestId("form-save").click();
    const created = await monitorNamed("dst-timer");
    assert.equal(created.schedule.kind, "oncalendar");
    assert.deepEqual(created.schedule.expressions, ["Mon..Fri 09:00", "Sat 10:00"]);
    assert.ok(!("dialect" in created.schedule), JSON.stringify(created.schedule));
    await page.waitForURL(`**/monitors/${created.id}`);
    await page.getByTestId("detail-oncalendar-line").first().waitFor();
    assert.deepEqual(await page.getByTestId("detail-oncalendar-line").allInnerTexts(), ["Mon..Fri 09:00", "Sat 10:00"]);
    assert.match(
      await page.getByTestId("detail-schedule").innerText(),
      /^systemd OnCalendar \(Europe\/Berlin\), grace 5 minutes:/,
    );
    await shot("dashboard-oncalendar-detail");

    await page.getByTestId("language-switch").click();
    await eventually(
      async () =>
        (await page.getByTestId("detail-schedule").innerText()).includes(
          "systemd 定时器 OnCalendar（Europe/Berlin），宽限 5 分钟：",
        )
          ? true
          : null,
      10_000,
      "the schedule in Chinese",
    );
    await shot("dashboard-oncalendar-detail-zh");

    // The edit form comes back with the lines, in Chinese.
    await page.getByTestId("edit").click();
    await eventually(
      async () =>
        (await page.getByTestId("form-expressions").inputValue()) === "Mon..Fri 09:00\nSat 10:00" ? true : null,
      10_000,
      "the edit form filled",
    );
    await page.getByTestId("preview-run").first().waitFor();
    await shot("dashboard-oncalendar-form-zh");

    // At phone width the three kinds and the preview fit without sideways scrolling.
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByTestId("form-kind-cron").click();
    await page.getByTestId("form-expression").fill("30 2 * * *");
    await page.getByTestId("preview-from").fill("2026-03-28T00:00");
    await noteShown("2026-03-29（Europe/Berlin）没有 02:30");
    const overflow = await page.evaluate(() => {
      const root = (globalThis as any).document.documentElement;
      return root.scrollWidth - root.clientWidth;
    });
    assert.ok(overflow <= 1, `no sideways scrolling at phone width (overflow ${overflow}px)`);
    await shot("dashboard-dst-form-phone-zh");
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByTestId("language-switch").click();
  },
);
