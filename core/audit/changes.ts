// What an audit entry says changed: the fields of a record before and after, as the API shows
// them (so secrets there are already masked), and the parameters the change was made with.
// Secrets never enter an entry: a secret field is named with "(set)" or "(changed)", never a
// value. A field is secret when its name says so (password, token, key, …) or when the API
// masks it (a channel type's write-only fields, a host's SSH key).

export type FieldChange = { from?: unknown; to?: unknown } | "(set)" | "(changed)";
export type Changes = Record<string, FieldChange>;

/** Names that hold secrets whatever record they are in (the last segment of a dotted path). */
const SECRET_NAME = /(password|passphrase|secret|token|privatekey|apikey|^key$|authorization|^url$)/i;
/**
 * What each record shows that no person changed: ids, times the system keeps, derived state.
 * `url` is left out too: a channel's URL often carries its token (Slack, Discord webhooks).
 */
const NOT_A_CHANGE =
  /^(id|code|createdAt|updatedAt|createdBy|lastPingAt|lastPing|lastPingKind|nextDueAt|downAt|downSince|statusChangedAt|uptime|counts|lastDelivery|lastPoll|lastSample|lastUsedAt|lastCheck|revokedAt|badge|prefix|channelCount|monitorCount|consecutiveFailures|consecutiveSuccesses|recentRuns|parents|children|maintenance|runDeadlineAt)(\.|$)/;
/** Nothing to say about a field that is empty. */
const empty = (v: unknown) => v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);
/** A value longer than this is cut: the log says what changed, it is not a copy of the record. */
const MAX_VALUE = 300;

type Flat = Map<string, unknown>;

/** Nested objects as dotted paths; arrays and scalars are leaves. */
export function flatten(value: unknown, prefix = "", out: Flat = new Map()): Flat {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.set(prefix, value);
  return out;
}

const last = (path: string) => path.slice(path.lastIndexOf(".") + 1);

function shown(v: unknown): unknown {
  if (v === undefined) return null;
  const s = JSON.stringify(v);
  return s !== undefined && s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE)}…` : v;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Whether the parameters carry a new value for this secret path (the mask sent back means "keep"). */
const givenSecret = (params: Flat, path: string, mask: string) => {
  const v = params.get(path);
  return v !== undefined && v !== null && v !== "" && v !== mask;
};

/**
 * The entry's `changes`: for a create the fields given, for an update each field whose value
 * moved ({from, to}), for a delete the fields the record had (empty ones left out). Secret fields appear only as
 * "(set)" / "(changed)", and only when the parameters gave one.
 */
export function auditChanges(
  kind: "create" | "update" | "delete",
  before: unknown,
  after: unknown,
  params: unknown,
  /** what the API shows in place of a secret (plugins/catalog.ts's MASK) */
  mask: string,
): Changes {
  const b = flatten(before);
  const a = flatten(after);
  const p = flatten(params);
  const secret = (path: string) => SECRET_NAME.test(last(path)) || b.get(path) === mask || a.get(path) === mask;
  const out: Changes = {};
  // A create says what the person gave (as the record shows it), not every default; a delete
  // what the record had; an update every field on either side.
  const paths = new Set(
    kind === "create" ? [...p.keys()] : kind === "delete" ? [...b.keys()] : [...b.keys(), ...a.keys()],
  );
  for (const path of paths) {
    if (NOT_A_CHANGE.test(path)) continue;
    if (secret(path)) {
      if (kind !== "delete" && givenSecret(p, path, mask)) out[path] = kind === "create" ? "(set)" : "(changed)";
      continue;
    }
    if (kind === "create") {
      const v = a.has(path) ? a.get(path) : p.get(path);
      if (!empty(v)) out[path] = { to: shown(v) };
    } else if (kind === "delete") {
      if (!empty(b.get(path))) out[path] = { from: shown(b.get(path)) };
    } else if (!same(b.get(path), a.get(path))) out[path] = { from: shown(b.get(path)), to: shown(a.get(path)) };
  }
  // Secrets the record never shows (a user's password): named when the parameters carry one.
  if (kind !== "delete")
    for (const path of p.keys())
      if (!(path in out) && !a.has(path) && SECRET_NAME.test(last(path)) && givenSecret(p, path, mask))
        out[path] = kind === "create" ? "(set)" : "(changed)";
  return out;
}
