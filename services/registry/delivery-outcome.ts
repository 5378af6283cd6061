// What a delivery did, in the words of the API: a monitor's notifications and a channel's
// delivery log answer the same outcome fields from the same outbox row.

import type { DeliveryRow } from "../../core/db/models.ts";

const isoOrNull = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());

/** The outbox columns an outcome is read from. */
export type DeliveryOutcomeRow = Pick<
  DeliveryRow,
  "state" | "attempts" | "last_error" | "last_attempt_at" | "next_attempt_at" | "sent_at"
>;

/** The outcome of one delivery; its next attempt only while one is pending. */
export function deliveryOutcome(d: DeliveryOutcomeRow) {
  return {
    state: d.state,
    attempts: Number(d.attempts),
    lastError: d.last_error ?? null,
    lastAttemptAt: isoOrNull(d.last_attempt_at),
    nextAttemptAt: d.state === "pending" ? isoOrNull(d.next_attempt_at) : null,
    sentAt: isoOrNull(d.sent_at),
  };
}
