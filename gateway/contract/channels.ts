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
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  ChannelPage: pageOf("Channel"),
  /** A channel type: its plugin's config fields, as fastest-validator rules (patterns as text). */
  ChannelType: object({ type: str, title: str, fields: mapOf({ type: "object", required: ["type"] }) }),
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
};
