// The shape of a WebAuthn credential as @simplewebauthn/browser sends it (the JSON forms of
// navigator.credentials.create / get answers): checked here so a malformed one is a 422 naming
// its field, before the registry verifies anything.

const B64URL = /^[A-Za-z0-9_-]{1,16384}$/;

/** The first field of `v` (named under `field`) that is not a credential of this ceremony's shape, or null. */
export function credentialProblem(v: unknown, field: string, ceremony: "create" | "get"): string | null {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return field;
  const c = v as Record<string, unknown>;
  for (const k of ["id", "rawId"]) if (typeof c[k] !== "string" || !B64URL.test(c[k] as string)) return `${field}.${k}`;
  // Two spellings of one credential id: a difference is a forged or mangled answer.
  if (c.id !== c.rawId) return `${field}.id`;
  if (c.type !== "public-key") return `${field}.type`;
  const ext = c.clientExtensionResults;
  if (ext !== undefined && (typeof ext !== "object" || ext === null || Array.isArray(ext)))
    return `${field}.clientExtensionResults`;
  if (c.authenticatorAttachment !== undefined && typeof c.authenticatorAttachment !== "string")
    return `${field}.authenticatorAttachment`;
  const r = c.response;
  if (typeof r !== "object" || r === null || Array.isArray(r)) return `${field}.response`;
  const res = r as Record<string, unknown>;
  const required =
    ceremony === "create"
      ? ["clientDataJSON", "attestationObject"]
      : ["clientDataJSON", "authenticatorData", "signature"];
  for (const k of required)
    if (typeof res[k] !== "string" || !B64URL.test(res[k] as string)) return `${field}.response.${k}`;
  if (
    ceremony === "get" &&
    res.userHandle !== undefined &&
    res.userHandle !== null &&
    typeof res.userHandle !== "string"
  )
    return `${field}.response.userHandle`;
  if (
    ceremony === "create" &&
    res.transports !== undefined &&
    (!Array.isArray(res.transports) || res.transports.some((t) => typeof t !== "string"))
  )
    return `${field}.response.transports`;
  return null;
}
