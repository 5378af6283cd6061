// The registry's channels: notifier channels as data. Create, read, update, delete; secrets are
// write-only (shown masked, kept when an update leaves them out). Mixed into the registry
// service, so the actions are registry.channels.*; the plugins' schemas come from the catalog.

import { Errors, type Context, type ServiceSchema } from "moleculer";
import type { ServiceDeps } from "./deps.ts";
import { MASK, type FieldProblem } from "../plugins/catalog.ts";
import { CHOOSABLE_EVENTS } from "../core/alerts/alert.ts";
import { ENV_EMAIL } from "../core/db/channels.ts";
import type { ChannelRow } from "../core/db/models.ts";
import { LOCALES, storedLocale, type Locale } from "../core/alerts/locale.ts";

const { MoleculerClientError, MoleculerError, ValidationError } = Errors;

const id = { type: "number", convert: true, integer: true, positive: true };
const name = { type: "string", trim: true, min: 1, max: 200 };
const events = { type: "array", optional: true, min: 0, max: 3, unique: true, items: { type: "enum", values: [...CHOOSABLE_EVENTS] } };
const flag = { type: "boolean", optional: true, convert: true };
/** the alerts' language; null: DEFAULT_LOCALE */
const locale = { type: "enum", values: [...LOCALES], optional: true, nullable: true };

export interface ChannelView {
  id: number;
  name: string;
  type: string;
  config: Record<string, unknown>;
  events: string[];
  isDefault: boolean;
  enabled: boolean;
  /** "environment" for the channel that SMTP_URL/ALERT_TO configure; those settings are not editable here */
  managedBy: "environment" | null;
  /** the language of its alerts; null: the server's DEFAULT_LOCALE (given as defaultLocale) */
  locale: Locale | null;
  defaultLocale: Locale;
  monitors: number;
  createdAt: string;
  updatedAt: string;
}

function invalid(problems: FieldProblem[]): never {
  throw new ValidationError("Parameters validation error!", "VALIDATION_ERROR", problems.map((p) => ({ type: p.type ?? "invalid", field: p.field, message: p.message })));
}

function notFound(): never {
  throw new MoleculerClientError("channel not found", 404, "NOT_FOUND", { field: "id" });
}

const parse = (json: string): Record<string, unknown> => {
  const v = JSON.parse(json || "{}");
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
};

/** Optional fields sent as null mean "unset": store them as absent. */
const withoutNulls = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** A channel config's problems, and its columns once valid: the channel actions and the import share these. */
export function channelStorage({ config, channels: catalog, secrets: box }: Pick<ServiceDeps, "config" | "channels" | "secrets">) {
  return {
    problems: (type: string, cfg: Record<string, unknown>): FieldProblem[] => catalog.validate(type, withoutNulls(cfg), config.allowPrivateWebhooks),
    stored(type: string, cfg: Record<string, unknown>) {
      const { config: shown, secrets } = catalog.split(type, withoutNulls(cfg));
      return { config: JSON.stringify(shown), secrets: box.seal(JSON.stringify(secrets)) };
    },
  };
}

export function registryChannels({ config, db, clock, channels: catalog, secrets: box }: ServiceDeps): Partial<ServiceSchema> {
  async function row(channelId: number): Promise<ChannelRow> {
    const [r] = await db.select<ChannelRow>("SELECT * FROM channels WHERE id = ?", [channelId]);
    return r ?? notFound();
  }

  /** How many monitors each channel alerts: one query for a whole list. */
  async function monitorCounts(ids: number[]): Promise<Map<number, number>> {
    if (!ids.length) return new Map();
    const rows = await db.select<{ channel_id: number; n: number }>("SELECT channel_id, COUNT(*) AS n FROM monitor_channels WHERE channel_id IN (?) GROUP BY channel_id", [ids]);
    return new Map(rows.map((c) => [Number(c.channel_id), Number(c.n)]));
  }

  /** The stored secrets, or null when this process's SECRET_KEY cannot open them. */
  function readableSecrets(r: ChannelRow): Record<string, unknown> | null {
    try {
      return parse(box.open(r.secrets));
    } catch {
      return null;
    }
  }

  async function view(r: ChannelRow, counts?: Map<number, number>): Promise<ChannelView> {
    const n = (counts ?? (await monitorCounts([Number(r.id)]))).get(Number(r.id)) ?? 0;
    const managed = r.managed === ENV_EMAIL;
    const shown = managed
      ? config.smtp ? { url: MASK, from: config.smtp.from, to: config.smtp.to } : {}
      : catalog.masked(r.type, parse(r.config), readableSecrets(r) ?? Object.fromEntries(catalog.secretFields(r.type).map((k) => [k, "set"])));
    return {
      id: Number(r.id),
      name: r.name,
      type: r.type,
      config: shown,
      events: r.events.split(",").filter(Boolean),
      isDefault: Boolean(Number(r.is_default)),
      enabled: Boolean(Number(r.enabled)),
      managedBy: managed ? "environment" : null,
      locale: storedLocale(r.locale),
      defaultLocale: config.defaultLocale,
      monitors: n,
      createdAt: new Date(Number(r.created_at)).toISOString(),
      updatedAt: new Date(Number(r.updated_at)).toISOString(),
    };
  }

  const storage = channelStorage({ config, channels: catalog, secrets: box });
  /** Validates a full config; returns it split for storage. */
  function checked(type: string, cfg: Record<string, unknown>) {
    const problems = storage.problems(type, cfg);
    if (problems.length) invalid(problems);
    return storage.stored(type, cfg);
  }

  return {
    actions: {
      "channels.types": {
        handler() {
          // RegExp patterns do not survive JSON: say them as strings.
          return catalog.describe().map((t) => ({
            ...t,
            fields: Object.fromEntries(Object.entries(t.fields).map(([k, r]) => [k, { ...r, pattern: r.pattern instanceof RegExp ? String(r.pattern) : r.pattern }])),
          }));
        },
      },

      "channels.list": {
        async handler() {
          const rows = await db.select<ChannelRow>("SELECT * FROM channels ORDER BY name, id");
          const counts = await monitorCounts(rows.map((r) => Number(r.id)));
          return { total: rows.length, items: await Promise.all(rows.map((r) => view(r, counts))) };
        },
      },

      "channels.get": {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          return view(await row(ctx.params.id));
        },
      },

      "channels.create": {
        params: { name, type: { type: "string", min: 1, max: 64 }, config: { type: "object" }, events, isDefault: flag, enabled: flag, locale },
        async handler(ctx: Context<{ name: string; type: string; config: Record<string, unknown>; events?: string[]; isDefault?: boolean; enabled?: boolean; locale?: Locale | null }>) {
          const p = ctx.params;
          const stored = checked(p.type, p.config);
          const now = clock.now();
          const [newId] = await db.write((t) =>
            db.insertRows(
              "channels",
              ["name", "type", "config", "secrets", "events", "is_default", "enabled", "managed", "locale", "created_at", "updated_at"],
              [[p.name, p.type, stored.config, stored.secrets, (p.events ?? [...CHOOSABLE_EVENTS]).join(","), p.isDefault ?? false, p.enabled ?? true, null, p.locale ?? null, now, now]],
              t,
            ),
          );
          Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/channels/${newId}` });
          return view(await row(newId!));
        },
      },

      "channels.update": {
        params: { id, name: { ...name, optional: true }, config: { type: "object", optional: true }, events, isDefault: flag, enabled: flag, locale },
        async handler(ctx: Context<{ id: number; name?: string; config?: Record<string, unknown>; events?: string[]; isDefault?: boolean; enabled?: boolean; locale?: Locale | null }>) {
          const p = ctx.params;
          const r = await row(p.id);
          const set: Record<string, unknown> = { updated_at: clock.now() };
          if (p.config !== undefined) {
            if (r.managed === ENV_EMAIL) {
              invalid([{ field: "config", message: "this channel is configured by SMTP_URL, ALERT_TO and ALERT_FROM in the environment", type: "managed" }]);
            }
            // PATCH: the stored settings, overlaid by what was sent; masked or absent secrets are kept.
            const secrets = readableSecrets(r);
            // Never overwrite secrets this process cannot read: they would be lost.
            if (!secrets) throw new MoleculerError("the channel's stored secrets cannot be opened with this SECRET_KEY", 503, "SECRET_KEY_MISMATCH");
            const stored = { ...parse(r.config), ...secrets };
            const merged = catalog.merged(r.type, stored, { ...stored, ...p.config });
            Object.assign(set, checked(r.type, merged));
          }
          if (p.name !== undefined) set.name = p.name;
          if (p.events !== undefined) set.events = p.events.join(",");
          // The language is the channel's own, not the environment's: the env email channel may choose one too.
          if (p.locale !== undefined) set.locale = p.locale;
          if (p.isDefault !== undefined) set.is_default = p.isDefault;
          if (p.enabled !== undefined) {
            if (r.managed === ENV_EMAIL && p.enabled && !config.smtp) {
              invalid([{ field: "enabled", message: "set SMTP_URL and ALERT_TO to enable this channel", type: "managed" }]);
            }
            set.enabled = p.enabled;
          }
          const cols = Object.keys(set);
          await db.write((t) => db.change(`UPDATE channels SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`, [...cols.map((c) => set[c]), p.id], t));
          return view(await row(p.id));
        },
      },

      "channels.remove": {
        params: { id },
        async handler(ctx: Context<{ id: number }>) {
          const r = await row(ctx.params.id);
          if (r.managed === ENV_EMAIL) {
            throw new MoleculerClientError("this channel belongs to the environment (SMTP_URL); disable it instead, or detach it from monitors", 409, "CONFLICT", { field: "id" });
          }
          const now = clock.now();
          await db.write(async (t) => {
            await db.change("DELETE FROM monitor_channels WHERE channel_id = ?", [r.id], t);
            // Deliveries stay as history; those not yet sent will never be.
            await db.change(
              "UPDATE deliveries SET state = 'failed', lease_until = NULL, last_error = 'the channel was deleted', last_attempt_at = ? WHERE channel_id = ? AND state IN ('pending', 'sending')",
              [now, r.id],
              t,
            );
            await db.change("DELETE FROM channels WHERE id = ?", [r.id], t);
          });
          return { id: Number(r.id), deleted: true };
        },
      },
    },
  };
}
