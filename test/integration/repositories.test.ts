// The CRUD repositories of core/db/ on the real engines: each function's answer, to the type of
// every field (numbers stay numbers, flags stay 1/0 as the tables hold them, absent rows are
// undefined or null as each function promises), in the same order on SQLite and MariaDB.

import { test, describe } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDatabase, type Database } from "../../core/db/connect.ts";
import { migrate } from "../../core/db/migrate.ts";
import { needs, scratchDatabase } from "../support/services.ts";
import * as users from "../../core/db/users.ts";
import * as sessions from "../../core/db/sessions.ts";
import * as keys from "../../core/db/api-keys.ts";
import * as badges from "../../core/db/badges.ts";
import * as maintenance from "../../core/db/maintenance.ts";
import * as hosts from "../../core/db/hosts.ts";
import * as channels from "../../core/db/channels.ts";
import * as channelDeliveries from "../../core/db/channel-deliveries.ts";
import * as tags from "../../core/db/tags.ts";
import * as monitors from "../../core/db/monitors.ts";
import * as backup from "../../core/db/backup.ts";
import * as facts from "../../core/db/alert-facts.ts";
import * as reports from "../../core/db/weekly-reports.ts";
import * as deps from "../../core/db/dependencies.ts";
import { deadlinesAfterArm } from "../../core/schedule/schedule.ts";

const NOW = 1_700_000_000_000;

async function addMonitors(db: Database, names: string[]): Promise<number[]> {
  return db.write((t) =>
    db.insertRows(
      "monitors",
      [
        "code",
        "name",
        "schedule_kind",
        "period_seconds",
        "grace_seconds",
        "timezone",
        "deadline",
        "status",
        "armed_at",
        "status_changed_at",
        "ping_count",
        "created_at",
        "updated_at",
      ],
      names.map((n, i) => [
        `repo-${n}`,
        n,
        "interval",
        60,
        0,
        "UTC",
        "grace",
        i % 2 ? "down" : "up",
        NOW,
        NOW,
        0,
        NOW,
        NOW,
      ]),
      t,
    ),
  );
}

async function usersAndSessions(db: Database) {
  const admin = await users.createUser(db, "ada", "correct horse", "admin", NOW);
  assert.deepEqual(admin, { id: admin.id, username: "ada", role: "admin", locale: null, theme: "system" });
  assert.equal(typeof admin.id, "number");
  await assert.rejects(users.createUser(db, "ada", "correct horse", "admin", NOW), /already exists/);
  const bob = await users.createUser(db, "bob", "battery staple", "viewer", NOW + 1);
  assert.deepEqual(await users.findUser(db, "bob"), {
    id: bob.id,
    username: "bob",
    role: "viewer",
    locale: null,
    theme: "system",
  });
  assert.equal(await users.findUser(db, "nobody"), null);
  assert.deepEqual(await users.listUsers(db), [
    { ...admin, createdAt: NOW },
    { ...bob, createdAt: NOW + 1 },
  ]);
  assert.equal(await users.countAdmins(db), 1);
  assert.equal(await users.countUsers(db), 2);
  await users.setRole(db, "bob", "pinger", NOW + 2);
  await users.setLocale(db, bob.id, "zh-Hans", NOW + 2);
  await users.setTheme(db, bob.id, "dark", NOW + 2);
  await users.setPassword(db, "bob", "a new password", NOW + 3);
  assert.deepEqual(await users.checkCredentials(db, "bob", "a new password"), {
    id: bob.id,
    username: "bob",
    role: "pinger",
    locale: "zh-Hans",
    theme: "dark",
  });
  assert.equal(await users.checkCredentials(db, "bob", "battery staple"), null);
  await assert.rejects(users.setRole(db, "nobody", "admin"), /no user/);
  await assert.rejects(users.setLocale(db, 99_999, null), /no such user/);

  assert.deepEqual(
    await users.reportSettingsOf(db),
    new Map([
      [admin.id, { email: null, weeklyReport: false, weeklyReportSentAt: null }],
      [bob.id, { email: null, weeklyReport: false, weeklyReportSentAt: null }],
    ]),
  );
  await assert.rejects(users.setReportSettings(db, bob.id, { weeklyReport: true }, NOW), /needs an e-mail address/);
  await users.setReportSettings(db, bob.id, { email: "bob@example.com", weeklyReport: true }, NOW + 4);
  await users.setReportSettings(db, admin.id, { email: "ada@example.com" }, NOW + 4);
  assert.deepEqual((await users.reportSettingsOf(db)).get(bob.id), {
    email: "bob@example.com",
    weeklyReport: true,
    weeklyReportSentAt: null,
  });
  assert.deepEqual((await users.reportSettingsOf(db)).get(admin.id), {
    email: "ada@example.com",
    weeklyReport: false,
    weeklyReportSentAt: null,
  });
  const [since] = await db.select<{ weekly_report_since: unknown }>(
    "SELECT weekly_report_since FROM users WHERE id = ?",
    [bob.id],
  );
  assert.equal(Number(since!.weekly_report_since), NOW + 4, "opting in starts the report from now");
  await assert.rejects(users.setReportSettings(db, 99_999, { email: null }), /no such user/);

  const DAY = 86_400_000;
  const IDLE = 3_600_000;
  const s1 = await sessions.createSession(db, bob.id, NOW, 7 * DAY);
  assert.equal(s1.expiresAt, NOW + 7 * DAY);
  assert.deepEqual(await sessions.sessionUser(db, s1.token, NOW + 1, IDLE), {
    user: { id: bob.id, username: "bob", role: "pinger", locale: "zh-Hans", theme: "dark" },
    csrfToken: s1.csrfToken,
  });
  // Used every 50 minutes, it lives past its first idle hour; its absolute end ends it anyway.
  for (let at = NOW + 50 * 60_000; at < s1.expiresAt; at += 50 * 60_000)
    assert.ok(await sessions.sessionUser(db, s1.token, at, IDLE), `in use at +${(at - NOW) / 60_000} min`);
  assert.equal(await sessions.sessionUser(db, s1.token, s1.expiresAt, IDLE), null, "past its absolute end");
  assert.equal(await sessions.sessionUser(db, "not a token", NOW, IDLE), null);
  // Unused for longer than the idle time, it is over; asking whether it is live is no use of it.
  const idle = await sessions.createSession(db, bob.id, NOW, 7 * DAY);
  assert.deepEqual(await sessions.liveSessions(db, [idle.token, "not a token"], NOW + IDLE - 1, IDLE), [idle.token]);
  assert.deepEqual(await sessions.liveSessions(db, [idle.token], NOW + IDLE, IDLE), [], "idle");
  assert.equal(await sessions.sessionUser(db, idle.token, NOW + IDLE, IDLE), null);
  // A new session clears the expired ones.
  const s2 = await sessions.createSession(db, admin.id, s1.expiresAt, 7 * DAY);
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM sessions");
  assert.equal(Number(n), 1, "both ended at that time: the used one and the idle one");
  const s3 = await sessions.createSession(db, admin.id, s1.expiresAt, 7 * DAY);
  const other = await sessions.createSession(db, bob.id, s1.expiresAt, 7 * DAY);
  // Logout ends every session of that user, and only that user's.
  await sessions.endSessionsOfToken(db, s2.token);
  assert.equal(await sessions.sessionUser(db, s2.token, s1.expiresAt, IDLE), null);
  assert.equal(await sessions.sessionUser(db, s3.token, s1.expiresAt, IDLE), null);
  assert.ok(await sessions.sessionUser(db, other.token, s1.expiresAt, IDLE));
  await sessions.deleteSessionsOf(db, bob.id);
  assert.equal(await sessions.sessionUser(db, other.token, s1.expiresAt, IDLE), null);

  await users.deleteUser(db, "bob");
  await assert.rejects(users.deleteUser(db, "bob"), /no user/);
  assert.equal(await users.countUsers(db), 1);
}

async function apiKeys(db: Database) {
  const k = {
    name: "ci",
    scope: "write" as const,
    prefix: "hb_abc",
    key_hash: "h".repeat(64),
    created_by: "ada",
    created_at: NOW,
  };
  const id = await keys.insertKey(db, k);
  const id2 = await keys.insertKey(db, {
    ...k,
    name: "ro",
    scope: "read",
    key_hash: "g".repeat(64),
    created_at: NOW + 1,
  });
  assert.equal(typeof id, "number");
  const row = { id, ...k, last_used_at: null, revoked_at: null };
  assert.deepEqual(await keys.keyRow(db, id), row);
  assert.equal(await keys.keyRow(db, 99_999), undefined);
  assert.deepEqual(Object.keys((await keys.keyRow(db, id))!), [
    "id",
    "name",
    "scope",
    "prefix",
    "key_hash",
    "created_by",
    "created_at",
    "last_used_at",
    "revoked_at",
  ]);
  assert.deepEqual(
    (await keys.listKeys(db)).map((r) => r.id),
    [id, id2],
  );
  assert.deepEqual(await keys.activeKeyByHash(db, k.key_hash), row);
  await keys.touchKey(db, id, NOW + 5);
  assert.equal((await keys.keyRow(db, id))!.last_used_at, NOW + 5);
  assert.equal(await keys.revokeKey(db, id, NOW + 6), 1);
  assert.equal(await keys.revokeKey(db, id, NOW + 7), 0, "revoked already");
  assert.equal(await keys.revokeKey(db, 99_999, NOW + 7), 0);
  assert.equal((await keys.keyRow(db, id))!.revoked_at, NOW + 6);
  assert.equal(await keys.activeKeyByHash(db, k.key_hash), undefined);
}

async function badgesAndTags(db: Database) {
  const [m1, m2, m3] = await addMonitors(db, ["one", "two", "three"]);
  await db.write((t) => tags.createTags(db, ["prod", "db", "prod"], t));
  await db.write((t) => tags.createTags(db, ["prod"], t));
  const prod = await badges.tagIdByName(db, "prod");
  const dbTag = await badges.tagIdByName(db, "db");
  assert.equal(typeof prod, "number");
  assert.equal(await badges.tagIdByName(db, "none"), null);
  await db.write((t) =>
    db.insertRows(
      "monitor_tags",
      ["monitor_id", "tag_id"],
      [
        [m1, prod],
        [m2, prod],
        [m1, dbTag],
      ],
      t,
    ),
  );
  assert.deepEqual(
    await tags.tagsOf(db, [m1!, m2!, m3!]),
    new Map([
      [m1, ["db", "prod"]],
      [m2, ["prod"]],
      [m3, []],
    ]),
  );
  assert.deepEqual(await tags.tagsOf(db, []), new Map());

  assert.equal(await badges.monitorExists(db, m1!), true);
  assert.equal(await badges.monitorExists(db, 99_999), false);
  assert.deepEqual(await badges.monitorNameAndStatus(db, m2!), { name: "two", status: "down" });
  assert.equal(await badges.monitorNameAndStatus(db, 99_999), undefined);
  const t = await badges.tagNameAndStatuses(db, prod);
  assert.deepEqual({ ...t, statuses: t!.statuses.sort() }, { name: "prod", statuses: ["down", "up"] });
  assert.equal(await badges.tagNameAndStatuses(db, 99_999), undefined);
  assert.equal(await badges.tagNameAndStatuses(db, null), undefined);

  let n = 0;
  const fresh = () => `key${++n}`.padEnd(32, "x");
  assert.equal(await badges.monitorBadgeKey(db, m1!), null);
  const k1 = await badges.badgeKeyOf(db, { kind: "monitor", id: m1! }, false, fresh, () => NOW);
  assert.equal(
    await badges.badgeKeyOf(db, { kind: "monitor", id: m1! }, false, fresh, () => NOW),
    k1,
    "the key it has",
  );
  assert.equal(await badges.monitorBadgeKey(db, m1!), k1);
  const k2 = await badges.badgeKeyOf(db, { kind: "monitor", id: m1! }, true, fresh, () => NOW + 1);
  assert.notEqual(k2, k1);
  assert.equal(await badges.monitorBadgeKey(db, m1!), k2);
  const kt = await badges.badgeKeyOf(db, { kind: "tag", id: prod! }, false, fresh, () => NOW);
  assert.deepEqual(await badges.badgeOwner(db, k2), { monitor_id: m1, tag_id: null });
  assert.deepEqual(await badges.badgeOwner(db, kt), { monitor_id: null, tag_id: prod });
  assert.equal(await badges.badgeOwner(db, k1), undefined, "replaced");
  return [m1!, m2!, m3!];
}

async function windows(db: Database) {
  const once = {
    name: "deploy",
    rule: { kind: "once" as const, startsAt: NOW, endsAt: NOW + 3_600_000 },
    monitorIds: [3, 1],
    tags: ["prod"],
  };
  const rec = {
    name: "nightly",
    rule: { kind: "recurring" as const, expression: "0 2 * * *", durationSeconds: 600, timezone: "Europe/Berlin" },
    monitorIds: [],
    tags: [],
  };
  const id1 = await db.write((t) => maintenance.insertWindow(db, once, NOW, t));
  const id2 = await db.write((t) => maintenance.insertWindow(db, rec, NOW + 1, t));
  assert.equal(typeof id1, "number");
  const row1 = {
    id: id1,
    name: "deploy",
    kind: "once",
    starts_at: NOW,
    ends_at: NOW + 3_600_000,
    cron_expression: null,
    duration_seconds: null,
    timezone: null,
    monitor_ids: "[3,1]",
    tags: '["prod"]',
    created_at: NOW,
    updated_at: NOW,
  };
  assert.deepEqual(await maintenance.windowRow(db, id1), row1);
  assert.deepEqual(Object.keys((await maintenance.windowRow(db, id1))!), Object.keys(row1));
  assert.equal(await maintenance.windowRow(db, 99_999), undefined);
  assert.deepEqual(await maintenance.loadWindows(db), [
    { id: id1, name: "deploy", rule: once.rule, monitorIds: [3, 1], tags: ["prod"], createdAt: NOW, updatedAt: NOW },
    { id: id2, name: "nightly", rule: rec.rule, monitorIds: [], tags: [], createdAt: NOW + 1, updatedAt: NOW + 1 },
  ]);
  assert.equal(await db.write((t) => maintenance.loadWindows(db, t)).then((w) => w.length), 2);
  assert.equal(await maintenance.updateWindow(db, id1, { ...rec, name: "moved" }, NOW + 9), 1);
  assert.equal(await maintenance.updateWindow(db, 99_999, rec, NOW + 9), 0);
  assert.deepEqual(await maintenance.windowRow(db, id1), {
    ...row1,
    name: "moved",
    kind: "recurring",
    starts_at: null,
    ends_at: null,
    cron_expression: "0 2 * * *",
    duration_seconds: 600,
    timezone: "Europe/Berlin",
    monitor_ids: "[]",
    tags: "[]",
    updated_at: NOW + 9,
  });
  await maintenance.deleteWindow(db, id1);
  assert.deepEqual(
    (await maintenance.loadWindows(db)).map((w) => w.id),
    [id2],
  );
}

async function hostsRepo(db: Database, monitorId: number) {
  const base = {
    name: "web",
    address: "10.0.0.1",
    port: 22,
    username: "root",
    private_key: "sealed",
    key_path: null,
    passphrase: null,
    host_key_fingerprint: null,
    trust_on_first_use: false,
    interval_seconds: 300,
    grace_seconds: 60,
    checks: "[]",
    processes: "[]",
    monitor_id: monitorId,
    enabled: true,
    next_poll_at: NOW,
    created_at: NOW,
    updated_at: NOW,
  };
  const id = await hosts.insertHost(db, base);
  const id2 = await hosts.insertHost(db, {
    ...base,
    name: "db",
    monitor_id: null,
    trust_on_first_use: true,
    enabled: false,
  });
  assert.equal(typeof id, "number");
  const row = {
    id,
    name: "web",
    address: "10.0.0.1",
    port: 22,
    username: "root",
    private_key: "sealed",
    key_path: null,
    passphrase: null,
    host_key_fingerprint: null,
    trust_on_first_use: 0,
    interval_seconds: 300,
    grace_seconds: 60,
    checks: "[]",
    processes: "[]",
    monitor_id: monitorId,
    enabled: 1,
    next_poll_at: NOW,
    lease_until: null,
    claimed_by: null,
    last_poll_at: null,
    last_result: null,
    created_at: NOW,
    updated_at: NOW,
  };
  assert.deepEqual(await hosts.hostRow(db, id), row);
  assert.deepEqual(Object.keys((await hosts.hostRow(db, id))!), Object.keys(row));
  assert.equal(await hosts.hostRow(db, 99_999), undefined);
  assert.deepEqual(
    (await hosts.listHosts(db)).map((h) => [h.id, h.name, h.trust_on_first_use, h.enabled]),
    [
      [id2, "db", 1, 0],
      [id, "web", 0, 1],
    ],
  );
  assert.equal(await hosts.hostIdByName(db, "db"), id2);
  assert.equal(await hosts.hostIdByName(db, "none"), null);
  await hosts.updateHost(db, id, {
    port: 2222,
    enabled: false,
    key_path: "/k",
    private_key: null,
    updated_at: NOW + 1,
  });
  assert.deepEqual(await hosts.hostRow(db, id), {
    ...row,
    port: 2222,
    enabled: 0,
    key_path: "/k",
    private_key: null,
    updated_at: NOW + 1,
  });
  await assert.rejects(hosts.updateHost(db, id, { no_such_column: 1 }));

  const cols = [
    "host_id",
    "started_at",
    "duration_ms",
    "ok",
    "cpu",
    "memory",
    "swap",
    "load1",
    "disks",
    "error",
    "polled_by",
  ];
  await db.write((t) =>
    db.insertRows(
      "host_samples",
      cols,
      [
        [id, NOW, 120, true, 0.5, 0.25, null, 1.5, "[]", null, "node-1"],
        [id, NOW + 1000, 130, false, null, null, null, null, null, "timeout", "node-1"],
        [id2, NOW, 1, true, null, null, null, null, null, null, null],
      ],
      t,
    ),
  );
  const samples = await hosts.hostSamples(db, id, NOW, NOW + 1000, 10);
  assert.deepEqual(
    samples.map((s) => [s.started_at, s.ok, s.cpu, s.error]),
    [
      [NOW + 1000, 0, null, "timeout"],
      [NOW, 1, 0.5, null],
    ],
  );
  assert.deepEqual(Object.keys(samples[0]!), ["id", ...cols]);
  assert.equal(typeof samples[0]!.id, "number");
  assert.deepEqual(
    (await hosts.hostSamples(db, id, NOW, NOW + 1000, 1)).map((s) => s.started_at),
    [NOW + 1000],
  );
  assert.deepEqual(await hosts.hostSamples(db, id, NOW + 1, NOW + 999, 10), []);
  await hosts.deleteHost(db, id);
  assert.equal(await hosts.hostRow(db, id), undefined);
  const [{ n }] = await db.select<{ n: number }>("SELECT COUNT(*) AS n FROM host_samples");
  assert.equal(Number(n), 1, "its samples went with it");
}

async function channelsRepo(db: Database, [m1, m2, m3]: number[]) {
  const c = {
    name: "ops mail",
    type: "email",
    config: "{}",
    secrets: "{}",
    events: "down,up",
    is_default: true,
    enabled: true,
    locale: null,
    created_at: NOW,
    updated_at: NOW,
  };
  const a = await db.write((t) => channels.insertChannel(db, c, t));
  const b = await db.write((t) =>
    channels.insertChannel(db, { ...c, name: "alpha hook", type: "webhook", is_default: false, locale: "zh-Hans" }, t),
  );
  const off = await db.write((t) => channels.insertChannel(db, { ...c, name: "off", enabled: false }, t));
  assert.equal(typeof a, "number");
  const rowA = {
    id: a,
    name: "ops mail",
    type: "email",
    config: "{}",
    secrets: "{}",
    events: "down,up",
    is_default: 1,
    enabled: 1,
    managed: null,
    created_at: NOW,
    updated_at: NOW,
    locale: null,
  };
  assert.deepEqual(await channels.channelRow(db, a), rowA);
  assert.deepEqual(Object.keys((await channels.channelRow(db, a))!), Object.keys(rowA));
  assert.equal(await channels.channelRow(db, 99_999), undefined);
  assert.deepEqual(
    (await channels.listChannels(db)).map((r) => r.id),
    [b, off, a],
  );
  assert.deepEqual(
    (await channels.allChannels(db)).map((r) => r.id).sort((x, y) => x - y),
    [a, b, off],
  );
  assert.deepEqual(await channels.defaultChannelIds(db), [a, off]);
  assert.deepEqual(await channels.unknownChannels(db, [b, 99_999, a, 99_998]), [99_999, 99_998]);
  assert.deepEqual(await channels.unknownChannels(db, []), []);

  await db.write((t) => channels.setChannels(db, m1!, [off, a, a], t, true));
  await db.write((t) => channels.setChannels(db, m2!, [b], t));
  await db.write((t) => channels.setChannels(db, m2!, [b, a], t));
  assert.deepEqual(
    await channels.channelIdsOf(db, [m1!, m2!, m3!]),
    new Map([
      [m1, [a, off]],
      [m2, [a, b]],
      [m3, []],
    ]),
  );
  assert.deepEqual(await channels.channelIdsOf(db, []), new Map());
  assert.deepEqual(
    await channels.monitorCountsOf(db, [a, b, off]),
    new Map([
      [a, 2],
      [b, 1],
      [off, 1],
    ]),
  );
  assert.deepEqual(await channels.monitorCountsOf(db, []), new Map());
  const targets = new Map([
    [m1, [{ channelId: a, type: "email", events: ["down", "up"] }]],
    [
      m2,
      [
        { channelId: a, type: "email", events: ["down", "up"] },
        { channelId: b, type: "webhook", events: ["down", "up"] },
      ],
    ],
  ]);
  assert.deepEqual(await channels.alertTargets(db, [m1!, m2!, m3!, m1!]), targets);
  // As the flip recorder reads them inside a hot write (on the SQLite file: the inline connection).
  assert.deepEqual(await db.hotWrite((tx) => channels.alertTargets(tx.db, [m1!, m2!, m3!], tx.t)), targets);

  await channels.updateChannel(db, b, {
    name: "beta hook",
    enabled: false,
    is_default: true,
    locale: null,
    updated_at: NOW + 1,
  });
  assert.deepEqual(await channels.channelRow(db, b), {
    ...rowA,
    id: b,
    name: "beta hook",
    type: "webhook",
    is_default: 1,
    enabled: 0,
    locale: null,
    updated_at: NOW + 1,
  });
  await assert.rejects(channels.updateChannel(db, b, { no_such_column: 1 }));

  assert.equal(await channels.syncEnvEmailChannel(db, false, NOW), "unchanged");
  assert.equal(await channels.syncEnvEmailChannel(db, true, NOW), "created");
  assert.equal(await channels.syncEnvEmailChannel(db, true, NOW), "unchanged");
  const env = (await channels.listChannels(db)).find((r) => r.managed === channels.ENV_EMAIL)!;
  assert.deepEqual(
    { ...env, id: 0 },
    {
      id: 0,
      name: "Email (environment)",
      type: "email",
      config: "{}",
      secrets: "{}",
      events: "down,up,failure",
      is_default: 1,
      enabled: 1,
      managed: "env:email",
      locale: null,
      created_at: NOW,
      updated_at: NOW,
    },
  );
  assert.deepEqual((await channels.channelIdsOf(db, [m3!])).get(m3!), [env.id], "attached to every monitor");
  assert.equal(await channels.syncEnvEmailChannel(db, false, NOW + 2), "disabled");
  assert.equal((await channels.channelRow(db, env.id))!.enabled, 0);
  assert.equal(await channels.syncEnvEmailChannel(db, true, NOW + 3), "enabled");
  assert.deepEqual(
    (await channels.unmanagedChannels(db)).map((r) => r.id),
    [a, b, off],
  );

  const [flip] = await db.write((t) =>
    db.insertRows(
      "flips",
      ["monitor_id", "from_status", "to_status", "reason", "flipped_at"],
      [[m1, "up", "down", "no-ping", NOW]],
      t,
    ),
  );
  const dcols = [
    "flip_id",
    "monitor_id",
    "channel_id",
    "channel",
    "round",
    "event",
    "state",
    "attempts",
    "next_attempt_at",
    "created_at",
  ];
  await db.write((t) =>
    db.insertRows(
      "deliveries",
      dcols,
      [
        [flip, m1, a, "email", 0, "down", "pending", 0, NOW, NOW],
        [flip, m1, a, "email", 1, "down", "sent", 1, NOW, NOW],
        [flip, m1, off, "email", 0, "down", "pending", 0, NOW, NOW],
      ],
      t,
    ),
  );
  // A channel's log (newest first, with the monitor's name) and each channel's newest delivery.
  const log = await channelDeliveries.channelDeliveriesPage(db, a, 1, 0);
  assert.equal(log.total, 2);
  const [newest] = log.rows;
  assert.deepEqual(
    { ...newest, id: 0 },
    {
      id: 0,
      monitor_id: m1,
      monitor_name: "one",
      channel_id: a,
      event: "down",
      round: 1,
      state: "sent",
      attempts: 1,
      last_error: null,
      last_attempt_at: null,
      next_attempt_at: NOW,
      sent_at: null,
      created_at: NOW,
    },
  );
  const older = (await channelDeliveries.channelDeliveriesPage(db, a, 5, 1)).rows.map((r) => [r.round, r.state]);
  assert.deepEqual(older, [[0, "pending"]]);
  assert.deepEqual(await channelDeliveries.channelDeliveriesPage(db, b, 5, 0), { total: 0, rows: [] });
  const last = await channelDeliveries.lastDeliveriesOf(db, [a, b, off]);
  assert.deepEqual(
    [...last.keys()].sort((x, y) => x - y),
    [a, off].sort((x, y) => x - y),
  );
  assert.deepEqual([last.get(a)!.id, last.get(a)!.state, last.get(a)!.monitor_name], [newest!.id, "sent", null]);
  assert.equal(last.get(off)!.state, "pending");
  assert.deepEqual(await channelDeliveries.lastDeliveriesOf(db, []), new Map());
  await channels.deleteChannel(db, a, NOW + 5);
  assert.equal(await channels.channelRow(db, a), undefined);
  assert.deepEqual(await channels.monitorCountsOf(db, [a]), new Map());
  const ds = await db.select<{
    channel_id: number;
    state: string;
    lease_until: unknown;
    last_error: string | null;
    last_attempt_at: unknown;
  }>("SELECT channel_id, state, lease_until, last_error, last_attempt_at FROM deliveries ORDER BY id");
  assert.deepEqual(ds, [
    {
      channel_id: a,
      state: "failed",
      lease_until: null,
      last_error: "the channel was deleted",
      last_attempt_at: NOW + 5,
    },
    { channel_id: a, state: "sent", lease_until: null, last_error: null, last_attempt_at: null },
    { channel_id: off, state: "pending", lease_until: null, last_error: null, last_attempt_at: null },
  ]);
}

async function monitorsRepo(db: Database, m1: number) {
  const [chan] = (await channels.unmanagedChannels(db)).map((r) => r.id);
  const schedule = { kind: "interval" as const, periodSeconds: 60, graceSeconds: 30 };
  const four = await db.write((t) =>
    monitors.insertMonitor(
      db,
      {
        code: "code-four",
        name: "four",
        description: "50% of_it!",
        schedule,
        tags: ["db", "new", "db"],
        channels: [chan!],
        repeatEverySeconds: 600,
      },
      "Europe/Paris",
      NOW + 10,
      t,
    ),
  );
  const five = await db.write((t) =>
    monitors.insertMonitor(
      db,
      {
        code: "code-five",
        name: "five",
        description: null,
        schedule: {
          kind: "cron",
          expression: "0 3 * * *",
          timezone: "Asia/Tokyo",
          dialect: "cron",
          graceSeconds: 60,
          deadline: "grace",
        },
        tags: [],
        channels: [],
        repeatEverySeconds: null,
        paused: true,
        runLimits: {
          max_run_seconds: 120,
          failure_threshold: 3,
          failure_rate_failures: 2,
          failure_rate_runs: 4,
          min_gap_seconds: 30,
          report_unexpected_runs: true,
        },
      },
      "UTC",
      NOW + 11,
      t,
    ),
  );
  assert.equal(typeof four, "number");
  const d = deadlinesAfterArm(schedule, NOW + 10);
  // SELECT * order: the table's columns, then the migrations' additions (013's generated due_at, 014's cron_dialect, 017's run rules)
  const row4 = {
    id: four,
    code: "code-four",
    name: "four",
    description: "50% of_it!",
    schedule_kind: "interval",
    period_seconds: 60,
    grace_seconds: 30,
    cron_expression: null,
    timezone: "Europe/Paris",
    deadline: "grace",
    status: "new",
    armed_at: NOW + 10,
    last_ping_at: null,
    last_ping_kind: null,
    last_start_at: null,
    late_at: d.lateAt,
    down_at: d.downAt,
    status_changed_at: NOW + 10,
    ping_count: 0,
    created_at: NOW + 10,
    updated_at: NOW + 10,
    repeat_every_seconds: 600,
    next_reminder_at: null,
    reminders_sent: 0,
    max_run_seconds: null,
    run_deadline_at: null,
    slow_factor: null,
    slow_window: 20,
    failure_threshold: 1,
    recovery_threshold: 1,
    consecutive_failures: 0,
    consecutive_successes: 0,
    due_at: d.downAt,
    cron_dialect: "cron",
    failure_rate_failures: null,
    failure_rate_runs: null,
    min_run_seconds: null,
    min_gap_seconds: null,
    report_unexpected_runs: 0,
    recent_outcomes: "",
    snoozed_until: null,
  };
  assert.deepEqual(await monitors.monitorRow(db, four), row4);
  assert.deepEqual(Object.keys((await monitors.monitorRow(db, four))!), Object.keys(row4));
  assert.deepEqual(await db.write((t) => monitors.monitorRow(db, four, t, true)), row4);
  assert.equal(await monitors.monitorRow(db, 99_999), undefined);
  assert.deepEqual(await monitors.monitorRow(db, five), {
    ...row4,
    id: five,
    code: "code-five",
    name: "five",
    description: null,
    schedule_kind: "cron",
    period_seconds: null,
    grace_seconds: 60,
    cron_expression: "0 3 * * *",
    timezone: "Asia/Tokyo",
    status: "paused",
    armed_at: NOW + 11,
    late_at: null,
    down_at: null,
    due_at: null,
    status_changed_at: NOW + 11,
    repeat_every_seconds: null,
    max_run_seconds: 120,
    failure_threshold: 3,
    failure_rate_failures: 2,
    failure_rate_runs: 4,
    min_gap_seconds: 30,
    report_unexpected_runs: 1,
    created_at: NOW + 11,
    updated_at: NOW + 11,
  });
  assert.deepEqual(
    await tags.tagsOf(db, [four, five]),
    new Map([
      [four, ["db", "new"]],
      [five, []],
    ]),
  );
  assert.deepEqual(
    await channels.channelIdsOf(db, [four, five]),
    new Map([
      [four, [chan]],
      [five, []],
    ]),
  );
  assert.deepEqual(
    (await monitors.monitorsById(db, [five, four, 99_999])).map((r) => r.id),
    [four, five],
  );
  assert.deepEqual((await monitors.monitorsById(db, [four]))[0], row4);
  assert.deepEqual(await monitors.existingMonitorIds(db, [five, 99_999, m1!]), new Set([m1, five]));
  assert.equal(await monitors.monitorIdByCode(db, "code-four"), four);
  assert.equal(await monitors.monitorIdByCode(db, "nope"), null);
  assert.equal(
    await monitors.monitorIdByCode(db, "CODE-FOUR"),
    null,
    "only the exact code (MariaDB compares without case)",
  );

  const tracked = {
    status: "paused" as const,
    lateAt: null,
    downAt: null,
    lastPingAt: null,
    lastStartAt: null,
    runDeadlineAt: NOW + 99,
    failures: 2,
    successes: 1,
    outcomes: "ff",
  };
  await db.write((t) => monitors.storeTransition(db, four, tracked, NOW + 15, NOW + 20, t));
  const row4b = {
    ...row4,
    status: "paused",
    late_at: null,
    down_at: null,
    run_deadline_at: NOW + 99,
    due_at: null,
    consecutive_failures: 2,
    consecutive_successes: 1,
    recent_outcomes: "ff",
    armed_at: NOW + 15,
    status_changed_at: NOW + 20,
    updated_at: NOW + 20,
  };
  assert.deepEqual(await monitors.monitorRow(db, four), row4b);
  await db.write((t) =>
    monitors.updateMonitorColumns(db, four, { name: "four b", slow_factor: 1.5, updated_at: NOW + 21 }, t),
  );
  const row4c = { ...row4b, name: "four b", slow_factor: 1.5, updated_at: NOW + 21 };
  assert.deepEqual(await monitors.monitorRow(db, four), row4c);
  await assert.rejects(db.write((t) => monitors.updateMonitorColumns(db, four, { no_such_column: 1 }, t)));
  await db.write((t) => monitors.setTags(db, four, ["prod", "db"], t));
  await db.write((t) => monitors.setTags(db, five, [], t));
  assert.deepEqual(
    await tags.tagsOf(db, [four, five]),
    new Map([
      [four, ["db", "prod"]],
      [five, []],
    ]),
  );

  // one (up: prod, db), two (down: prod), three (up), four b (paused: prod, db), five (paused)
  const all = { tags: [], sort: "name" as const, order: "asc" as const, limit: 50, offset: 0 };
  const search = async (s: Partial<monitors.MonitorSearch>) => {
    const r = await monitors.searchMonitors(db, { ...all, ...s });
    return { ...r, rows: r.rows.map((m) => m.name) };
  };
  const found = await monitors.searchMonitors(db, all);
  assert.deepEqual(found.rows[1], row4c);
  assert.deepEqual(Object.keys(found.rows[1]!), Object.keys(row4));
  assert.deepEqual(await search({}), {
    statusCounts: [
      { status: "down", n: 1 },
      { status: "paused", n: 2 },
      { status: "up", n: 2 },
    ],
    total: 5,
    rows: ["five", "four b", "one", "three", "two"],
  });
  assert.deepEqual(await search({ tags: ["prod", "db"], sort: "createdAt", order: "desc" }), {
    statusCounts: [
      { status: "paused", n: 1 },
      { status: "up", n: 1 },
    ],
    total: 2,
    rows: ["four b", "one"],
  });
  assert.deepEqual(await search({ tags: ["prod"], status: "up" }), {
    statusCounts: [
      { status: "down", n: 1 },
      { status: "paused", n: 1 },
      { status: "up", n: 1 },
    ],
    total: 1,
    rows: ["one"],
  });
  assert.deepEqual(await search({ q: "%" }), {
    statusCounts: [{ status: "paused", n: 1 }],
    total: 1,
    rows: ["four b"],
  });
  assert.deepEqual((await search({ q: "code-five" })).rows, ["five"]);
  assert.deepEqual((await search({ q: "o" })).rows, ["four b", "one", "two"]);
  assert.deepEqual((await search({ q: "_" })).rows, ["four b"]);
  assert.deepEqual(await search({ status: "paused", sort: "status", order: "desc", limit: 1, offset: 1 }), {
    statusCounts: [
      { status: "down", n: 1 },
      { status: "paused", n: 2 },
      { status: "up", n: 2 },
    ],
    total: 2,
    rows: ["four b"],
  });
  assert.deepEqual((await search({ sort: "lastPingAt", order: "desc", limit: 2 })).rows, ["five", "four b"]);
  assert.deepEqual((await search({ sort: "nextDueAt", limit: 3, offset: 2 })).rows, ["three", "four b", "five"]);
  assert.deepEqual(await search({ tags: ["none"] }), { statusCounts: [], total: 0, rows: [] });
  assert.deepEqual(
    await monitors.monitorCountsByStatus(db),
    new Map([
      ["down", 1],
      ["paused", 2],
      ["up", 2],
    ]),
  );
  return { four, five };
}

async function backupRepo(db: Database, four: number, five: number) {
  assert.deepEqual(await backup.tagNames(db), ["db", "new", "prod"]);
  assert.deepEqual(
    (await backup.allMonitors(db)).map((r) => r.code),
    ["repo-one", "repo-two", "repo-three", "code-four", "code-five"],
  );
  assert.deepEqual((await backup.allMonitors(db))[3], await monitors.monitorRow(db, four));
  assert.deepEqual(
    Object.keys((await backup.allMonitors(db))[3]!),
    Object.keys((await monitors.monitorRow(db, four))!),
  );
  assert.deepEqual(
    Object.keys((await monitors.monitorsById(db, [four]))[0]!),
    Object.keys((await monitors.monitorRow(db, four))!),
  );
  const codes = await backup.monitorCodes(db);
  assert.equal(codes.get(four), "code-four");
  assert.equal(codes.size, 5);
  // a set (its order is the code index's)
  assert.deepEqual((await backup.storedCodes(db, ["nope", "code-five", "code-four"])).sort(), [
    "code-five",
    "code-four",
  ]);
  assert.deepEqual(await db.write((t) => backup.storedCodes(db, ["code-five"], t)), ["code-five"]);
  assert.deepEqual(
    await db.write((t) => backup.monitorIdsByCode(db, ["code-five", "nope", "code-four"], t)),
    new Map([
      ["code-four", four],
      ["code-five", five],
    ]),
  );
  const pings = [
    { kind: "success" as const, data: "hello world", receivedAt: NOW + 1, sourceIp: "10.0.0.9", userAgent: "curl" },
    { kind: "fail" as const, data: "tiny", receivedAt: NOW + 2, sourceIp: null, userAgent: "x".repeat(300) },
    { kind: "success" as const, data: null, receivedAt: NOW + 3, sourceIp: null, userAgent: null },
  ];
  await db.write((t) => backup.insertPings(db, four, pings, 5, t));
  await db.write((t) => backup.insertPings(db, five, [], 5, t));
  assert.equal((await monitors.monitorRow(db, four))!.ping_count, 3);
  assert.equal((await monitors.monitorRow(db, five))!.ping_count, 0);
  const page = await monitors.historyPage(db, "pings", four, 2, 1);
  assert.equal(page.total, 3);
  assert.deepEqual(
    page.rows.map((p) => ({ ...p, id: 0 })),
    [
      {
        id: 0,
        monitor_id: four,
        kind: "fail",
        exit_status: null,
        data: "tiny",
        data_truncated: 0,
        duration_ms: null,
        received_at: NOW + 2,
        source_ip: null,
        user_agent: "x".repeat(200),
      },
      {
        id: 0,
        monitor_id: four,
        kind: "success",
        exit_status: null,
        data: "hello",
        data_truncated: 1,
        duration_ms: null,
        received_at: NOW + 1,
        source_ip: "10.0.0.9",
        user_agent: "curl",
      },
    ],
  );
  assert.equal(typeof page.rows[0]!.id, "number");
  assert.deepEqual(Object.keys(page.rows[0]!), [
    "id",
    "monitor_id",
    "kind",
    "exit_status",
    "data",
    "data_truncated",
    "duration_ms",
    "received_at",
    "source_ip",
    "user_agent",
  ]);
  assert.deepEqual(await monitors.historyPage(db, "pings", five, 10, 0), { total: 0, rows: [] });
}

async function alertFacts(db: Database, m1: number, four: number) {
  const pcols = ["monitor_id", "kind", "exit_status", "data", "data_truncated", "duration_ms", "received_at"];
  const [p1, , , p4, p5] = await db.write((t) =>
    db.insertRows(
      "pings",
      pcols,
      [
        [m1, "success", 0, null, false, 1000, NOW + 100],
        [m1, "success", 0, null, false, null, NOW + 110],
        [m1, "log", null, "a log", false, null, NOW + 120],
        [m1, "success", 0, null, false, 3000, NOW + 130],
        [m1, "fail", 2, "boom", true, 5000, NOW + 140],
      ],
      t,
    ),
  );
  const fcols = ["monitor_id", "from_status", "to_status", "reason", "flipped_at", "expected_at", "ping_id"];
  const [fDown, fUp, fDown2] = await db
    .write((t) =>
      db.insertRows(
        "flips",
        fcols,
        [
          [m1, "down", "up", "ping", NOW + 130, null, p4],
          [m1, "up", "down", "fail", NOW + 140, NOW + 135, p5],
          [four, "new", "up", "ping", NOW + 150, null, null],
        ],
        t,
      ),
    )
    .then(([a, b, c]) => [b, a, c]);
  assert.deepEqual(await facts.flipWithContext(db, fDown!), {
    id: fDown,
    monitor_id: m1,
    from_status: "up",
    to_status: "down",
    reason: "fail",
    flipped_at: NOW + 140,
    expected_at: NOW + 135,
    ping_id: p5,
    name: "one",
    code: "repo-one",
    timezone: "UTC",
    slow_window: 20,
    min_run_seconds: null,
    min_gap_seconds: null,
    failure_rate_failures: null,
    failure_rate_runs: null,
    data: "boom",
    exit_status: 2,
    data_truncated: 1,
    duration_ms: 5000,
  });
  assert.deepEqual(await facts.flipWithContext(db, fDown2!), {
    id: fDown2,
    monitor_id: four,
    from_status: "new",
    to_status: "up",
    reason: "ping",
    flipped_at: NOW + 150,
    expected_at: null,
    ping_id: null,
    name: "four b",
    code: "code-four",
    timezone: "Europe/Paris",
    slow_window: 20,
    min_run_seconds: null,
    min_gap_seconds: null,
    failure_rate_failures: null,
    failure_rate_runs: null,
    data: null,
    exit_status: null,
    data_truncated: null,
    duration_ms: null,
  });
  assert.equal(await facts.flipWithContext(db, 99_999), undefined);
  const [first] = await db.select<{ id: number }>("SELECT id FROM flips WHERE monitor_id = ? ORDER BY id", [m1]);
  assert.deepEqual(await facts.downFlipBefore(db, m1, fDown! + 1), { id: fDown, at: NOW + 140 });
  assert.deepEqual(await facts.downFlipBefore(db, m1, fDown!), { id: Number(first!.id), at: NOW });
  assert.equal(await facts.downFlipBefore(db, four, 99_999), undefined);
  assert.equal(await facts.lastPingAt(db, m1, NOW + 125), NOW + 110);
  assert.equal(await facts.lastPingAt(db, m1, NOW + 1000), NOW + 140);
  assert.equal(await facts.lastPingAt(db, m1, NOW + 99), null);
  assert.equal(await facts.runBefore(db, m1, p5!), NOW + 130);
  assert.equal(await facts.runBefore(db, m1, p4!), NOW + 110, "a log is no run");
  assert.equal(await facts.runBefore(db, m1, p1!), null);
  assert.deepEqual(await facts.durationsBefore(db, m1, p5!, 10), [3000, 1000]);
  assert.deepEqual(await facts.durationsBefore(db, m1, p5!, 1), [3000]);
  assert.deepEqual(await facts.durationsBefore(db, m1, p4!, 10), [1000]);
  assert.deepEqual(await facts.lastDownAndUpFlips(db, [m1, four, 99_999]), [
    { monitor_id: m1, to_status: "down", id: fDown },
    { monitor_id: m1, to_status: "up", id: fUp },
    { monitor_id: four, to_status: "up", id: fDown2 },
  ]);
  const page = await monitors.historyPage(db, "flips", m1, 2, 0);
  assert.equal(page.total, 3);
  assert.deepEqual(page.rows[0], {
    id: fDown,
    monitor_id: m1,
    from_status: "up",
    to_status: "down",
    reason: "fail",
    flipped_at: NOW + 140,
    expected_at: NOW + 135,
    ping_id: p5,
  });
  assert.deepEqual(
    page.rows.map((f) => f.id),
    [fDown, fUp],
  );
  assert.deepEqual(Object.keys(page.rows[0]!), [
    "id",
    "monitor_id",
    "from_status",
    "to_status",
    "reason",
    "flipped_at",
    "expected_at",
    "ping_id",
  ]);
  const notes = await monitors.notificationsPage(db, m1, 2, 1);
  assert.equal(notes.total, 3);
  assert.deepEqual(
    notes.rows.map((n) => [n.round, n.state, n.channel_name]),
    [
      [1, "sent", null],
      [0, "failed", null],
    ],
  );
  assert.deepEqual(Object.keys(notes.rows[0]!), [
    "id",
    "flip_id",
    "monitor_id",
    "channel",
    "state",
    "attempts",
    "next_attempt_at",
    "lease_until",
    "last_error",
    "sent_at",
    "created_at",
    "channel_id",
    "round",
    "event",
    "claimed_by",
    "last_attempt_at",
    "hold_kind",
    "hold_detail",
    "channel_name",
  ]);
  assert.deepEqual(
    (await monitors.notificationsPage(db, m1, 1, 0)).rows.map((n) => [n.state, n.channel_name]),
    [["pending", "off"]],
  );
  assert.deepEqual(await monitors.notificationsPage(db, four, 5, 0), { total: 0, rows: [] });
  return { p4: p4!, p5: p5! };
}

async function weeklyReports(db: Database, m1: number, four: number) {
  const ada = (await users.findUser(db, "ada"))!.id;
  const period = NOW + 1_000;
  assert.deepEqual(await reports.usersDueReport(db, period), [], "ada has not opted in");
  await users.setReportSettings(db, ada, { weeklyReport: true }, NOW + 500);
  assert.deepEqual(await reports.usersDueReport(db, NOW + 500), [], "opted in at the report's time");
  assert.deepEqual(await reports.usersDueReport(db, period), [ada]);
  assert.equal(await reports.queueReport(db, ada, period, NOW + 600), true);
  assert.equal(await reports.queueReport(db, ada, period, NOW + 601), false, "queued once");
  assert.deepEqual(await reports.usersDueReport(db, period), []);
  assert.deepEqual(await reports.usersDueReport(db, period + 1), [ada]);
  const [row] = await db.select<Record<string, unknown>>("SELECT * FROM weekly_reports");
  assert.deepEqual(row, {
    id: row!.id,
    user_id: ada,
    period_at: period,
    state: "pending",
    attempts: 0,
    next_attempt_at: NOW + 600,
    claimed_by: null,
    lease_until: null,
    last_attempt_at: null,
    last_error: null,
    sent_at: null,
    created_at: NOW + 600,
  });
  assert.equal(typeof row!.id, "number");
  const claim = { token: "tok", now: NOW + 700, leaseMs: 1000, limit: 5 };
  assert.deepEqual(await reports.claimReports(db, claim), [
    { id: row!.id, user_id: ada, period_at: period, attempts: 1, created_at: NOW + 600 },
  ]);
  assert.deepEqual(await reports.claimReports(db, { ...claim, token: "other" }), [], "leased");
  await reports.settleReport(db, Number(row!.id), "other", { state: "sent", sent_at: NOW + 701 });
  await reports.settleReport(db, Number(row!.id), "tok", { state: "sent", sent_at: NOW + 702 });
  assert.deepEqual(await db.select("SELECT state, sent_at, lease_until, claimed_by FROM weekly_reports"), [
    { state: "sent", sent_at: NOW + 702, lease_until: null, claimed_by: "tok" },
  ]);
  await reports.markReportSent(db, ada, NOW + 703);
  assert.deepEqual((await users.reportSettingsOf(db)).get(ada), {
    email: "ada@example.com",
    weeklyReport: true,
    weeklyReportSentAt: NOW + 703,
  });
  assert.deepEqual(await reports.reportReader(db, ada), {
    username: "ada",
    email: "ada@example.com",
    weekly_report: 1,
    locale: null,
  });
  assert.equal(await reports.reportReader(db, 99_999), undefined);
  const ms = await reports.reportMonitors(db);
  assert.deepEqual(ms[3], { id: four, name: "four b", code: "code-four", created_at: NOW + 10 });
  assert.deepEqual(
    ms.map((m) => m.name),
    ["one", "two", "three", "four b", "five"],
  );
  assert.deepEqual(await reports.weekFlips(db, NOW + 135, NOW + 150), [
    { monitor_id: m1, to_status: "up", reason: "ping", flipped_at: NOW + 130 },
    { monitor_id: m1, to_status: "down", reason: "fail", flipped_at: NOW + 140 },
  ]);
  assert.deepEqual(await reports.weekFlips(db, NOW + 141, NOW + 151), [
    { monitor_id: m1, to_status: "down", reason: "fail", flipped_at: NOW + 140 },
    { monitor_id: four, to_status: "up", reason: "ping", flipped_at: NOW + 150 },
  ]);
  assert.deepEqual(await reports.weekPings(db, NOW + 100, NOW + 140), [
    { monitor_id: m1, kind: "success", duration_ms: 1000, received_at: NOW + 100 },
    { monitor_id: m1, kind: "success", duration_ms: 3000, received_at: NOW + 130 },
  ]);
  assert.deepEqual(await reports.weekPings(db, NOW + 2, NOW + 141), [
    { monitor_id: four, kind: "fail", duration_ms: null, received_at: NOW + 2 },
    { monitor_id: m1, kind: "success", duration_ms: 1000, received_at: NOW + 100 },
    { monitor_id: m1, kind: "success", duration_ms: 3000, received_at: NOW + 130 },
    { monitor_id: m1, kind: "fail", duration_ms: 5000, received_at: NOW + 140 },
  ]);
}

/** Parents (monitor_dependencies) and what holds a monitor's alerts: snoozes and down parents. */
async function dependenciesRepo(db: Database, m1: number, four: number, five: number) {
  // m1 ("one", up) and five ("five", paused) are four's parents; m1 is five's too.
  await db.write((t) => deps.setParents(db, four, [five, m1, five], t));
  await db.write((t) => deps.setParents(db, five, [m1], t, true));
  const byLink = (e: { monitor_id: number; parent_id: number }[]) =>
    e.map((x) => [x.monitor_id, x.parent_id]).sort((x, y) => x[0]! - y[0]! || x[1]! - y[1]!);
  assert.deepEqual(
    byLink(await deps.allEdges(db)),
    byLink([
      { monitor_id: four, parent_id: m1 },
      { monitor_id: four, parent_id: five },
      { monitor_id: five, parent_id: m1 },
    ]),
  );
  const links = await deps.linksOf(db, [four, m1, 99_999]);
  assert.deepEqual(links.parents.get(four), [
    { id: five, name: "five", status: "paused" },
    { id: m1, name: "one", status: "up" },
  ]);
  assert.deepEqual(links.parents.get(m1), []);
  assert.deepEqual(links.children.get(m1), [
    { id: five, name: "five", status: "paused" },
    { id: four, name: "four b", status: "paused" },
  ]);
  assert.deepEqual(links.children.get(99_999), []);
  assert.deepEqual(await deps.linksOf(db, []), { parents: new Map(), children: new Map() });
  // Replacing four's parents.
  await db.write((t) => deps.setParents(db, four, [m1], t));
  assert.deepEqual(
    (await deps.linksOf(db, [four])).parents.get(four)!.map((p) => p.id),
    [m1],
  );

  // Nothing holds four: m1 is up, no snooze.
  assert.deepEqual(await deps.holdFacts(db, [four]), new Map([[four, { snoozedUntil: null, downParents: [] }]]));
  await db.change("UPDATE monitors SET status = 'down' WHERE id = ?", [m1]);
  assert.equal(await deps.setSnooze(db, four, NOW + 60_000, NOW + 1), true);
  assert.equal(await deps.setSnooze(db, 99_999, NOW + 60_000, NOW + 1), false);
  assert.deepEqual(
    await deps.holdFacts(db, [four, five, 99_999]),
    new Map([
      [four, { snoozedUntil: NOW + 60_000, downParents: ["one"] }],
      [five, { snoozedUntil: null, downParents: ["one"] }],
    ]),
  );
  assert.deepEqual(await deps.holdFacts(db, []), new Map());
  assert.equal((await monitors.monitorRow(db, four))!.snoozed_until, NOW + 60_000);
  assert.equal((await monitors.monitorRow(db, four))!.updated_at, NOW + 1);
  assert.equal(await deps.soonestSnoozeEnd(db, [four, five], NOW), NOW + 60_000);
  assert.equal(await deps.soonestSnoozeEnd(db, [four, five], NOW + 60_000), null, "a snooze over is none");
  assert.equal(await deps.soonestSnoozeEnd(db, [], NOW), null);
  assert.equal(await deps.setSnooze(db, four, null, NOW + 2), true);
  assert.equal((await monitors.monitorRow(db, four))!.snoozed_until, null);
  await db.change("UPDATE monitors SET status = 'up' WHERE id = ?", [m1]);
}

async function deletingMonitors(db: Database, m1: number, four: number, five: number) {
  assert.equal(await monitors.deleteMonitor(db, m1), 1);
  // Its links go with it both ways: four and five no longer have it as a parent.
  assert.deepEqual(
    (await deps.allEdges(db)).map((e) => [e.monitor_id, e.parent_id]),
    [],
  );
  assert.equal(await monitors.deleteMonitor(db, m1), 0);
  assert.equal(await monitors.monitorRow(db, m1), undefined);
  for (const table of ["deliveries", "flips", "pings", "monitor_tags", "monitor_channels", "badge_keys"]) {
    const [{ n }] = await db.select<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE monitor_id = ?`, [m1]);
    assert.equal(Number(n), 0, table);
  }
  assert.equal(await monitors.deleteMonitor(db, five), 1);
  assert.deepEqual(await monitors.existingMonitorIds(db, [m1, four, five]), new Set([four]));
}

async function exercise(db: Database) {
  await usersAndSessions(db);
  await apiKeys(db);
  const monitors = await badgesAndTags(db);
  await windows(db);
  await hostsRepo(db, monitors[0]!);
  await channelsRepo(db, monitors);
  const { four, five } = await monitorsRepo(db, monitors[0]!);
  await backupRepo(db, four, five);
  await alertFacts(db, monitors[0]!, four);
  await weeklyReports(db, monitors[0]!, four);
  await dependenciesRepo(db, monitors[0]!, four, five);
  await deletingMonitors(db, monitors[0]!, four, five);
}

/** `run` on a fresh, migrated database of this kind, which is removed after. */
async function onFresh(kind: "sqlite file" | "sqlite memory" | "mariadb", run: (db: Database) => Promise<void>) {
  const dir = kind === "sqlite file" ? fs.mkdtempSync(path.join(os.tmpdir(), "hb-repo-")) : null;
  const scratch = kind === "mariadb" ? await scratchDatabase() : null;
  const db = await openDatabase(scratch?.url ?? (dir ? `sqlite:${path.join(dir, "x.sqlite")}` : "sqlite::memory:"));
  try {
    await migrate(db);
    await run(db);
  } finally {
    await db.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await scratch?.drop();
  }
}

test("SQLite file (hot writes on the inline connection): the repositories' answers", () =>
  onFresh("sqlite file", exercise));
test("SQLite in memory (hot writes through sequelize): the repositories' answers", () =>
  onFresh("sqlite memory", exercise));
describe("MariaDB", { skip: await needs(["mariadb"]) }, () => {
  test("MariaDB: the repositories' answers", () => onFresh("mariadb", exercise));
});
