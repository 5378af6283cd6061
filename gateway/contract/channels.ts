// Alert channels and their types: what services/registry-channels.ts (ChannelView, the catalog's
// description) and notifier.test answer.

import { CHOOSABLE_EVENTS } from "../../core/alerts/alert.ts";
import { LOCALES } from "../../core/alerts/locale.ts";
import type { Operations } from "./json-schema.ts";
import {
  arrayOf,
  bool,
  constant,
  dateTime,
  enumOf,
  int,
  mapOf,
  nullable,
  num,
  object,
  oneOf,
  pageOf,
  ref,
  str,
} from "./json-schema.ts";

const locale = enumOf(LOCALES);

export const schemas = {
  Locale: locale,
  Channel: object({
    id: int,
    name: str,
    type: str,
    /** the settings, secrets masked */
    config: mapOf({}),
    events: arrayOf(enumOf(CHOOSABLE_EVENTS)),
    isDefault: bool,
    enabled: bool,
    /** "environment" for the channel SMTP_URL and ALERT_TO configure */
    managedBy: nullable(enumOf(["environment"])),
    /** the language of its alerts; null: the server's defaultLocale */
    locale: nullable(locale),
    defaultLocale: locale,
    monitors: int,
    /** its newest delivery: the state of the last alert it was asked to send (at: its last attempt, else its creation) */
    lastDelivery: nullable(object({ id: int, event: str, state: str, at: dateTime, lastError: nullable(str) })),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  ChannelPage: pageOf("Channel"),
  /** One row of a channel's delivery log; the monitor's name is null once it is deleted. */
  ChannelDelivery: object({
    id: int,
    monitor: object({ id: int, name: nullable(str) }),
    event: str,
    /** 0 for the alert itself, n for its n-th reminder */
    reminder: int,
    state: str,
    attempts: int,
    lastError: nullable(str),
    lastAttemptAt: nullable(dateTime),
    nextAttemptAt: nullable(dateTime),
    sentAt: nullable(dateTime),
    createdAt: dateTime,
  }),
  ChannelDeliveryPage: pageOf("ChannelDelivery"),
  /**
   * A config field: a fastest-validator rule (patterns as text), open to the rule's other keys;
   * the properties named are those the dashboard builds its form from.
   */
  ChannelField: {
    type: "object",
    required: ["type"],
    properties: {
      type: str,
      optional: bool,
      /** write-only: never returned, shown masked */
      secret: bool,
      description: str,
      /** an enum's choices */
      values: arrayOf(str),
      /** an array's element rule */
      items: { type: "object", required: ["type"], properties: { type: str } },
      min: num,
      max: num,
      pattern: str,
      default: {},
    },
  },
  /** A channel type: its plugin's config fields. */
  ChannelType: object({ type: str, title: str, fields: mapOf(ref("ChannelField")) }),
  ChannelTestResult: oneOf(
    object({ ok: constant(true), durationMs: int }),
    object({ ok: constant(false), retryable: bool, error: str, durationMs: int }),
  ),
};

export const operations: Operations = {
  "GET /api/v1/channel-types": { operationId: "listChannelTypes", response: arrayOf(ref("ChannelType")) },
  "GET /api/v1/channels": { operationId: "listChannels", response: ref("ChannelPage") },
  "POST /api/v1/channels": { operationId: "createChannel", response: ref("Channel") },
  "GET /api/v1/channels/{id}": { operationId: "getChannel", response: ref("Channel") },
  "PATCH /api/v1/channels/{id}": { operationId: "updateChannel", response: ref("Channel") },
  "DELETE /api/v1/channels/{id}": { operationId: "deleteChannel", response: ref("Deleted") },
  "POST /api/v1/channels/{id}/test": { operationId: "testChannel", response: ref("ChannelTestResult") },
  "GET /api/v1/channels/{id}/deliveries": {
    operationId: "listChannelDeliveries",
    response: ref("ChannelDeliveryPage"),
  },
};
