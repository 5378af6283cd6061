// The small interface every notifier channel implements. A channel turns one rendered alert
// into one request to its target and says whether a failure is worth retrying.

import type { RenderedAlert, AlertFacts } from "../core/alert.ts";

export interface Alert extends RenderedAlert {
  facts: AlertFacts;
  /** flip id + channel: the same for every attempt of one delivery, so receivers can de-duplicate */
  idempotencyKey: string;
}

export type SendResult = { ok: true; detail?: string } | { ok: false; retryable: boolean; error: string };

export interface Channel {
  readonly type: string;
  send(alert: Alert): Promise<SendResult>;
  close?(): void;
}
