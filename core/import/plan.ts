// What an import asks the registry to create, whatever it came from (the original tool's
// MySQL database, a healthchecks.io checks listing, our own export). Sources map their data
// into a plan with pure functions; the registry's `import` action validates the whole plan
// with the same rules as its create actions and writes it in one transaction.

/** A channel to create unless one with the same identity exists (see channelIdentity). */
export interface ChannelSpec {
  name: string;
  type: string;
  /** the plugin config, secrets included in the clear, or left out when `sealedSecrets` carries them */
  config: Record<string, unknown>;
  /** the secrets as our export writes them: sealed with the exporting server's SECRET_KEY */
  sealedSecrets?: string;
  /** secret fields the export left out (no SECRET_KEY to seal them with) */
  secretsOmitted?: string[];
  events?: string[];
  isDefault?: boolean;
  enabled?: boolean;
}

export interface PingSpec {
  kind: "success" | "fail";
  data: string | null;
  receivedAt: number;
  sourceIp: string | null;
  userAgent: string | null;
}

/** A ping of an import's history sent apart from its plan (registry.importPings), in batches. */
export interface CodedPing extends PingSpec {
  /** the monitor's code */
  code: string;
}

export interface MonitorSpec {
  /** the ping code, kept as it is so that existing jobs keep pinging */
  code: string;
  name: string;
  description: string | null;
  /** a schedule as the API takes it; the registry validates it */
  schedule: Record<string, unknown>;
  tags: string[];
  paused: boolean;
  /** identities (channelIdentity) of the channels it alerts; left out: the default channels, as create does */
  channels?: string[];
  repeatEverySeconds?: number | null;
  /**
   * maxRunSeconds, slowFactor, slowWindow, failureThreshold, recoveryThreshold, failureRate,
   * minRunSeconds, minGapSeconds, reportUnexpectedRuns; left out: the defaults
   */
  runLimits?: Record<string, unknown>;
  /** codes of its parents (core/monitor/dependencies.ts), in the plan or already stored */
  dependsOn?: string[];
  /** epoch ms: alerts held until then (a snooze running when it was exported) */
  snoozedUntil?: number | null;
  pings?: PingSpec[];
  /** where it came from, for the report and errors: `service #12`, `checks[3]` */
  origin: string;
}

export interface Skipped {
  kind: "monitor" | "channel" | "tag" | "maintenance window";
  item: string;
  reason: string;
}

/** A maintenance window as our export writes it: its monitors named by code, its rule as the API takes it. */
export interface WindowSpec {
  name: string;
  rule: Record<string, unknown>;
  monitorCodes: string[];
  tags: string[];
}

export interface ImportPlan {
  tags?: string[];
  maintenanceWindows?: WindowSpec[];
  channels: ChannelSpec[];
  monitors: MonitorSpec[];
  /** what the source mapping could not bring, and why */
  skipped: Skipped[];
  /** plan and report only: the registry does it all in its transaction, then rolls it back */
  dryRun?: boolean;
}

export type Outcome = "created" | "present" | "skipped";

export interface ReportItem {
  kind: "monitor" | "channel" | "tag" | "maintenance window";
  name: string;
  code?: string;
  outcome: Outcome;
  reason?: string;
}

export interface ImportReport {
  items: ReportItem[];
  counts: Record<Outcome, number>;
}

/** A field of the input file that is wrong: the import stops before writing anything. */
export class ImportInputError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/**
 * How an import recognises a channel it created before: an email channel by its recipients
 * (the original tool's notify_to addresses), any other by type and name (their addresses are
 * secrets, which are stored sealed and not compared).
 */
export function channelIdentity(c: {
  type: string;
  name: string;
  config: Record<string, unknown>;
  managed?: string | null;
}): string {
  if (c.managed) return `managed:${c.managed}`;
  if (c.type === "email" && Array.isArray(c.config.to)) {
    return `email:${c.config.to
      .map((a) => String(a).trim().toLowerCase())
      .sort()
      .join(",")}`;
  }
  return `${c.type}:${c.name}`;
}

const TAG_MAX = 64;

/** Tag names as the registry stores them (trimmed, lower-case); the ones it would refuse go to `skipped`. */
export function cleanTags(names: string[], item: string, skipped: Skipped[]): string[] {
  const out: string[] = [];
  for (const raw of names) {
    const n = raw.trim().toLowerCase();
    if (!n) continue;
    if (n.includes(",") || n.length > TAG_MAX)
      skipped.push({
        kind: "tag",
        item: `${item} tag "${raw}"`,
        reason: `a tag has at most ${TAG_MAX} characters and no comma`,
      });
    else out.push(n);
  }
  return [...new Set(out)];
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
