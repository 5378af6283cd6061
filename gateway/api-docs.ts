// The API reference page: a small HTML page and its script (no CDN, no inline script, so the
// gateway's Content-Security-Policy holds) that read /api/openapi.json and list its routes.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ServerResponse } from "node:http";

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "api-docs-page");
const TYPES = { "index.html": "text/html; charset=utf-8", "app.js": "text/javascript; charset=utf-8" } as const;

export function sendDocsFile(res: ServerResponse, name: keyof typeof TYPES): void {
  const body = fs.readFileSync(path.join(DIR, name));
  res.statusCode = 200;
  res.setHeader("Content-Type", TYPES[name]);
  res.setHeader("Cache-Control", "no-cache");
  res.end(body);
}
