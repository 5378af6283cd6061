// Users, dashboard sessions and API keys: what services/registry-users.ts, registry-keys.ts and
// the gateway's session route answer.

import { ROLES } from "../../core/security/password.ts";
import { KEY_SCOPES } from "../../core/security/api-key.ts";
import { THEMES } from "../../core/people/theme.ts";
import type { Operations } from "./json-schema.ts";
import {
  arrayOf,
  bool,
  constant,
  dateTime,
  deleted,
  enumOf,
  extend,
  int,
  mapOf,
  nullable,
  object,
  oneOf,
  pageOf,
  ref,
  str,
} from "./json-schema.ts";

const role = enumOf(ROLES);
const ApiKey = object({
  id: int,
  name: str,
  scope: enumOf(KEY_SCOPES),
  /** the key's first characters, to tell keys apart */
  prefix: str,
  createdBy: str,
  createdAt: dateTime,
  lastUsedAt: nullable(dateTime),
  revokedAt: nullable(dateTime),
});

export const schemas = {
  Role: role,
  /** A user as admins see it; createdAt is in the list, not in an update's answer. */
  User: object(
    {
      username: str,
      role,
      /** where the weekly report goes */
      email: nullable(str),
      weeklyReport: bool,
      weeklyReportSentAt: nullable(dateTime),
      createdAt: dateTime,
    },
    ["createdAt"],
  ),
  UserPage: pageOf("User"),
  NewUser: object({ username: str, role }),
  DeletedUser: deleted("username", str),
  /** Who is signed in with the cookie, the CSRF token for changes, and the server's default language. */
  Session: object({
    /** theme: the dashboard's colour scheme; "system" follows the browser's prefers-color-scheme */
    /** enrolRequired: an admin without a second factor while admins must have one; only /api/v1/account works */
    user: object(
      { username: str, role, locale: nullable(ref("Locale")), theme: enumOf(THEMES), enrolRequired: constant(true) },
      ["enrolRequired"],
    ),
    csrfToken: str,
    defaultLocale: ref("Locale"),
  }),
  /** The first step of a sign-in of a user with a second factor: what to answer, and with what. */
  SecondFactorChallenge: object({
    secondFactor: object({
      token: str,
      methods: arrayOf(enumOf(["totp", "passkey", "recovery"])),
      /** the options for navigator.credentials.get when the user has a passkey, else null */
      passkey: nullable({ type: "object" }),
    }),
  }),
  Factor: object({
    id: int,
    kind: enumOf(["totp", "passkey"]),
    name: str,
    createdAt: dateTime,
    lastUsedAt: nullable(dateTime),
  }),
  Factors: object({ factors: arrayOf(ref("Factor")), recoveryCodesLeft: int }),
  /** A new authenticator app: its secret as text, as an otpauth:// URI and as a QR code (SVG). */
  TotpEnrolment: object({ secret: str, uri: str, qrSvg: str }),
  /** A confirmed factor; recoveryCodes when it was the first one (shown only here), else null. */
  NewFactor: object({ id: int, recoveryCodes: nullable(arrayOf(str)) }),
  RecoveryCodes: object({ recoveryCodes: arrayOf(str) }),
  PasskeyRequest: object({ token: str, options: { type: "object" } }),
  Settings: object({ requireAdminSecondFactor: bool }),
  /**
   * One audit log entry. actor: a user name, `key hbk_… (name)` for an API key, or the name a
   * failed sign-in tried; changes: per field {from, to} (create: to, delete: from), or "(set)" /
   * "(changed)" for a secret; sign-ins carry {via, method}.
   */
  AuditEntry: object({
    at: dateTime,
    actor: nullable(str),
    action: str,
    target: nullable(str),
    ip: nullable(str),
    changes: nullable(mapOf(oneOf(object({ from: {}, to: {} }, ["from", "to"]), enumOf(["(set)", "(changed)"])))),
  }),
  AuditPage: pageOf("AuditEntry"),
  ApiKey,
  ApiKeyPage: pageOf("ApiKey"),
  /** A new key: the only answer that shows the key itself. */
  NewApiKey: extend(ApiKey, { key: str }),
  RevokedApiKey: extend(ApiKey, { revoked: enumOf(["now", "already"]) }),
};

export const operations: Operations = {
  "GET /api/v1/session": { operationId: "getSession", response: ref("Session") },
  "POST /api/v1/session": { operationId: "login", response: oneOf(ref("Session"), ref("SecondFactorChallenge")) },
  "POST /api/v1/session/second-factor": { operationId: "loginSecondFactor", response: ref("Session") },
  "GET /api/v1/account/factors": { operationId: "listFactors", response: ref("Factors") },
  "POST /api/v1/account/factors/totp": { operationId: "startTotp", response: ref("TotpEnrolment") },
  "POST /api/v1/account/factors/totp/confirm": { operationId: "confirmTotp", response: ref("NewFactor") },
  "POST /api/v1/account/factors/passkey/options": { operationId: "passkeyOptions", response: ref("PasskeyRequest") },
  "POST /api/v1/account/factors/passkey": { operationId: "addPasskey", response: ref("NewFactor") },
  "DELETE /api/v1/account/factors/{id}": { operationId: "removeFactor" },
  "POST /api/v1/account/recovery-codes": { operationId: "newRecoveryCodes", response: ref("RecoveryCodes") },
  "GET /api/v1/audit": { operationId: "listAudit", response: ref("AuditPage") },
  "GET /api/v1/settings": { operationId: "getSettings", response: ref("Settings") },
  "PATCH /api/v1/settings": { operationId: "updateSettings", response: ref("Settings") },
  "PATCH /api/v1/session": { operationId: "setSessionLocale", response: ref("Session") },
  "DELETE /api/v1/session": { operationId: "logout" },
  "GET /api/v1/users": { operationId: "listUsers", response: ref("UserPage") },
  "POST /api/v1/users": { operationId: "createUser", response: ref("NewUser") },
  "PATCH /api/v1/users/{username}": { operationId: "updateUser", response: ref("User") },
  "DELETE /api/v1/users/{username}": { operationId: "deleteUser", response: ref("DeletedUser") },
  "GET /api/v1/keys": { operationId: "listApiKeys", response: ref("ApiKeyPage") },
  "POST /api/v1/keys": { operationId: "createApiKey", response: ref("NewApiKey") },
  "DELETE /api/v1/keys/{id}": { operationId: "revokeApiKey", response: ref("RevokedApiKey") },
};
