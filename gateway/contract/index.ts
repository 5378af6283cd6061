// The API contract: the JSON Schema of every success answer, named in components, and each
// operation's id, keyed "METHOD /path" as the OpenAPI document spells them. Requests are
// described by the actions' validation schemas (gateway/openapi.ts converts them); only fields
// a validator can say no more of than "object" (a schedule, a maintenance rule) are typed here.
// The dashboard's types are generated from the document (npm run api-types).

import type { Operations, Schema } from "./json-schema.ts";
import * as channels from "./channels.ts";
import * as hosts from "./hosts.ts";
import * as maintenance from "./maintenance.ts";
import * as monitors from "./monitors.ts";
import * as people from "./people.ts";
import * as system from "./system.ts";

export type { OperationContract, Operations, Schema } from "./json-schema.ts";

const areas = [monitors, channels, hosts, maintenance, people, system];

export const CONTRACT_SCHEMAS: Record<string, Schema> = Object.assign({}, ...areas.map((a) => a.schemas));
export const CONTRACT_OPERATIONS: Operations = Object.assign({}, ...areas.map((a) => a.operations));
