// registry: monitors, tags, channels, users and sessions, hosts, API keys, badges, maintenance windows,
// import and export. This file is the service's schema: each handler is one call into its area's module
// beside it (monitors.ts, channels.ts, …), whose SQL lives behind core/db/ repositories. It has no
// settings, dependencies, events or methods of its own: everything it offers is an action below.

import type { Context, ServiceSchema } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { LOCALES } from "../../core/alerts/locale.ts";
import { THEMES } from "../../core/people/theme.ts";
import * as p from "./params.ts";
import { monitorsArea } from "./monitors.ts";
import { channelsArea } from "./channels.ts";
import { usersArea } from "./users.ts";
import { hostsArea } from "./hosts.ts";
import { keysArea } from "./keys.ts";
import { badgesArea } from "./badges.ts";
import { maintenanceArea } from "./maintenance.ts";
import { backupArea } from "./backup.ts";
import { factorsArea } from "./factors.ts";
import { auditArea } from "./audit.ts";

export default function registryService(deps: ServiceDeps): ServiceSchema {
  const monitors = monitorsArea(deps);
  const channels = channelsArea(deps);
  const users = usersArea(deps);
  const hosts = hostsArea(deps);
  const keys = keysArea(deps);
  const badges = badgesArea(deps);
  const maintenance = maintenanceArea(deps);
  const backup = backupArea(deps);
  const factors = factorsArea(deps);
  const audit = auditArea(deps);

  return {
    name: "registry",

    // The audit log: every change made through the actions below, and every sign-in, is recorded
    // here from one table (./audit.ts), not by each handler.
    hooks: {
      before: {
        "*"(ctx: Context<Record<string, unknown>>) {
          return audit.before(ctx);
        },
      },
      after: {
        async "*"(ctx: Context<Record<string, unknown>>, result: unknown) {
          await audit.after(ctx, result, this.logger);
          return result;
        },
      },
    },

    actions: {
      // ── monitors ──
      create: {
        description:
          "Creates a monitor, armed from now, with its tags and channels (the default channels when none are named).",
        params: p.monitorFields,
        handler: (ctx) => monitors.create(ctx),
      },
      provision: {
        description:
          "Auto-provisioning (AUTO_PROVISION=true): the monitor whose code is this slug, created from the defaults when there is none.",
        params: { code: p.code },
        handler(ctx) {
          return monitors.provision(ctx, this.logger);
        },
      },
      list: {
        description: "Searches monitors (tags, text, status), sorted and paged, with the counts per status.",
        params: p.search,
        handler: (ctx) => monitors.list(ctx),
      },
      views: {
        description: "Several monitors by id (for the gateway's live updates); ids that name none are left out.",
        visibility: "public",
        params: { ids: { type: "array", max: 1000, items: { type: "number", integer: true, positive: true } } },
        handler: (ctx) => monitors.views(ctx),
      },
      get: {
        description: "One monitor, with its badge URL once it has a badge key.",
        params: { id: p.id },
        handler: (ctx) => monitors.get(ctx),
      },
      update: {
        description: "Changes a monitor; fields left out keep their value, a new schedule re-arms it.",
        params: {
          id: p.id,
          ...p.monitorFields,
          name: { ...p.name, optional: true },
          schedule: { type: "object", optional: true },
        },
        handler: (ctx) => monitors.update(ctx),
      },
      remove: {
        description: "Deletes a monitor with its pings, flips, deliveries and badge key.",
        params: { id: p.id },
        handler: (ctx) => monitors.remove(ctx),
      },
      pause: {
        description: "Pauses a monitor: no deadlines, no alerts.",
        params: { id: p.id },
        handler: (ctx) => monitors.pause(ctx),
      },
      resume: {
        description: "Resumes a paused monitor as new, armed from now.",
        params: { id: p.id },
        handler: (ctx) => monitors.resume(ctx),
      },
      snooze: {
        description: "Snoozes a monitor for so many seconds (at most 7 days): its alerts are held until then.",
        params: { id: p.id, seconds: p.snoozeSeconds },
        handler: (ctx) => monitors.snooze(ctx),
      },
      unsnooze: {
        description: "Ends a monitor's snooze now; alerts it held are released by the maintenance rules.",
        params: { id: p.id },
        handler: (ctx) => monitors.unsnooze(ctx),
      },
      pings: {
        description: "A monitor's pings, newest first, paged.",
        params: { id: p.id, ...p.page },
        handler: (ctx) => monitors.pings(ctx),
      },
      flips: {
        description: "A monitor's flips (status changes), newest first, paged.",
        params: { id: p.id, ...p.page },
        handler: (ctx) => monitors.flips(ctx),
      },
      notifications: {
        description: "A monitor's notifications (deliveries) with their state, newest first, paged.",
        params: { id: p.id, ...p.page },
        handler: (ctx) => monitors.notifications(ctx),
      },
      preview: {
        description: "The next runs of a schedule, with their late and down times and DST notes.",
        params: p.schedulePreview,
        handler: (ctx) => monitors.preview(ctx),
      },

      // ── channels ──
      "channels.types": {
        description: "The channel types this process knows, with their config fields.",
        handler: () => channels.types(),
      },
      "channels.list": {
        description: "Lists channels, each with how many monitors it alerts.",
        handler: () => channels.list(),
      },
      "channels.get": {
        description: "One channel (secrets masked).",
        params: { id: p.id },
        handler: (ctx) => channels.get(ctx),
      },
      "channels.create": {
        description: "Creates a channel; its config is validated against its plugin's schema.",
        params: {
          name: p.name,
          type: { type: "string", min: 1, max: 64 },
          config: { type: "object" },
          events: p.channelEvents,
          isDefault: p.flag,
          enabled: p.flag,
          locale: p.locale,
        },
        handler: (ctx) => channels.create(ctx),
      },
      "channels.update": {
        description: "Changes a channel; config fields left out (or sent back masked) keep their value.",
        params: {
          id: p.id,
          name: { ...p.name, optional: true },
          config: { type: "object", optional: true },
          events: p.channelEvents,
          isDefault: p.flag,
          enabled: p.flag,
          locale: p.locale,
        },
        handler: (ctx) => channels.update(ctx),
      },
      "channels.remove": {
        description: "Deletes a channel; its unsent deliveries fail.",
        params: { id: p.id },
        handler: (ctx) => channels.remove(ctx),
      },
      "channels.deliveries": {
        description: "A channel's deliveries (its delivery log) with their monitor and state, newest first, paged.",
        params: { id: p.id, ...p.page },
        handler: (ctx) => channels.deliveries(ctx),
      },

      // ── users and sessions ──
      "users.list": {
        description: "Lists users (admins only: the gateway's route says so).",
        handler: () => users.list(),
      },
      "users.create": {
        description: "Creates a user with a role.",
        params: { username: p.username, password: p.password, role: p.role },
        handler: (ctx) => users.create(ctx),
      },
      "users.update": {
        description:
          "Changes a user's role, password, e-mail address or weekly report opt-in; a new password ends the user's sessions.",
        params: {
          username: p.username,
          password: { ...p.password, optional: true },
          role: { ...p.role, optional: true },
          email: p.email,
          weeklyReport: p.weeklyReport,
        },
        handler: (ctx) => users.update(ctx),
      },
      "users.remove": {
        description: "Deletes a user and ends their sessions.",
        params: { username: p.username },
        handler: (ctx) => users.remove(ctx),
      },
      "users.setLocale": {
        description:
          "Sets a signed-in user's own dashboard language (the gateway's PATCH /api/v1/session; null: follow the browser).",
        visibility: "public",
        params: { userId: p.userId, locale: { type: "enum", values: [...LOCALES], nullable: true } },
        handler: (ctx) => users.setLocale(ctx),
      },
      "users.setTheme": {
        description: "Sets a signed-in user's own dashboard colour scheme (the gateway's PATCH /api/v1/session).",
        visibility: "public",
        params: { userId: p.userId, theme: { type: "enum", values: [...THEMES] } },
        handler: (ctx) => users.setTheme(ctx),
      },
      authenticate: {
        description: "The user whose password matches, or null (the gateway's basic auth and login).",
        visibility: "public",
        params: { username: { type: "string", max: 1024 }, password: { type: "string", max: 1024 } },
        handler: (ctx) => users.authenticate(ctx),
      },
      "signin.refused": {
        description:
          "Whether a sign-in by this user name or from this address is refused now (a lockout every gateway shares), and for how long.",
        visibility: "public",
        params: p.signinWho,
        handler: (ctx) => users.signinRefused(ctx),
      },
      "signin.failed": {
        description:
          "Counts a failed sign-in under its user name and address (and records it in the audit log); answers the lockouts it starts.",
        visibility: "public",
        params: {
          ...p.signinWho,
          via: { type: "enum", values: ["session", "basic", "key", "reauth"], optional: true },
        },
        handler: (ctx) => users.signinFailed(ctx),
      },
      "signin.succeeded": {
        description:
          "A right password clears that user name's failed sign-ins (its address's stay); a dashboard sign-in (with its method) is recorded in the audit log.",
        visibility: "public",
        params: {
          user: { type: "string", max: 150 },
          ip: p.signinWho.ip,
          method: { type: "enum", values: ["password", "totp", "recovery", "passkey"], optional: true },
        },
        handler: (ctx) => users.signinSucceeded(ctx),
      },
      "sessions.create": {
        description: "Opens a session for a user the gateway has just authenticated.",
        visibility: "public",
        params: { userId: p.userId },
        handler: (ctx) => users.openSession(ctx),
      },
      "sessions.get": {
        description: "The user and CSRF token of a session cookie's token, or null.",
        visibility: "public",
        params: { token: p.token },
        handler: (ctx) => users.session(ctx),
      },
      "sessions.alive": {
        description:
          "Which of these session tokens are still live (the gateway's open event streams ask every moment).",
        visibility: "public",
        params: { tokens: { type: "array", items: p.token, max: 10_000 } },
        handler: (ctx) => users.alive(ctx),
      },
      "sessions.remove": {
        description: "Logout: ends every session of the session's user, on every device.",
        visibility: "public",
        params: { token: p.token },
        handler: (ctx) => users.endSession(ctx),
      },

      // ── second factors (the gateway has re-checked the password before any change) ──
      "factors.list": {
        description: "A user's second factors (never their secrets) and how many recovery codes are left.",
        visibility: "public",
        params: { userId: p.userId },
        handler: (ctx) => factors.list(ctx),
      },
      "factors.totpStart": {
        description:
          "Starts adding an authenticator app: its secret, otpauth URI and QR code, to confirm with a first code.",
        visibility: "public",
        params: { userId: p.userId, username: p.factorUsername, name: p.factorName, issuer: p.factorIssuer },
        handler: (ctx) => factors.totpStart(ctx),
      },
      "factors.totpConfirm": {
        description: "Confirms the app being added with its current code; a first factor answers recovery codes.",
        visibility: "public",
        params: { userId: p.userId, code: p.factorCode },
        handler: (ctx) => factors.totpConfirm(ctx),
      },
      "factors.passkeyOptions": {
        description: "WebAuthn registration options for a new passkey, and the token of their challenge.",
        visibility: "public",
        params: { userId: p.userId, username: p.factorUsername, rp: p.relyingParty },
        handler: (ctx) => factors.passkeyOptions(ctx),
      },
      "factors.passkeyAdd": {
        description:
          "Verifies a new passkey's registration and keeps its public key; a first factor answers recovery codes.",
        visibility: "public",
        params: {
          userId: p.userId,
          token: p.token,
          name: p.factorName,
          response: { type: "object" },
          rp: p.relyingParty,
        },
        handler: (ctx) => factors.passkeyAdd(ctx),
      },
      "factors.remove": {
        description: "Removes one of a user's factors and ends every session of that user.",
        visibility: "public",
        params: { userId: p.userId, id: p.id },
        handler: (ctx) => factors.remove(ctx),
      },
      "factors.recoveryCodes": {
        description: "Ten new recovery codes replace a user's old ones; the answer is the only time they are shown.",
        visibility: "public",
        params: { userId: p.userId },
        handler: (ctx) => factors.regenerateRecoveryCodes(ctx),
      },
      "factors.signinStart": {
        description: "After the right password: null without a second factor, else the challenge to answer.",
        visibility: "public",
        params: { userId: p.userId, rp: p.relyingParty },
        handler: (ctx) => factors.signinStart(ctx),
      },
      "factors.signinFinish": {
        description:
          "A sign-in's second step: the user when the code, recovery code or passkey is right, else the tries left.",
        visibility: "public",
        params: {
          token: p.token,
          username: p.factorUsername,
          code: { type: "string", max: 64, optional: true },
          recoveryCode: { type: "string", max: 64, optional: true },
          passkey: { type: "object", optional: true },
          rp: p.relyingParty,
        },
        handler: (ctx) => factors.signinFinish(ctx),
      },

      // ── audit log ──
      "audit.list": {
        description: "The audit log, newest first: who changed what, when and from where, and every sign-in (admins).",
        params: {
          ...p.page,
          limit: { ...p.page.limit, default: 50 },
          actor: { type: "string", min: 1, max: 191, optional: true },
          action: { type: "string", min: 1, max: 64, optional: true },
        },
        handler: (ctx) => audit.list(ctx),
      },

      // ── settings ──
      "settings.get": {
        description: "The installation's settings: whether admins must sign in with a second factor.",
        handler: () => factors.settings(),
      },
      "settings.update": {
        description: "Changes the installation's settings (admins).",
        params: { requireAdminSecondFactor: { type: "boolean", optional: true } },
        handler: (ctx) => factors.updateSettings(ctx),
      },

      // ── hosts ──
      "hosts.list": { description: "Lists hosts with their last poll.", handler: () => hosts.list() },
      "hosts.get": { description: "One host.", params: { id: p.id }, handler: (ctx) => hosts.get(ctx) },
      "hosts.create": {
        description: "Adds a host and the monitor its polls ping.",
        params: p.hostFields,
        handler: (ctx) => hosts.create(ctx),
      },
      "hosts.update": {
        description: "Changes a host; key material left out (or sent back masked) is kept.",
        params: { id: p.id, ...p.hostChanges },
        handler: (ctx) => hosts.update(ctx),
      },
      "hosts.remove": {
        description:
          "Deletes a host and its samples; its monitor is paused, not deleted, so its history stays and nothing alerts.",
        params: { id: p.id },
        handler: (ctx) => hosts.remove(ctx),
      },
      "hosts.metrics": {
        description: "Metrics samples of a host between two times (ISO 8601 or epoch ms), oldest first, for charts.",
        params: { id: p.id, ...p.sampleSpan },
        handler: (ctx) => hosts.metrics(ctx),
      },

      // ── API keys ──
      "keys.list": { description: "Lists API keys (never the keys themselves).", handler: () => keys.list() },
      "keys.create": {
        description: "Makes an API key; the answer is the only time the key is shown.",
        params: p.keyFields,
        handler: (ctx) => keys.create(ctx),
      },
      "keys.revoke": {
        description: "Revokes an API key for good (the row stays, marked revoked).",
        params: { id: p.id },
        handler: (ctx) => keys.revoke(ctx),
      },
      "keys.authenticate": {
        description: "The caller a presented key stands for, or null when it is unknown or revoked.",
        visibility: "public",
        params: { key: p.apiKey },
        handler: (ctx) => keys.authenticate(ctx),
      },

      // ── badges ──
      "badges.monitor": {
        description: "The monitor's badge URLs, its badge key made on first request.",
        params: { id: p.id },
        handler: (ctx) => badges.monitor(ctx, false),
      },
      "badges.monitorRegenerate": {
        description: "A new badge key for the monitor: its old badge URLs stop working.",
        params: { id: p.id },
        handler: (ctx) => badges.monitor(ctx, true),
      },
      "badges.tag": {
        description: "The tag's badge URLs (the worst status of its monitors), made on first request.",
        params: { tag: p.badgeTag },
        handler: (ctx) => badges.tag(ctx, false),
      },
      "badges.tagRegenerate": {
        description: "A new badge key for the tag: its old badge URLs stop working.",
        params: { tag: p.badgeTag },
        handler: (ctx) => badges.tag(ctx, true),
      },
      "badges.show": {
        description: "What the badge of a key shows: its default label and status; null for no such key.",
        visibility: "public",
        params: { key: p.badgeKey },
        handler: (ctx) => badges.show(ctx),
      },

      // ── maintenance windows ──
      "maintenance.list": {
        description: "Lists maintenance windows, each with whether it is active now.",
        handler: () => maintenance.list(),
      },
      "maintenance.get": {
        description: "One maintenance window.",
        params: { id: p.id },
        handler: (ctx) => maintenance.get(ctx),
      },
      "maintenance.create": {
        description: "Creates a one-off or recurring maintenance window scoped to monitors and/or tags.",
        params: p.windowFields,
        handler: (ctx) => maintenance.create(ctx),
      },
      "maintenance.update": {
        description: "Changes a maintenance window; fields left out keep their value.",
        params: { id: p.id, ...p.windowChanges },
        handler: (ctx) => maintenance.update(ctx),
      },
      "maintenance.remove": {
        description:
          "Deletes a maintenance window; alerts it held back are released by the notifier as if it had ended.",
        params: { id: p.id },
        handler: (ctx) => maintenance.remove(ctx),
      },

      // ── import and export (bin/import.ts, bin/export.ts) ──
      import: {
        description: "Restores a plan from core/import/ in one transaction: creates what is absent, answers a report.",
        visibility: "public",
        params: p.importPlan,
        handler: (ctx) => backup.import(ctx),
      },
      importPings: {
        description: "Adds a batch of an import's ping history to monitors by code, in one transaction.",
        visibility: "public",
        params: p.importPings,
        handler: (ctx) => backup.importPings(ctx),
      },
      export: {
        description: "The sections of a backup, as core/import/backup.ts reads them.",
        visibility: "public",
        handler: () => backup.export(),
      },

      ready: {
        description: "The database answers (the gateway's /readyz).",
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
      audit.start(this.broker, this.logger);
    },

    stopped() {
      audit.stop();
      monitors.stopGauge();
    },
  };
}
