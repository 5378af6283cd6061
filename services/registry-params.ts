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

