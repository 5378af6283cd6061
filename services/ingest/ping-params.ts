// What ingest is given and what it answers: one ping's parameters (and their validation rules,
// which ingest.ping's params and each ping of ingest.pings share), and a stored ping's answer.

import { CODE_PATTERN } from "../../core/monitor/code.ts";
import type { PingKind } from "../../core/monitor/ping.ts";

export interface PingParams {
  code: string;
  kind: PingKind;
  exitStatus: number | null;
  data: string | null;
  dataTruncated: boolean;
  sourceIp: string | null;
  userAgent: string | null;
  /** an authenticated ?create=1 ping (the gateway sets it only with AUTO_PROVISION): an unknown code is provisioned */
  create?: boolean;
}

/** ingest.pings' answer for each ping: accepted, or the error (plain, as Moleculer sends errors) */
export type PingOutcome = { ok: PingAccepted; error?: undefined } | { ok?: undefined; error: Record<string, unknown> };

export interface PingAccepted {
  id: number;
  monitorId: number;
  code: string;
  kind: PingKind;
  status: string;
  receivedAt: string;
}

/** The fastest-validator rules of one ping; `data` up to PING_BODY_LIMIT. */
export function pingSchema(pingBodyLimit: number) {
  return {
    code: { type: "string", pattern: CODE_PATTERN },
    kind: { type: "enum", values: ["success", "start", "fail", "log"] },
    exitStatus: { type: "number", integer: true, min: 0, max: 255, nullable: true },
    data: { type: "string", nullable: true, max: pingBodyLimit },
    dataTruncated: { type: "boolean" },
    sourceIp: { type: "string", max: 64, nullable: true },
    userAgent: { type: "string", max: 1000, nullable: true },
    create: { type: "boolean", optional: true },
  };
}
