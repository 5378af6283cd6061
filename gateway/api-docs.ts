// The API reference at /api/docs: Swagger UI from node_modules/swagger-ui-dist (no CDN), a small
// HTML page and an initializer script of ours (no inline script), so the gateway's
// Content-Security-Policy holds. Swagger UI reads /api/openapi.json.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Errors } from "moleculer";

const OWN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "api-docs-page");
// Only its path: the package's main module would load the whole bundle into Node.
const SWAGGER_DIR = (createRequire(import.meta.url)("swagger-ui-dist/absolute-path.js") as () => string)();

/** The files the page loads, where they are, and their types. */
const ASSETS: Record<string, { dir: string; type: string }> = {
  "swagger-ui.css": { dir: SWAGGER_DIR, type: "text/css; charset=utf-8" },
  "swagger-ui-bundle.js": { dir: SWAGGER_DIR, type: "text/javascript; charset=utf-8" },
  "favicon-32x32.png": { dir: SWAGGER_DIR, type: "image/png" },
  "swagger-init.js": { dir: OWN_DIR, type: "text/javascript; charset=utf-8" },
};

function send(res: ServerResponse, file: string, type: string, cacheControl: string): void {
  res.statusCode = 200;
  res.setHeader("Content-Type", type);
  res.setHeader("Cache-Control", cacheControl);
  fs.createReadStream(file).pipe(res);
}

export function sendDocsPage(_req: IncomingMessage, res: ServerResponse): void {
  send(res, path.join(OWN_DIR, "index.html"), "text/html; charset=utf-8", "no-cache");
}

/** One of the page's files (moleculer-web's function alias: an unknown name goes to next as a 404). */
export function sendDocsAsset(
  req: IncomingMessage & { $params?: { file?: unknown } },
  res: ServerResponse,
  next: (err?: unknown) => void,
): void {
  const name = String(req.$params?.file ?? "");
  const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name]! : null;
  if (!asset) return next(new Errors.MoleculerClientError("not found", 404, "NOT_FOUND"));
  // Swagger UI's files change with the package version only; ours with a deploy.
  send(res, path.join(asset.dir, name), asset.type, asset.dir === SWAGGER_DIR ? "public, max-age=3600" : "no-cache");
}
