// The channel types this process knows: the built-in plugins plus those named in
// NOTIFIER_PLUGINS. Also the rules every channel config obeys whatever its type: schema
// validation, write-only secrets, and the save-time address check for URL fields.

import ValidatorModule from "fastest-validator";
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ChannelPlugin, ConfigRule } from "./channel.ts";
import { refusedHost } from "../core/security/network-address.ts";
import * as email from "./email.ts";
import * as webhook from "./webhook.ts";
import * as slack from "./slack.ts";
import * as discord from "./discord.ts";
import * as teams from "./teams.ts";
import * as telegram from "./telegram.ts";
import * as ntfy from "./ntfy.ts";
import * as gotify from "./gotify.ts";
import * as pagerduty from "./pagerduty.ts";
import * as opsgenie from "./opsgenie.ts";

// CommonJS: the class is module.exports itself, while its typings say `export default`.
const Validator = ValidatorModule as unknown as typeof ValidatorModule.default;

export const BUILT_IN = [
  email,
  webhook,
  slack,
  discord,
  teams,
  telegram,
  ntfy,
  gotify,
  pagerduty,
  opsgenie,
] as unknown as ChannelPlugin[];

/** How a stored secret is shown: that it is set, never what it is. */
export const MASK = "********";

export interface FieldProblem {
  field: string;
  message: string;
  type?: string;
}

type AnyConfig = Record<string, unknown>;

export class Catalog {
  readonly plugins = new Map<string, ChannelPlugin<AnyConfig>>();
  private readonly checks = new Map<
    string,
    (value: unknown) => true | { field?: string; message?: string; type: string }[]
  >();
  private readonly validator = new Validator();

  add(plugin: ChannelPlugin<AnyConfig>, origin: string): void {
    if (typeof plugin?.type !== "string" || !/^[a-z][a-z0-9-]{0,63}$/.test(plugin.type)) {
      throw new Error(`${origin}: a channel plugin exports \`type\`, a lower-case name such as "my-pager"`);
    }
    if (typeof plugin.send !== "function")
      throw new Error(`${origin}: a channel plugin exports \`send(alert, config, io)\``);
    if (!plugin.schema || typeof plugin.schema !== "object")
      throw new Error(`${origin}: a channel plugin exports a \`schema\` object`);
    if (this.plugins.has(plugin.type)) throw new Error(`${origin}: channel type "${plugin.type}" is already defined`);
    const check = this.validator.compile({ $$root: true, type: "object", strict: true, props: plugin.schema });
    this.checks.set(plugin.type, check as never);
    this.plugins.set(plugin.type, plugin);
  }

  get(type: string): ChannelPlugin<AnyConfig> | undefined {
    return this.plugins.get(type);
  }

  /** The types and their fields, for the API and the dashboard's channel form. */
  describe(): { type: string; title: string; fields: Record<string, Omit<ConfigRule, never>> }[] {
    return [...this.plugins.values()].map((p) => ({ type: p.type, title: p.title ?? p.type, fields: p.schema }));
  }

  /**
   * Validates a complete config (defaults filled in place) and the addresses it points to.
   * Field names come back prefixed, e.g. "config.url".
   */
  validate(type: string, config: AnyConfig, allowPrivate: boolean): FieldProblem[] {
    const plugin = this.plugins.get(type);
    if (!plugin)
      return [
        { field: "type", message: `unknown channel type "${type}" (known: ${[...this.plugins.keys()].join(", ")})` },
      ];
    const result = this.checks.get(type)!(config);
    const problems: FieldProblem[] = [];
    if (result !== true) {
      for (const e of result) {
        const field = e.field ? `config.${e.field}` : "config";
        problems.push({
          field,
          type: e.type,
          message: (e.message ?? "is invalid").replace(/'[^']*' field/, "field").replace("The object ''", "The config"),
        });
      }
    }
    if (problems.length) return problems;
    for (const p of plugin.validate?.(config) ?? []) problems.push({ field: `config.${p.field}`, message: p.message });
    if (!allowPrivate) {
      for (const [name, rule] of Object.entries(plugin.schema)) {
        const value = config[name];
        if (rule.type !== "url" || typeof value !== "string") continue;
        let host: string;
        try {
          host = new URL(value).hostname;
        } catch {
          problems.push({ field: `config.${name}`, type: "url", message: "must be a valid URL" });
          continue;
        }
        const why = refusedHost(host);
        if (why)
          problems.push({
            field: `config.${name}`,
            type: "privateAddress",
            message: `${why}: private addresses are refused unless ALLOW_PRIVATE_WEBHOOKS=true`,
          });
      }
    }
    return problems;
  }

  secretFields(type: string): string[] {
    const plugin = this.plugins.get(type);
    return plugin
      ? Object.entries(plugin.schema)
          .filter(([, r]) => r.secret)
          .map(([k]) => k)
      : [];
  }

  /** Splits a config into what may be shown and what is write-only. */
  split(type: string, config: AnyConfig): { config: AnyConfig; secrets: AnyConfig } {
    const secret = new Set(this.secretFields(type));
    const shown: AnyConfig = {};
    const secrets: AnyConfig = {};
    for (const [k, v] of Object.entries(config)) (secret.has(k) ? secrets : shown)[k] = v;
    return { config: shown, secrets };
  }

  /** The config as the API shows it: secrets that are set read as MASK. */
  masked(type: string, config: AnyConfig, secrets: AnyConfig): AnyConfig {
    const out: AnyConfig = { ...config };
    for (const k of this.secretFields(type))
      if (secrets[k] !== undefined && secrets[k] !== null && secrets[k] !== "") out[k] = MASK;
    return out;
  }

  /**
   * An update's config on top of the stored one: a secret that is left out or sent back
   * masked keeps its stored value, so a form can round-trip what the API showed it.
   */
  merged(type: string, stored: AnyConfig, incoming: AnyConfig): AnyConfig {
    const out: AnyConfig = { ...incoming };
    for (const k of this.secretFields(type)) {
      if ((out[k] === undefined || out[k] === MASK) && stored[k] !== undefined) out[k] = stored[k];
    }
    return out;
  }

  async close(): Promise<void> {
    for (const p of this.plugins.values()) await p.close?.();
  }
}

/** Built-ins plus third-party plugins, each an npm package name or a file path. */
export async function loadCatalog(extra: readonly string[]): Promise<Catalog> {
  const catalog = new Catalog();
  for (const p of BUILT_IN) catalog.add(p, `built-in ${p.type}`);
  for (const name of extra) {
    const spec = name.startsWith(".") || isAbsolute(name) ? pathToFileURL(resolve(name)).href : name;
    let mod: Record<string, unknown>;
    try {
      mod = (await import(spec)) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`NOTIFIER_PLUGINS: cannot load "${name}": ${(err as Error).message}`, { cause: err });
    }
    // Named exports, or one default export holding them.
    const plugin = (typeof mod.send === "function" ? mod : mod.default) as ChannelPlugin<AnyConfig>;
    catalog.add(plugin, `NOTIFIER_PLUGINS "${name}"`);
  }
  return catalog;
}
