// The dashboard's login session: a cookie holding a random token (HttpOnly, SameSite=Strict,
// Secure wherever the browser will keep a Secure cookie) and the CSRF rule for changes made
// with it. Basic auth stays for scripts and jobs; the cookie is for the browser.

import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const SESSION_COOKIE = "hb_session";

/**
 * The cookie's name: `__Host-hb_session` when the server is public over HTTPS (PUBLIC_URL), so
 * the browser accepts it only Secure, for this host alone (no Domain) and the whole site (Path=/)
 * — a sibling subdomain cannot plant or overwrite it. Over plain HTTP browsers refuse a
 * `__Host-` cookie (it must be Secure), so there it keeps its plain name.
 */
export function sessionCookieName(publicUrl: string | null): string {
  return publicUrl?.startsWith("https://") ? `__Host-${SESSION_COOKIE}` : SESSION_COOKIE;
}
export const CSRF_HEADER = "x-csrf-token";
const TOKEN = /^[A-Za-z0-9_-]{20,200}$/;

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      return TOKEN.test(value) ? value : null;
    }
  }
  return null;
}

/**
 * Secure when the page is HTTPS (directly, or per X-Forwarded-Proto behind a trusted proxy, or
 * per PUBLIC_URL), and on localhost, which browsers treat as secure. On plain HTTP elsewhere a
 * Secure cookie would be dropped and nobody could log in, so there it goes without.
 */
export function secureRequest(req: IncomingMessage, trustProxy: boolean, publicUrl: string | null): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  if (
    trustProxy &&
    String(req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      ?.trim() === "https"
  )
    return true;
  if (publicUrl?.startsWith("https://")) return true;
  const host = String(req.headers.host ?? "")
    .replace(/:\d+$/, "")
    .replace(/^\[|\]$/g, "");
  return host === "localhost" || host.endsWith(".localhost") || host === "127.0.0.1" || host === "::1";
}

export function sessionCookie(name: string, token: string, maxAgeSeconds: number, secure: boolean): string {
  return `${name}=${token}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

export function clearedCookie(name: string, secure: boolean): string {
  return `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? "; Secure" : ""}`;
}

/** Reads need no token; every other method must echo the session's CSRF token. */
export function csrfOk(method: string | undefined, sent: unknown, expected: string): boolean {
  if (method === "GET" || method === "HEAD" || method === "OPTIONS") return true;
  if (typeof sent !== "string") return false;
  const a = Buffer.from(sent);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Whether a 401 may carry the Basic challenge. A browser answering a page's fetch with its own
 * password dialog would hijack the dashboard's login form, so a page's own requests are not
 * challenged; curl, jobs, libraries and a typed-in URL are.
 */
export function mayChallenge(req: IncomingMessage): boolean {
  // Browsers send Sec-Fetch-Site with every request; HTTP libraries (Node's fetch sends a
  // Sec-Fetch-Mode of its own) do not, and keep getting the challenge they may rely on.
  if (req.headers["sec-fetch-site"] === undefined) return true;
  return req.headers["sec-fetch-mode"] === "navigate";
}

/**
 * The WebAuthn relying party of this request: PUBLIC_URL's origin and host name when it is set
 * (what production should do), else the origin the browser reached (the Host header, https when
 * the request is). A passkey is bound to the host name by the browser itself, so a request naming
 * another host cannot use a key made for this one.
 */
export function relyingParty(
  req: IncomingMessage,
  trustProxy: boolean,
  publicUrl: string | null,
): { rpID: string; origin: string } {
  if (publicUrl) {
    const u = new URL(publicUrl);
    return { rpID: u.hostname, origin: u.origin };
  }
  const encrypted =
    (req.socket as { encrypted?: boolean }).encrypted ||
    (trustProxy &&
      String(req.headers["x-forwarded-proto"] ?? "")
        .split(",")[0]
        ?.trim() === "https");
  try {
    const u = new URL(`${encrypted ? "https" : "http"}://${String(req.headers.host ?? "localhost")}`);
    return { rpID: u.hostname.replace(/^\[|\]$/g, ""), origin: u.origin };
  } catch {
    // A Host header no URL can hold: no passkey verifies against it, and nothing else breaks.
    return { rpID: "invalid", origin: "http://invalid" };
  }
}
