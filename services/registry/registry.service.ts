// registry: monitors, tags, channels, users and sessions, hosts, API keys, badges, maintenance windows,
// import and export. This file is the service's schema: each handler is one call into its area's module
// beside it (monitors.ts, channels.ts, …), whose SQL lives behind core/db/ repositories. It has no
// settings, dependencies, events or methods of its own: everything it offers is an action below.

import type { ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { LOCALES } from "../../core/alerts/locale.ts";
import * as p from "./params.ts";
import { monitorsArea } from "./monitors.ts";
import { channelsArea } from "./channels.ts";
import { usersArea } from "./users.ts";
import { hostsArea } from "./hosts.ts";
import { keysArea } from "./keys.ts";
import { badgesArea } from "./badges.ts";
import { maintenanceArea } from "./maintenance.ts";
import { backupArea } from "./backup.ts";

export default function registryService(deps: ServiceDeps): ServiceSchema {
  const monitors = monitorsArea(deps);
  const channels = channelsArea(deps);
  const users = usersArea(deps);
  const hosts = hostsArea(deps);
  const keys = keysArea(deps);
  const badges = badgesArea(deps);
  const maintenance = maintenanceArea(deps);
  const backup = backupArea(deps);

  return {
    name: "registry",

    actions: {
      // ── monitors ──
      /** Creates a monitor, armed from now, with its tags and channels (the default channels when none are named). */
      create: { params: p.monitorFields, handler: (ctx) => monitors.create(ctx) },
      /** Auto-provisioning (AUTO_PROVISION=true): the monitor whose code is this slug, created from the defaults when there is none. */
      provision: {
        params: { code: p.code },
        handler(ctx) {
          return monitors.provision(ctx, this.logger);
        },
      },
      /** Searches monitors (tags, text, status), sorted and paged, with the counts per status. */
      list: { params: p.search, handler: (ctx) => monitors.list(ctx) },
      /** Several monitors by id (for the gateway's live updates); ids that name none are left out. */
      views: { visibility: "public", params: { ids: { type: "array", max: 1000, items: { type: "number", integer: true, positive: true } } }, handler: (ctx) => monitors.views(ctx) },
      /** One monitor, with its badge URL once it has a badge key. */
      get: { params: { id: p.id }, handler: (ctx) => monitors.get(ctx) },
      /** Changes a monitor; fields left out keep their value, a new schedule re-arms it. */
      update: {
        params: { id: p.id, ...p.monitorFields, name: { ...p.name, optional: true }, schedule: { type: "object", optional: true } },
        handler: (ctx) => monitors.update(ctx),
      },
      /** Deletes a monitor with its pings, flips, deliveries and badge key. */
      remove: { params: { id: p.id }, handler: (ctx) => monitors.remove(ctx) },
      /** Pauses a monitor: no deadlines, no alerts. */
      pause: { params: { id: p.id }, handler: (ctx) => monitors.pause(ctx) },
      /** Resumes a paused monitor as new, armed from now. */
      resume: { params: { id: p.id }, handler: (ctx) => monitors.resume(ctx) },
      /** A monitor's pings, newest first, paged. */
      pings: { params: { id: p.id, ...p.page }, handler: (ctx) => monitors.pings(ctx) },
      /** A monitor's flips (status changes), newest first, paged. */
      flips: { params: { id: p.id, ...p.page }, handler: (ctx) => monitors.flips(ctx) },
      /** A monitor's notifications (deliveries) with their state, newest first, paged. */
      notifications: { params: { id: p.id, ...p.page }, handler: (ctx) => monitors.notifications(ctx) },
      /** The next runs of a schedule, with their late and down times and DST notes. */
      preview: { params: p.schedulePreview, handler: (ctx) => monitors.preview(ctx) },

      // ── channels ──
      /** The channel types this process knows, with their config fields. */
      "channels.types": { handler: () => channels.types() },
      /** Lists channels, each with how many monitors it alerts. */
      "channels.list": { handler: () => channels.list() },
      /** One channel (secrets masked). */
      "channels.get": { params: { id: p.id }, handler: (ctx) => channels.get(ctx) },
      /** Creates a channel; its config is validated against its plugin's schema. */
      "channels.create": {
        params: { name: p.name, type: { type: "string", min: 1, max: 64 }, config: { type: "object" }, events: p.channelEvents, isDefault: p.flag, enabled: p.flag, locale: p.locale },
        handler: (ctx) => channels.create(ctx),
      },
      /** Changes a channel; config fields left out (or sent back masked) keep their value. */
      "channels.update": {
        params: { id: p.id, name: { ...p.name, optional: true }, config: { type: "object", optional: true }, events: p.channelEvents, isDefault: p.flag, enabled: p.flag, locale: p.locale },
        handler: (ctx) => channels.update(ctx),
      },
      /** Deletes a channel; its unsent deliveries fail. */
      "channels.remove": { params: { id: p.id }, handler: (ctx) => channels.remove(ctx) },

      // ── users and sessions ──
      /** Lists users (admins only: the gateway's route says so). */
      "users.list": { handler: () => users.list() },
      /** Creates a user with a role. */
      "users.create": { params: { username: p.username, password: p.password, role: p.role }, handler: (ctx) => users.create(ctx) },
      /** Changes a user's role, password, e-mail address or weekly report opt-in; a new password ends the user's sessions. */
      "users.update": {
        params: { username: p.username, password: { ...p.password, optional: true }, role: { ...p.role, optional: true }, email: p.email, weeklyReport: p.weeklyReport },
        handler: (ctx) => users.update(ctx),
      },
      /** Deletes a user and ends their sessions. */
      "users.remove": { params: { username: p.username }, handler: (ctx) => users.remove(ctx) },
      /** Sets a signed-in user's own dashboard language (the gateway's PATCH /api/v1/session; null: follow the browser). */
      "users.setLocale": {
        visibility: "public",
        params: { userId: p.userId, locale: { type: "enum", values: [...LOCALES], nullable: true } },
        handler: (ctx) => users.setLocale(ctx),
      },
      /** The user whose password matches, or null (the gateway's basic auth and login). */
      authenticate: {
        visibility: "public",
        params: { username: { type: "string", max: 1024 }, password: { type: "string", max: 1024 } },
        handler: (ctx) => users.authenticate(ctx),
      },
      /** Opens a session for a user the gateway has just authenticated. */
      "sessions.create": { visibility: "public", params: { userId: p.userId }, handler: (ctx) => users.openSession(ctx) },
      /** The user and CSRF token of a session cookie's token, or null. */
      "sessions.get": { visibility: "public", params: { token: p.token }, handler: (ctx) => users.session(ctx) },
      /** Ends a session (logout). */
      "sessions.remove": { visibility: "public", params: { token: p.token }, handler: (ctx) => users.endSession(ctx) },

      // ── hosts ──
      /** Lists hosts with their last poll. */
      "hosts.list": { handler: () => hosts.list() },
      /** One host. */
      "hosts.get": { params: { id: p.id }, handler: (ctx) => hosts.get(ctx) },
      /** Adds a host and the monitor its polls ping. */
      "hosts.create": { params: p.hostFields, handler: (ctx) => hosts.create(ctx) },
      /** Changes a host; key material left out (or sent back masked) is kept. */
      "hosts.update": { params: { id: p.id, ...p.hostChanges }, handler: (ctx) => hosts.update(ctx) },
      /** Deletes a host and its samples; its monitor is paused, not deleted, so its history stays and nothing alerts. */
      "hosts.remove": { params: { id: p.id }, handler: (ctx) => hosts.remove(ctx) },
      /** Metrics samples of a host between two times (ISO 8601 or epoch ms), oldest first, for charts. */
      "hosts.metrics": { params: { id: p.id, ...p.sampleSpan }, handler: (ctx) => hosts.metrics(ctx) },

      // ── API keys ──
      /** Lists API keys (never the keys themselves). */
      "keys.list": { handler: () => keys.list() },
      /** Makes an API key; the answer is the only time the key is shown. */
      "keys.create": { params: p.keyFields, handler: (ctx) => keys.create(ctx) },
      /** Revokes an API key for good (the row stays, marked revoked). */
      "keys.revoke": { params: { id: p.id }, handler: (ctx) => keys.revoke(ctx) },
      /** The caller a presented key stands for, or null when it is unknown or revoked. */
      "keys.authenticate": { visibility: "public", params: { key: p.apiKey }, handler: (ctx) => keys.authenticate(ctx) },

      // ── badges ──
      /** The monitor's badge URLs, its badge key made on first request. */
      "badges.monitor": { params: { id: p.id }, handler: (ctx) => badges.monitor(ctx, false) },
      /** A new badge key for the monitor: its old badge URLs stop working. */
      "badges.monitorRegenerate": { params: { id: p.id }, handler: (ctx) => badges.monitor(ctx, true) },
      /** The tag's badge URLs (the worst status of its monitors), made on first request. */
      "badges.tag": { params: { tag: p.badgeTag }, handler: (ctx) => badges.tag(ctx, false) },
      /** A new badge key for the tag: its old badge URLs stop working. */
      "badges.tagRegenerate": { params: { tag: p.badgeTag }, handler: (ctx) => badges.tag(ctx, true) },
      /** What the badge of a key shows: its default label and status; null for no such key. */
      "badges.show": { visibility: "public", params: { key: p.badgeKey }, handler: (ctx) => badges.show(ctx) },

      // ── maintenance windows ──
      /** Lists maintenance windows, each with whether it is active now. */
      "maintenance.list": { handler: () => maintenance.list() },
      /** One maintenance window. */
      "maintenance.get": { params: { id: p.id }, handler: (ctx) => maintenance.get(ctx) },
      /** Creates a one-off or recurring maintenance window scoped to monitors and/or tags. */
      "maintenance.create": { params: p.windowFields, handler: (ctx) => maintenance.create(ctx) },
      /** Changes a maintenance window; fields left out keep their value. */
      "maintenance.update": { params: { id: p.id, ...p.windowChanges }, handler: (ctx) => maintenance.update(ctx) },
      /** Deletes a maintenance window; alerts it held back are released by the notifier as if it had ended. */
      "maintenance.remove": { params: { id: p.id }, handler: (ctx) => maintenance.remove(ctx) },

      // ── import and export (bin/import.ts, bin/export.ts) ──
      /** Restores a plan from core/import/ in one transaction: creates what is absent, answers a report. */
      import: { visibility: "public", params: p.importPlan, handler: (ctx) => backup.import(ctx) },
      /** The sections of a backup, as core/import/backup.ts reads them. */
      export: { visibility: "public", handler: () => backup.export() },

      /** The database answers (the gateway's /readyz). */
      ready: {
        visibility: "public",
        async handler() {
          await deps.db.ping();
          return { database: "ok" };
        },
      },
    },

    async started() {
      await monitors.startGauge(this.broker, this.logger);
      await channels.start(this.logger);
      await users.start(this.logger);
    },

    stopped() {
      monitors.stopGauge();
    },
  };
}
