// Public status badges: /badge/<badge key>.svg or .json, no login. The key names one monitor or
// tag and nothing else; the registry says what the badge shows.

import { Errors } from "moleculer";
import {
  BADGE_LABEL_MAX,
  badgeJson,
  parseBadgeFile,
  renderBadgeSvg,
  type BadgeStatus,
} from "../../core/monitor/badge.ts";
import { sendJson } from "../http.ts";
import { guarded, OPEN_ROUTE, type GatewayRoute } from "./route.ts";

const { MoleculerClientError } = Errors;
/** How long a badge may be cached (browsers, CDNs, GitHub's camo): short, so it stays current. */
const BADGE_MAX_AGE_S = 30;

export function badgesRoute(): GatewayRoute {
  return {
    name: "badges",
    path: "/badge",
    ...OPEN_ROUTE,
    docs: {
      "GET /:file": {
        summary: "a status badge: <badge key>.svg (shields-style) or <badge key>.json (shields.io endpoint format)",
        query: {
          label: {
            type: "string",
            optional: true,
            max: BADGE_LABEL_MAX,
            description: "the text left of the status (default: the monitor's or tag's name)",
          },
        },
        produces: "image/svg+xml",
      },
    },
    aliases: {
      "GET /:file": guarded(async (req, res) => {
        const { file, label } = req.$params as { file?: unknown; label?: unknown };
        if (label !== undefined && (typeof label !== "string" || label.length > BADGE_LABEL_MAX)) {
          throw new MoleculerClientError(
            `label must be text of at most ${BADGE_LABEL_MAX} characters`,
            422,
            "VALIDATION_ERROR",
            { field: "label" },
          );
        }
        const wanted = typeof file === "string" ? parseBadgeFile(file) : null;
        const shown = wanted
          ? ((await req.$service.broker.call("registry.badges.show", { key: wanted.key })) as {
              label: string;
              status: BadgeStatus;
            } | null)
          : null;
        // One answer for a malformed, unknown or regenerated key: it says nothing about which.
        if (!wanted || !shown) throw new MoleculerClientError("no such badge", 404, "NOT_FOUND");
        const text = typeof label === "string" && label !== "" ? label : shown.label;
        res.setHeader("Cache-Control", `public, max-age=${BADGE_MAX_AGE_S}`);
        if (wanted.format === "json") return sendJson(res, 200, badgeJson(text, shown.status));
        res.statusCode = 200;
        res.setHeader("Content-Type", "image/svg+xml; charset=utf-8");
        res.end(renderBadgeSvg(text, shown.status));
      }),
    },
  };
}
