import { MAX_RUN_SECONDS, MAX_SLOW_WINDOW, MAX_THRESHOLD, SLOW_MIN_HISTORY } from "../core/monitor/run-limits.ts";

// Validator rules of the monitor fields, shared by the registry's create/update and its import, so that
// an imported monitor obeys exactly the rules of one created over the API.

export const MAX_TAGS = 30;
export const id = { type: "number", convert: true, integer: true, positive: true };
export const page = {
  limit: { type: "number", convert: true, integer: true, min: 1, max: 500, default: 100 },
  offset: { type: "number", convert: true, integer: true, min: 0, default: 0 },
};
export const tag = { type: "string", trim: true, lowercase: true, min: 1, max: 64, pattern: /^[^,]+$/, messages: { stringPattern: "a tag cannot contain a comma" } };
export const tags = { type: "array", optional: true, max: MAX_TAGS, items: tag };
export const name = { type: "string", trim: true, min: 1, max: 200 };
export const description = { type: "string", optional: true, nullable: true, max: 2000 };
export const channels = { type: "array", optional: true, max: 50, items: { type: "number", integer: true, positive: true, convert: true } };
// Reminders while a monitor stays down; null turns them off.
export const repeatEverySeconds = { type: "number", optional: true, nullable: true, integer: true, min: 1, max: 30 * 86_400, convert: true };

// Run limits (core/monitor/run-limits.ts checks them again, with slowFactor > 1): null turns the first two off.
export const runLimits = {
  maxRunSeconds: { type: "number", optional: true, nullable: true, integer: true, min: 1, max: MAX_RUN_SECONDS },
  slowFactor: { type: "number", optional: true, nullable: true, min: 1, max: 1000 },
  slowWindow: { type: "number", optional: true, integer: true, min: SLOW_MIN_HISTORY, max: MAX_SLOW_WINDOW },
  failureThreshold: { type: "number", optional: true, integer: true, min: 1, max: MAX_THRESHOLD },
  recoveryThreshold: { type: "number", optional: true, integer: true, min: 1, max: MAX_THRESHOLD },
};
