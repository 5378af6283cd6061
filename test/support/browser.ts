// Real Chromium for the dashboard suites and benchmark: Debian's browser driven by
// playwright-core, the built dashboard (built once, by the same code `npm start` uses, and
// never by two suites at once), and logging in through the login page.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT, freePort, startProcess, stopProcess, waitReady, type Proc } from "./system.ts";
import { buildDashboardIfMissing } from "../../bin/dashboard-build.ts";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const ARTIFACTS = path.join(ROOT, "test/artifacts");

/** A skip reason without Chromium; under CI a missing browser is a failure instead. */
export function chromiumUnavailable(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  if (process.env.CI) throw new Error(`${reason}: CI must run the browser suite (.ci/run installs it)`);
  return reason;
}

// The closed network refuses Chromium's own background connections: they are switched off.
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

const LOCK = path.join(ROOT, "dashboard", ".angular", "heartbeats-build.lock");

/**
 * Builds the dashboard when it is missing, through bin/dashboard-build.ts as `npm start` does.
 * Suites run in parallel: a lock directory keeps a second one waiting instead of building
 * into the same folder at the same time.
 */
export async function ensureDashboard(): Promise<void> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const until = Date.now() + 300_000;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      break;
    } catch {
      // A lock left by a killed run is stale after five minutes.
      const age = Date.now() - (fs.statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 300_000) fs.rmSync(LOCK, { recursive: true, force: true });
      if (Date.now() > until) throw new Error(`the dashboard build lock ${LOCK} was held for five minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    if (!buildDashboardIfMissing({ info: (m) => console.log(m), warn: (m) => console.warn(m) }))
      throw new Error("the dashboard could not be built");
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function logIn(page: Page, base: string, [username, password]: [string, string]): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByTestId("login-username").fill(username);
  await page.getByTestId("login-password").fill(password);
  await page.getByTestId("login-submit").click();
}

export interface DashboardSystem {
  proc: Proc;
  dir: string;
  base: string;
  browser: Browser;
  page: Page;
}

/**
 * What the Chromium suites share: the dashboard built, an embedded system on a fresh SQLite
 * file with an admin, and a logged-out page in a desktop-sized window.
 */
export async function startDashboardSystem(
  name: string,
  admin: [string, string],
  env: Record<string, string> = {},
): Promise<DashboardSystem> {
  await ensureDashboard();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `hb-${name}-`));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const proc = startProcess(name, {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATABASE_URL: `sqlite:${path.join(dir, "hb.sqlite")}`,
    ADMIN_USERNAME: admin[0],
    ADMIN_PASSWORD: admin[1],
    ...env,
  });
  await waitReady(`${base}/readyz`, [proc]);
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  return { proc, dir, base, browser, page };
}

export async function stopDashboardSystem(sys: DashboardSystem | undefined): Promise<void> {
  if (!sys) return;
  await sys.browser.close();
  await stopProcess(sys.proc);
  fs.rmSync(sys.dir, { recursive: true, force: true });
}

/**
 * A Chromium suite's set-up in one call: `skip` says why Chromium is missing (the tests skip),
 * before() starts the system, after() stops it, and `sys()` hands it to the tests.
 */
export function dashboardSuite(
  name: string,
  admin: [string, string],
  env: Record<string, string> = {},
): { skip: string | undefined; sys: () => DashboardSystem } {
  const skip = chromiumUnavailable();
  let sys: DashboardSystem | undefined;
  before(async () => {
    if (!skip) sys = await startDashboardSystem(name, admin, env);
  });
  after(() => stopDashboardSystem(sys));
  return {
    skip,
    sys: () => {
      if (!sys) throw new Error("the dashboard system did not start");
      return sys;
    },
  };
}
