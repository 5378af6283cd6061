// The one small interface every notifier channel implements. A channel plugin is a module
// exporting: `type`, `title`, a config `schema` (fastest-validator rules, the same language as
// Moleculer's parameter validation; `secret: true` marks write-only fields) and
// `send(alert, config, io)`. docs/plugins.md says how to write one.

import type { AlertEvent, AlertFacts, RenderedAlert } from "../core/alerts/alert.ts";

export type { AlertEvent, AlertFacts, RenderedAlert };

export interface Alert {
  event: AlertEvent;
  /** flip id + channel (+ reminder round): the same for every attempt of one delivery, so receivers can de-duplicate */
  idempotencyKey: string;
  /**
   * The same for a down alert, its reminders and the recovery that ends it (per channel):
   * PagerDuty's dedup_key and Opsgenie's alias, so "resolve" finds what "trigger" opened.
   */
  incidentKey: string;
  facts: AlertFacts;
  rendered: RenderedAlert;
}

export type SendResult = { ok: true; detail?: string } | { ok: false; retryable: boolean; error: string };

/** One config field: a fastest-validator rule plus our own `secret` and `description`. */
export type ConfigRule = Record<string, unknown> & {
  type: string;
  /** write-only: stored, used to send, never returned by the API (shown masked) */
  secret?: boolean;
  description?: string;
};

export interface HttpRequest {
  method?: "POST" | "PUT" | "GET";
  url: string;
  headers?: Record<string, string>;
  /** a string or Buffer is sent as is; anything else as JSON */
  body?: unknown;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** at most the first 64 KiB of the body: a receiver cannot make us read more */
  body: string;
}

/** What the notifier hands a plugin to reach the outside world. */
export interface ChannelIO {
  /**
   * An outbound HTTP request with the house rules applied: refuses private, loopback and
   * link-local addresses after DNS resolution (unless ALLOW_PRIVATE_WEBHOOKS), follows no
   * redirects, gives up after the channel timeout, reads at most 64 KiB of the answer.
   * Throws DeliveryError when no HTTP answer came back.
   */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** the per-attempt time limit, ms */
  timeoutMs: number;
}

export interface ChannelPlugin<C = Record<string, unknown>> {
  readonly type: string;
  /** a human name for the dashboard, e.g. "Slack" */
  readonly title: string;
  readonly schema: Record<string, ConfigRule>;
  /** checks across fields that the schema cannot say, e.g. "url or host" */
  validate?(config: C): { field: string; message: string }[];
  send(alert: Alert, config: C, io: ChannelIO): Promise<SendResult>;
  /** release pooled connections at shutdown */
  close?(): void | Promise<void>;
}

/** A failure with its verdict: retry later, or give up. */
export class DeliveryError extends Error {
  override name = "DeliveryError";
  readonly retryable: boolean;
  constructor(message: string, retryable: boolean) {
    super(message);
    this.retryable = retryable;
  }
}
