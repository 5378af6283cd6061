// The registry's audit log (issue 19): every change made through its actions and every sign-in,
// recorded in one place — the service's before/after hooks — from the table below, rather than
// by each handler. The record before an update or delete is read through the area's own getter,
// so the entry shows the fields as the API shows them (secrets masked); what changed is
// core/audit/changes.ts. The caller is `ctx.meta.user` (the gateway's authenticated user) and
// `ctx.meta.ip`; the SQL is core/db/audit.ts.

import type { Context, Logger, ServiceBroker } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { auditChanges, type Changes } from "../../core/audit/changes.ts";
import { listAudit, pruneAudit, recordAudit } from "../../core/db/audit.ts";
import { MASK } from "../../plugins/catalog.ts";

type Kind = "create" | "update" | "delete" | "event";
type View = Record<string, unknown>;
type Call = (action: string, params: Record<string, unknown>) => Promise<unknown>;

interface Audited {
  /** the entry's action: `<area>.<verb>` */
  action: string;
  kind: Kind;
  /** the record as the API shows it now (before an update or delete), or null */
  read?: (call: Call, params: View) => Promise<View | null>;
  /** how the entry names what was changed */
  target?: (view: View | null, params: View) => string | null;
  /** an event's details */
  details?: (params: View, result: unknown) => Changes | null;
  /** calls that change nothing (a dry run) */
  skip?: (params: View) => boolean;
}

const byId = (action: string) => (call: Call, params: View) => call(action, { id: params.id }) as Promise<View | null>;

const named = (area: string) => (v: View | null, params: View) => {
  const id = v?.id ?? params.id;
  const name = v?.name ?? params.name;
  return `${area}${id !== undefined ? ` ${String(id)}` : ""}${name !== undefined ? ` ${JSON.stringify(name)}` : ""}`;
};

const user = (v: View | null, params: View) => `user ${JSON.stringify(v?.username ?? params.username)}`;

async function readUser(call: Call, params: View): Promise<View | null> {
  const list = (await call("registry.users.list", {})) as { items: View[] };
  return list.items.find((u) => u.username === params.username) ?? null;
}

const detail = (c: Record<string, unknown>): Changes =>
  Object.fromEntries(
    Object.entries(c)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, { to: v }]),
  );

/** Every registry action that changes something, and how its entry is written. */
const AUDITED: Record<string, Audited> = {
  "registry.create": { action: "monitor.create", kind: "create", target: named("monitor") },
  "registry.update": { action: "monitor.update", kind: "update", read: byId("registry.get"), target: named("monitor") },
  "registry.remove": { action: "monitor.delete", kind: "delete", read: byId("registry.get"), target: named("monitor") },
  "registry.pause": { action: "monitor.pause", kind: "update", read: byId("registry.get"), target: named("monitor") },
  "registry.resume": { action: "monitor.resume", kind: "update", read: byId("registry.get"), target: named("monitor") },
  "registry.snooze": { action: "monitor.snooze", kind: "update", read: byId("registry.get"), target: named("monitor") },
  "registry.unsnooze": {
    action: "monitor.unsnooze",
    kind: "update",
    read: byId("registry.get"),
    target: named("monitor"),
  },
  "registry.channels.create": { action: "channel.create", kind: "create", target: named("channel") },
  "registry.channels.update": {
    action: "channel.update",
    kind: "update",
    read: byId("registry.channels.get"),
    target: named("channel"),
  },
  "registry.channels.remove": {
    action: "channel.delete",
    kind: "delete",
    read: byId("registry.channels.get"),
    target: named("channel"),
  },
  "registry.users.create": { action: "user.create", kind: "create", target: user },
  "registry.users.update": { action: "user.update", kind: "update", read: readUser, target: user },
  "registry.users.remove": { action: "user.delete", kind: "delete", read: readUser, target: user },
  "registry.keys.create": { action: "key.create", kind: "create", target: named("key") },
  "registry.keys.revoke": { action: "key.revoke", kind: "event", target: named("key") },
  "registry.hosts.create": { action: "host.create", kind: "create", target: named("host") },
  "registry.hosts.update": {
    action: "host.update",
    kind: "update",
    read: byId("registry.hosts.get"),
    target: named("host"),
  },
  "registry.hosts.remove": {
    action: "host.delete",
    kind: "delete",
    read: byId("registry.hosts.get"),
    target: named("host"),
  },
  "registry.maintenance.create": { action: "maintenance.create", kind: "create", target: named("maintenance") },
  "registry.maintenance.update": {
    action: "maintenance.update",
    kind: "update",
    read: byId("registry.maintenance.get"),
    target: named("maintenance"),
  },
  "registry.maintenance.remove": {
    action: "maintenance.delete",
    kind: "delete",
    read: byId("registry.maintenance.get"),
    target: named("maintenance"),
  },
  "registry.settings.update": {
    action: "settings.update",
    kind: "update",
    read: (call) => call("registry.settings.get", {}) as Promise<View>,
    target: () => "settings",
  },
  "registry.badges.monitorRegenerate": {
    action: "badge.rotate",
    kind: "event",
    target: (_v, p) => `monitor ${String(p.id)}`,
  },
  "registry.badges.tagRegenerate": {
    action: "badge.rotate",
    kind: "event",
    target: (_v, p) => `tag ${JSON.stringify(p.tag)}`,
  },
  "registry.import": {
    action: "backup.import",
    kind: "event",
    target: () => "backup",
    // A dry run is rolled back: nothing changed, nothing to record.
    skip: (p) => p.dryRun === true,
  },
  "registry.factors.totpConfirm": {
    action: "factor.add",
    kind: "event",
    target: () => null,
    details: () => detail({ kind: "totp" }),
  },
  "registry.factors.passkeyAdd": {
    action: "factor.add",
    kind: "event",
    target: () => null,
    details: (p) => detail({ kind: "passkey", name: p.name }),
  },
  "registry.factors.remove": {
    action: "factor.remove",
    kind: "event",
    target: () => null,
    details: (p) => detail({ id: p.id }),
  },
  "registry.factors.recoveryCodes": { action: "recovery-codes.replace", kind: "event", target: () => null },
};

/** Who made the call, as the entry names them: a user, `key hbk_… (name)` for a key, or null. */
function actorOf(meta: { user?: { username?: string } } | undefined): string | null {
  return meta?.user?.username ?? null;
}

export function auditArea({ config, db, clock }: ServiceDeps) {
  let timer: NodeJS.Timeout | null = null;

  async function write(
    logger: Logger,
    entry: { actor: string | null; action: string; target: string | null; ip: string | null; changes: Changes | null },
  ): Promise<void> {
    try {
      await recordAudit(db, { at: clock.now(), ...entry });
    } catch (err) {
      // The change is made; an entry that cannot be written is said in the log, never thrown.
      logger.error(`audit log: could not record ${entry.action}: ${(err as Error).message}`);
    }
  }

  return {
    /** Before an audited update or delete: the record as it is, for the entry's "from". */
    async before(ctx: Context<View>) {
      const a = AUDITED[ctx.action?.name ?? ""];
      if (!a?.read) return;
      try {
        (ctx.locals as { auditBefore?: View | null }).auditBefore = await a.read(
          (action, params) => ctx.call(action, params),
          ctx.params,
        );
      } catch {
        // A record that is not there: the action itself answers for it.
      }
    },

    /** After an audited action succeeded: its entry. */
    async after(ctx: Context<View, { user?: { username?: string }; ip?: string }>, result: unknown, logger: Logger) {
      const name = ctx.action?.name ?? "";
      const meta = ctx.meta ?? {};
      if (name === "registry.signin.failed" || name === "registry.signin.succeeded") {
        const p = ctx.params as { user?: string; ip?: string; via?: string; method?: string };
        // A job's basic auth succeeding is not a sign-in worth a row (it would be one a minute).
        if (name === "registry.signin.succeeded" && !p.method) return;
        await write(logger, {
          actor: p.user ?? null,
          action: name === "registry.signin.failed" ? "signin.failed" : "signin.ok",
          target: null,
          ip: p.ip ?? null,
          changes: detail({ via: p.via, method: p.method }),
        });
        return;
      }
      const a = AUDITED[name];
      if (!a || a.skip?.(ctx.params)) return;
      const before = (ctx.locals as { auditBefore?: View | null }).auditBefore ?? null;
      const after = result && typeof result === "object" ? (result as View) : null;
      const changes =
        a.kind === "event"
          ? (a.details?.(ctx.params, result) ?? null)
          : auditChanges(a.kind, before, a.kind === "delete" ? null : after, ctx.params, MASK);
      await write(logger, {
        actor: actorOf(meta),
        action: a.action,
        target: a.target?.(a.kind === "delete" ? before : (after ?? before), ctx.params) ?? null,
        ip: meta.ip ?? null,
        changes,
      });
    },

    list(ctx: Context<{ limit: number; offset: number; actor?: string; action?: string }>) {
      return listAudit(db, ctx.params).then((r) => ({
        total: r.total,
        items: r.items.map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
      }));
    },

    /** Prunes past the retention now and every hour (any replica may: a DELETE by age is idempotent). */
    start(_broker: ServiceBroker, logger: Logger) {
      if (!config.auditRetentionMs) return;
      const prune = () =>
        pruneAudit(db, clock.now() - config.auditRetentionMs).then(
          (n) => {
            if (n) logger.info(`audit log: ${n} entries older than the retention deleted`);
          },
          (err: Error) => logger.warn(`audit log: pruning failed: ${err.message}`),
        );
      void prune();
      timer = setInterval(prune, 3_600_000);
      timer.unref();
    },

    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
