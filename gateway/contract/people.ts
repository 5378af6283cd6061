// Users, dashboard sessions and API keys: what services/registry-users.ts, registry-keys.ts and
// the gateway's session route answer.

import { ROLES } from "../../core/security/password.ts";
import { KEY_SCOPES } from "../../core/security/api-key.ts";
import { THEMES } from "../../core/people/theme.ts";
import type { Operations } from "./json-schema.ts";
import { bool, dateTime, deleted, enumOf, extend, int, nullable, object, pageOf, ref, str } from "./json-schema.ts";

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
    user: object({ username: str, role, locale: nullable(ref("Locale")), theme: enumOf(THEMES) }),
    csrfToken: str,
    defaultLocale: ref("Locale"),
  }),
  ApiKey,
  ApiKeyPage: pageOf("ApiKey"),
  /** A new key: the only answer that shows the key itself. */
  NewApiKey: extend(ApiKey, { key: str }),
  RevokedApiKey: extend(ApiKey, { revoked: enumOf(["now", "already"]) }),
};

export const operations: Operations = {
  "GET /api/v1/session": { operationId: "getSession", response: ref("Session") },
  "POST /api/v1/session": { operationId: "login", response: ref("Session") },
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
