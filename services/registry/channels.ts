// The registry's channels: notifier channels as data. Create, read, update, delete; secrets are
// write-only (shown masked, kept when an update leaves them out). The plugins' schemas come from
// the catalog, the SQL is core/db/channels.ts. At start: secrets stored in the clear are sealed,
// and the "Email (environment)" channel is kept in step with SMTP_URL.

import { Errors, type Context, type Logger } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { MASK, type FieldProblem } from "../../plugins/catalog.ts";
import { CHOOSABLE_EVENTS } from "../../core/alerts/alert.ts";
import {
  channelRow,
  deleteChannel,
  ENV_EMAIL,
  insertChannel,
  listChannels,
  monitorCountsOf,
  syncEnvEmailChannel,
  updateChannel,
} from "../../core/db/channels.ts";
import type { ChannelRow } from "../../core/db/models.ts";
import { storedLocale, type Locale } from "../../core/alerts/locale.ts";
import { sealStoredSecrets } from "../../core/db/sealing.ts";
import { channelDeliveriesPage, lastDeliveriesOf, type ChannelDeliveryRow } from "../../core/db/channel-deliveries.ts";
import { deliveryOutcome } from "./delivery-outcome.ts";

const { MoleculerClientError, MoleculerError, ValidationError } = Errors;

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
  /** its newest delivery (what happened to the last alert it was asked to send), null before the first */
  lastDelivery: { id: number; event: string; state: string; at: string; lastError: string | null } | null;
  createdAt: string;
  updatedAt: string;
}

/** One row of a channel's delivery log. */
export interface ChannelDeliveryView {
  id: number;
  /** name: null once the monitor is deleted */
  monitor: { id: number; name: string | null };
  event: string;
  /** 0 for the alert itself, n for its n-th reminder */
  reminder: number;
  state: string;
  attempts: number;
  lastError: string | null;
  lastAttemptAt: string | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  createdAt: string;
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();

function deliveryView(d: ChannelDeliveryRow): ChannelDeliveryView {
  return {
    id: Number(d.id),
    monitor: { id: Number(d.monitor_id), name: d.monitor_name ?? null },
    event: d.event,
    reminder: Number(d.round),
    ...deliveryOutcome(d),
    createdAt: iso(d.created_at),
  };
}

/** The list's summary of a delivery: its state and when it last changed (its last attempt, else its creation). */
function lastDeliveryOf(d: ChannelDeliveryRow | undefined): ChannelView["lastDelivery"] {
  if (!d) return null;
  return {
    id: Number(d.id),
    event: d.event,
    state: d.state,
    at: iso(d.last_attempt_at ?? d.created_at),
    lastError: d.last_error ?? null,
  };
}

type NewChannelParams = {
  name: string;
  type: string;
  config: Record<string, unknown>;
  events?: string[];
  isDefault?: boolean;
  enabled?: boolean;
  locale?: Locale | null;
};
type ChannelChange = { id: number } & Partial<Omit<NewChannelParams, "type">>;

function invalid(problems: FieldProblem[]): never {
  throw new ValidationError(
    "Parameters validation error!",
    "VALIDATION_ERROR",
    problems.map((p) => ({ type: p.type ?? "invalid", field: p.field, message: p.message })),
  );
}

function notFound(): never {
  throw new MoleculerClientError("channel not found", 404, "NOT_FOUND", { field: "id" });
}

const parseJson = (json: string): Record<string, unknown> => {
  const v = JSON.parse(json || "{}");
  return v && typeof v === "object" ? (v as Record<string, unknown>) : {};
};

/** Optional fields sent as null mean "unset": store them as absent. */
const withoutNulls = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined));

/** A channel config's problems, and its columns once valid: the channel actions and the import share these. */
export function channelStorage({
  config,
  channels: catalog,
  secrets: box,
}: Pick<ServiceDeps, "config" | "channels" | "secrets">) {
  return {
    problems: (type: string, cfg: Record<string, unknown>): FieldProblem[] =>
      catalog.validate(type, withoutNulls(cfg), config.allowPrivateWebhooks),
    stored(type: string, cfg: Record<string, unknown>) {
      const { config: shown, secrets } = catalog.split(type, withoutNulls(cfg));
      return { config: JSON.stringify(shown), secrets: box.seal(JSON.stringify(secrets)) };
    },
  };
}

export function channelsArea({ config, db, clock, channels: catalog, secrets: box }: ServiceDeps) {
  async function row(channelId: number): Promise<ChannelRow> {
    return (await channelRow(db, channelId)) ?? notFound();
  }

  /** The stored secrets, or null when this process's SECRET_KEY cannot open them. */
  function readableSecrets(r: ChannelRow): Record<string, unknown> | null {
    try {
      return parseJson(box.open(r.secrets));
    } catch {
      return null;
    }
  }

  /** A channel as the API shows it; `of` holds the list's per-channel facts, read once for all rows. */
  async function view(
    r: ChannelRow,
    of?: { counts: Map<number, number>; last: Map<number, ChannelDeliveryRow> },
  ): Promise<ChannelView> {
    const id = Number(r.id);
    const { counts, last } = of ?? { counts: await monitorCountsOf(db, [id]), last: await lastDeliveriesOf(db, [id]) };
    const n = counts.get(id) ?? 0;
    const managed = r.managed === ENV_EMAIL;
    const shown = managed
      ? config.smtp
        ? { url: MASK, from: config.smtp.from, to: config.smtp.to }
        : {}
      : catalog.masked(
          r.type,
          parseJson(r.config),
          readableSecrets(r) ?? Object.fromEntries(catalog.secretFields(r.type).map((k) => [k, "set"])),
        );
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
      lastDelivery: lastDeliveryOf(last.get(id)),
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
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
    types() {
      // RegExp patterns do not survive JSON: say them as strings.
      return catalog.describe().map((t) => ({
        ...t,
        fields: Object.fromEntries(
          Object.entries(t.fields).map(([k, r]) => [
            k,
            { ...r, pattern: r.pattern instanceof RegExp ? String(r.pattern) : r.pattern },
          ]),
        ),
      }));
    },

    async list() {
      const rows = await listChannels(db);
      const ids = rows.map((r) => Number(r.id));
      const of = { counts: await monitorCountsOf(db, ids), last: await lastDeliveriesOf(db, ids) };
      return { total: rows.length, items: await Promise.all(rows.map((r) => view(r, of))) };
    },

    async deliveries(ctx: Context<{ id: number; limit: number; offset: number }>) {
      const p = ctx.params;
      await row(p.id);
      const { total, rows } = await channelDeliveriesPage(db, p.id, p.limit, p.offset);
      return { total, items: rows.map(deliveryView) };
    },

    async get(ctx: Context<{ id: number }>) {
      return view(await row(ctx.params.id));
    },

    async create(ctx: Context<NewChannelParams>) {
      const p = ctx.params;
      const stored = checked(p.type, p.config);
      const now = clock.now();
      const events = (p.events ?? [...CHOOSABLE_EVENTS]).join(",");
      const newId = await db.write((t) =>
        insertChannel(
          db,
          {
            name: p.name,
            type: p.type,
            ...stored,
            events,
            is_default: p.isDefault ?? false,
            enabled: p.enabled ?? true,
            locale: p.locale ?? null,
            created_at: now,
            updated_at: now,
          },
          t,
        ),
      );
      Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/channels/${newId}` });
      return view(await row(newId));
    },

    async update(ctx: Context<ChannelChange>) {
      const p = ctx.params;
      const r = await row(p.id);
      const set: Record<string, unknown> = { updated_at: clock.now() };
      if (p.config !== undefined) {
        if (r.managed === ENV_EMAIL) {
          invalid([
            {
              field: "config",
              message: "this channel is configured by SMTP_URL, ALERT_TO and ALERT_FROM in the environment",
              type: "managed",
            },
          ]);
        }
        // PATCH: the stored settings, overlaid by what was sent; masked or absent secrets are kept.
        const secrets = readableSecrets(r);
        // Never overwrite secrets this process cannot read: they would be lost.
        if (!secrets)
          throw new MoleculerError(
            "the channel's stored secrets cannot be opened with this SECRET_KEY",
            503,
            "SECRET_KEY_MISMATCH",
          );
        const stored = { ...parseJson(r.config), ...secrets };
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
      await updateChannel(db, p.id, set);
      return view(await row(p.id));
    },

    async remove(ctx: Context<{ id: number }>) {
      const r = await row(ctx.params.id);
      if (r.managed === ENV_EMAIL) {
        throw new MoleculerClientError(
          "this channel belongs to the environment (SMTP_URL); disable it instead, or detach it from monitors",
          409,
          "CONFLICT",
          { field: "id" },
        );
      }
      await deleteChannel(db, Number(r.id), clock.now());
      return { id: Number(r.id), deleted: true };
    },

    /** At start: seals secrets stored in the clear (channels' and hosts'), then syncs the environment's email channel. */
    async start(logger: Logger) {
      const sealed = await sealStoredSecrets(db, box);
      if (sealed) logger.info(`sealed ${sealed} stored secrets with the secret key`);
      const env = await syncEnvEmailChannel(db, config.smtp !== null, clock.now());
      if (env === "created")
        logger.info(
          'email from SMTP_URL/ALERT_TO is now the channel "Email (environment)", a default attached to every monitor',
        );
      if (env === "disabled") logger.warn('SMTP_URL is not set: the channel "Email (environment)" is disabled');
    },
  };
}
