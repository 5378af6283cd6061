// Maintenance windows: what core/db/maintenance.ts windowView answers, and the rule a request
// gives (core/schedule/maintenance.ts parseWindow).

import type { Operations } from "./json-schema.ts";
import {
  arrayOf,
  bool,
  constant,
  dateTime,
  extend,
  int,
  nullable,
  num,
  object,
  oneOf,
  pageOf,
  ref,
  str,
} from "./json-schema.ts";

const RecurringMaintenanceRule = object({
  kind: constant("recurring"),
  expression: str,
  durationSeconds: int,
  timezone: str,
});
/** On input a time is ISO 8601 or epoch milliseconds. */
const instantInput = oneOf(dateTime, num);

export const schemas = {
  MaintenanceRule: oneOf(ref("OnceMaintenanceRule"), ref("RecurringMaintenanceRule")),
  OnceMaintenanceRule: object({ kind: constant("once"), startsAt: dateTime, endsAt: dateTime }),
  RecurringMaintenanceRule,
  MaintenanceRuleInput: oneOf(
    object({ kind: constant("once"), startsAt: instantInput, endsAt: instantInput }),
    extend(RecurringMaintenanceRule, {}, ["timezone"]),
  ),
  MaintenanceWindow: object({
    id: int,
    name: str,
    rule: ref("MaintenanceRule"),
    monitorIds: arrayOf(int),
    tags: arrayOf(str),
    active: bool,
    activeUntil: nullable(dateTime),
    nextChangeAt: nullable(dateTime),
    createdAt: dateTime,
    updatedAt: dateTime,
  }),
  MaintenanceWindowPage: pageOf("MaintenanceWindow"),
};

const withRule = { rule: ref("MaintenanceRuleInput") };

export const operations: Operations = {
  "GET /api/v1/maintenance": { operationId: "listMaintenanceWindows", response: ref("MaintenanceWindowPage") },
  "POST /api/v1/maintenance": {
    operationId: "createMaintenanceWindow",
    response: ref("MaintenanceWindow"),
    body: withRule,
  },
  "GET /api/v1/maintenance/{id}": { operationId: "getMaintenanceWindow", response: ref("MaintenanceWindow") },
  "PATCH /api/v1/maintenance/{id}": {
    operationId: "updateMaintenanceWindow",
    response: ref("MaintenanceWindow"),
    body: withRule,
  },
  "DELETE /api/v1/maintenance/{id}": { operationId: "deleteMaintenanceWindow", response: ref("Deleted") },
};
