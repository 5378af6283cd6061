// Serving the built dashboard: its files, index.html for the app's own paths (the Angular
// router's deep links), and the security headers every answer carries.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";

export const DASHBOARD_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dashboard/dist/browser");

/** The app needs nothing from elsewhere: everything it loads comes from this origin. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join("; ");

export function securityHeaders(res: ServerResponse): void {
  res.setHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
}

/**
 * The build's content-hashed files: `main-BMN5MAUG.js`, `chunk-PF-2ykX9.js`. The hash is
 * mixed-case base64url, so it may hold `-` and `_`; a file named by a hash never changes.
 */
const HASHED_FILE = /^(main|chunk|styles|polyfills)-[A-Za-z0-9_-]{8,}\.(js|css)$/;

/** Hashed bundles are cached for good; anything else (index.html, favicon) is re-checked. */
export function cacheControlFor(file: string): string {
  return HASHED_FILE.test(path.basename(file)) ? "public, max-age=31536000, immutable" : "no-cache";
}

/** serve-static's options. */
export const staticOptions = {
  index: "index.html",
  fallthrough: true,
  setHeaders(res: ServerResponse, file: string) {
    res.setHeader("Cache-Control", cacheControlFor(file));
  },
};

/** A GET for a page of the app (not an API or ping path, not a file): answered with index.html. */
export function isAppPath(req: IncomingMessage): boolean {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const url = (req.url ?? "/").split("?")[0]!;
  if (/^\/(api|ping)(\/|$)/.test(url) || /^\/(healthz|readyz|metrics)$/.test(url)) return false;
  if (/\.[a-z0-9]{1,8}$/i.test(url)) return false;
  return String(req.headers.accept ?? "").includes("text/html");
}

export function sendIndex(res: ServerResponse): boolean {
  const index = path.join(DASHBOARD_DIR, "index.html");
  if (!fs.existsSync(index)) return false;
  res.statusCode = 200;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.setHeader("Cache-Control", "no-cache");
  fs.createReadStream(index).pipe(res);
  return true;
}

export function dashboardBuilt(): boolean {
  return fs.existsSync(path.join(DASHBOARD_DIR, "index.html"));
}
