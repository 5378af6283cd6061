// Hosts polled over SSH: what services/registry-hosts.ts (hostView, hosts.metrics) and
// agent-collector.check (a poll's outcome, also kept as the host's lastResult) answer.

import type { Operations } from "./json-schema.ts";
import { arrayOf, bool, dateTime, int, mapOf, nullable, num, object, pageOf, ref, str } from "./json-schema.ts";

export const schemas = {
  HostDisk: object({ device: str, mount: str, sizeKb: num, usedPercent: num }),
  HostMetrics: object({
    cpuPercent: num,
    load: { type: "array", items: num, minItems: 3, maxItems: 3 },
    memoryPercent: num,
    /** null when the host has no swap */
    swapPercent: nullable(num),
    disks: arrayOf(ref("HostDisk")),
    /** pattern → how many running processes' command lines contain it */
    processes: mapOf(int),
  }),
  HostPollResult: object({
    ok: bool,
    startedAt: dateTime,
    durationMs: int,
    /** null when the poll failed (no connection, wrong key, …) */
    metrics: nullable(ref("HostMetrics")),
    breaches: arrayOf(str),
    error: nullable(str),
  }),
  Host: object({
    id: int,
    name: str,
    address: str,
    port: int,
    username: str,
    /** "********" when a key is stored; never the key itself */
    privateKey: nullable(str),
    keyPath: nullable(str),
    passphrase: nullable(str),
    hostKeyFingerprint: nullable(str),
    trustOnFirstUse: bool,
    intervalSeconds: int,
    graceSeconds: int,
    checks: arrayOf(str),
    monitorId: nullable(int),
    enabled: bool,
    lastPollAt: nullable(dateTime),
    lastResult: nullable(ref("HostPollResult")),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  HostPage: pageOf("Host"),
  HostSample: object({
    at: dateTime,
    durationMs: int,
    ok: bool,
    cpu: nullable(num),
    memory: nullable(num),
    swap: nullable(num),
    load1: nullable(num),
    disks: arrayOf(object({ mount: str, usedPercent: num })),
    error: nullable(str),
  }),
  HostSamples: object({ from: dateTime, to: dateTime, items: arrayOf(ref("HostSample")) }),
};

export const operations: Operations = {
  "GET /api/v1/hosts": { operationId: "listHosts", response: ref("HostPage") },
  "POST /api/v1/hosts": { operationId: "createHost", response: ref("Host") },
  "GET /api/v1/hosts/{id}": { operationId: "getHost", response: ref("Host") },
  "PATCH /api/v1/hosts/{id}": { operationId: "updateHost", response: ref("Host") },
  "DELETE /api/v1/hosts/{id}": { operationId: "deleteHost", response: ref("Deleted") },
  "POST /api/v1/hosts/{id}/check": { operationId: "checkHost", response: ref("HostPollResult") },
  "GET /api/v1/hosts/{id}/metrics": { operationId: "getHostMetrics", response: ref("HostSamples") },
};
