// The registry's hosts: machines the agent-collector polls over SSH. Each host is tied to a
// monitor (made with the host, interval = the host's check interval, plus its grace) so that
// host alerts take the same checker → notifier path as every job. Key material is write-only.
// The SQL is core/db/hosts.ts.

import { Errors, type Context } from "moleculer";
import type { ServiceDeps } from "../deps.ts";
import { parseCheck, processPatterns } from "../../core/hosts/host-checks.ts";
import {
  deleteHost,
  hostIdByName,
  hostRow,
  hostSamples,
  insertHost,
  listHosts,
  updateHost,
  type HostRow,
} from "../../core/db/hosts.ts";
import { MASK } from "../../plugins/catalog.ts";

const { MoleculerClientError, ValidationError } = Errors;

type HostParams = {
  name: string;
  address: string;
  port?: number;
  username: string;
  privateKey?: string | null;
  keyPath?: string | null;
  passphrase?: string | null;
  hostKeyFingerprint?: string | null;
  trustOnFirstUse?: boolean;
  intervalSeconds?: number;
  graceSeconds?: number;
  checks?: string[];
  enabled?: boolean;
};

function invalid(field: string, message: string): never {
  throw new ValidationError(message, "VALIDATION_ERROR", [{ type: "invalid", field, message }]);
}

function notFound(): never {
  throw new MoleculerClientError("host not found", 404, "NOT_FOUND", { field: "id" });
}

/** Each check must parse; answers the stored form (one per line of JSON). */
function checkedChecks(checks: string[]): string[] {
  checks.forEach((c, i) => {
    const parsed = parseCheck(c);
    if (!parsed.ok) invalid(`checks[${i}]`, parsed.error);
  });
  return checks.map((c) => c.trim());
}

function keyShape(privateKey: string | null | undefined): void {
  if (privateKey && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(privateKey))
    invalid("privateKey", "a private key in PEM or OpenSSH format (-----BEGIN … PRIVATE KEY-----)");
}

export function hostView(r: HostRow) {
  const at = (v: unknown) => (v === null || v === undefined ? null : new Date(Number(v)).toISOString());
  return {
    id: Number(r.id),
    name: r.name,
    address: r.address,
    port: Number(r.port),
    username: r.username,
    privateKey: r.private_key ? MASK : null,
    keyPath: r.key_path,
    passphrase: r.passphrase ? MASK : null,
    hostKeyFingerprint: r.host_key_fingerprint,
    trustOnFirstUse: Boolean(Number(r.trust_on_first_use)),
    intervalSeconds: Number(r.interval_seconds),
    graceSeconds: Number(r.grace_seconds),
    checks: JSON.parse(r.checks) as string[],
    monitorId: r.monitor_id === null ? null : Number(r.monitor_id),
    enabled: Boolean(Number(r.enabled)),
    lastPollAt: at(r.last_poll_at),
    lastResult: r.last_result ? JSON.parse(r.last_result) : null,
    createdAt: at(r.created_at),
    updatedAt: at(r.updated_at),
  };
}

export function hostsArea({ db, clock, secrets: box }: ServiceDeps) {
  const seal = (v: string | null | undefined) => (v ? box.seal(v) : null);
  async function row(hostId: number): Promise<HostRow> {
    return (await hostRow(db, hostId)) ?? notFound();
  }

  async function nameFree(name: string, except?: number): Promise<void> {
    const taken = await hostIdByName(db, name);
    if (taken !== null && taken !== except) invalid("name", `a host named "${name}" exists`);
  }

  return {
    async list() {
      const rows = await listHosts(db);
      return { total: rows.length, items: rows.map(hostView) };
    },

    async get(ctx: Context<{ id: number }>) {
      return hostView(await row(ctx.params.id));
    },

    async create(ctx: Context<HostParams>) {
      const p = ctx.params;
      if (Boolean(p.privateKey) === Boolean(p.keyPath)) invalid("privateKey", "give either privateKey or keyPath");
      keyShape(p.privateKey);
      const checks = checkedChecks(p.checks ?? []);
      await nameFree(p.name);
      const interval = p.intervalSeconds ?? 300;
      const grace = p.graceSeconds ?? 60;
      const monitor = (await ctx.call("registry.create", {
        name: `host ${p.name}`,
        description: `SSH checks of ${p.username}@${p.address}:${p.port ?? 22}`,
        schedule: { kind: "interval", periodSeconds: interval, graceSeconds: grace },
        tags: ["host"],
      })) as { id: number };
      const now = clock.now();
      const hostId = await insertHost(db, {
        name: p.name,
        address: p.address,
        port: p.port ?? 22,
        username: p.username,
        private_key: seal(p.privateKey),
        key_path: p.keyPath ?? null,
        passphrase: seal(p.passphrase),
        host_key_fingerprint: p.hostKeyFingerprint ?? null,
        trust_on_first_use: p.trustOnFirstUse ?? false,
        interval_seconds: interval,
        grace_seconds: grace,
        checks: JSON.stringify(checks),
        processes: JSON.stringify(processPatterns(checks)),
        monitor_id: monitor.id,
        enabled: p.enabled ?? true,
        next_poll_at: now,
        created_at: now,
        updated_at: now,
      });
      ctx.broadcast("host.changed", { id: hostId });
      Object.assign(ctx.meta, { $statusCode: 201, $location: `/api/v1/hosts/${hostId}` });
      return hostView(await row(hostId));
    },

    async update(ctx: Context<Partial<HostParams> & { id: number }>) {
      const p = ctx.params;
      const r = await row(p.id);
      const set: Record<string, unknown> = { updated_at: clock.now() };
      if (p.name !== undefined) {
        await nameFree(p.name, p.id);
        set.name = p.name;
      }
      for (const [param, col] of [
        ["address", "address"],
        ["port", "port"],
        ["username", "username"],
        ["trustOnFirstUse", "trust_on_first_use"],
        ["enabled", "enabled"],
        ["hostKeyFingerprint", "host_key_fingerprint"],
      ] as const) {
        if (p[param] !== undefined) set[col] = p[param];
      }
      // Key material: what was sent replaces what is stored (sealed); absent or masked keeps it.
      let privateKey = r.private_key;
      let keyPath = r.key_path;
      if (p.privateKey !== undefined && p.privateKey !== MASK) {
        keyShape(p.privateKey);
        privateKey = seal(p.privateKey);
        if (privateKey) keyPath = null;
      }
      if (p.keyPath !== undefined) {
        keyPath = p.keyPath || null;
        if (keyPath) privateKey = null;
      }
      if (Boolean(privateKey) === Boolean(keyPath)) invalid("privateKey", "give either privateKey or keyPath");
      Object.assign(set, { private_key: privateKey, key_path: keyPath });
      if (p.passphrase !== undefined && p.passphrase !== MASK) set.passphrase = seal(p.passphrase);
      if (p.checks !== undefined) {
        const checks = checkedChecks(p.checks);
        set.checks = JSON.stringify(checks);
        set.processes = JSON.stringify(processPatterns(checks));
      }
      if (p.intervalSeconds !== undefined) set.interval_seconds = p.intervalSeconds;
      if (p.graceSeconds !== undefined) set.grace_seconds = p.graceSeconds;
      // A new address or a new schedule is polled now rather than at the old time.
      if (p.address !== undefined || p.port !== undefined || p.intervalSeconds !== undefined || p.enabled)
        set.next_poll_at = clock.now();
      await updateHost(db, p.id, set);
      if ((p.intervalSeconds !== undefined || p.graceSeconds !== undefined) && r.monitor_id !== null) {
        await ctx.call("registry.update", {
          id: Number(r.monitor_id),
          schedule: {
            kind: "interval",
            periodSeconds: p.intervalSeconds ?? Number(r.interval_seconds),
            graceSeconds: p.graceSeconds ?? Number(r.grace_seconds),
          },
        });
      }
      ctx.broadcast("host.changed", { id: p.id });
      return hostView(await row(p.id));
    },

    async remove(ctx: Context<{ id: number }>) {
      const r = await row(ctx.params.id);
      await deleteHost(db, Number(r.id));
      if (r.monitor_id !== null) await ctx.call("registry.pause", { id: Number(r.monitor_id) }).catch(() => undefined);
      ctx.broadcast("host.changed", { id: Number(r.id), deleted: true });
      return { id: Number(r.id), deleted: true };
    },

    async metrics(ctx: Context<{ id: number; from?: string; to?: string; limit: number }>) {
      await row(ctx.params.id);
      const when = (v: string | undefined, field: string, dflt: number) => {
        if (v === undefined) return dflt;
        const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
        if (!Number.isFinite(n)) invalid(field, "a time: ISO 8601 or epoch milliseconds");
        return n;
      };
      const now = clock.now();
      const to = when(ctx.params.to, "to", now);
      const from = when(ctx.params.from, "from", to - 86_400_000);
      if (from > to) invalid("from", "from must not be after to");
      const rows = await hostSamples(db, ctx.params.id, from, to, ctx.params.limit);
      const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        items: rows.reverse().map((s) => ({
          at: new Date(Number(s.started_at)).toISOString(),
          durationMs: Number(s.duration_ms),
          ok: Boolean(Number(s.ok)),
          cpu: num(s.cpu),
          memory: num(s.memory),
          swap: num(s.swap),
          load1: num(s.load1),
          disks: s.disks ? JSON.parse(String(s.disks)) : [],
          error: s.error ?? null,
        })),
      };
    },
  };
}
