// compose.yaml and .env.example, checked offline against the image and the server's settings:
// the embedded profile keeps SQLite in the image's data volume; the distributed profile runs the
// migration first, then one container per service on MariaDB and NATS; every variable resolves
// from .env.example to a configuration the server accepts. (Debian bookworm's podman-compose,
// 1.0.3, knows neither profiles nor `config`; test/e2e/container.test.ts runs the image itself.)
//   node --test test/deploy/compose.test.ts

import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { SERVICE_NAMES, loadConfig } from "../../core/config.ts";
import { parseDockerfile, parseEnv } from "./sources.ts";
import { readEnvFile } from "../support/env-file.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");

const envExample = readEnvFile(path.join(ROOT, ".env.example"));

/** Compose's ${VAR}, ${VAR:-default} and ${VAR:?error} in every string value, from `vars`. */
function interpolate(value: unknown, vars: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => interpolate(v, vars));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars)]));
  if (typeof value !== "string") return value;
  return value.replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) => {
    const value = vars[name];
    if (value !== undefined && value !== "") return value;
    if (op === "?") throw new Error(`${name}: ${arg}`);
    return op === "-" ? (arg ?? "") : "";
  });
}

const rawCompose = read("compose.yaml");
const compose = interpolate(parse(rawCompose, { merge: true }), envExample) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = compose.services;

interface Service {
  image: string;
  profiles?: string[];
  environment?: Record<string, string | number>;
  entrypoint?: string[];
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
}

const runtime = parseDockerfile(read("Dockerfile")).at(-1)!;
const imageEnv = Object.fromEntries(
  runtime.instructions.filter((i) => i.keyword === "ENV").flatMap((i) => parseEnv(i.args)),
);
const dataDir = path.posix.dirname(imageEnv.DATABASE_URL!.replace(/^sqlite:/, ""));
const app = (s: Service) => s.image === envExample.HEARTBEATS_IMAGE;
const envOf = (s: Service) => Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));

test("every service belongs to exactly one profile, embedded or distributed", () => {
  for (const [name, s] of Object.entries(services)) {
    assert.equal(s.profiles?.length, 1, `${name}: ${JSON.stringify(s.profiles)}`);
    assert.ok(["embedded", "distributed"].includes(s.profiles![0]!), `${name}: ${s.profiles}`);
  }
  assert.ok(envExample.COMPOSE_PROFILES!.split(",").every((p) => ["embedded", "distributed"].includes(p)));
});

test("embedded: one container, its SQLite database in the image's data volume", () => {
  const embedded = Object.entries(services).filter(([, s]) => s.profiles![0] === "embedded");
  assert.deepEqual(
    embedded.map(([n]) => n),
    ["heartbeats"],
  );
  const s = embedded[0]![1];
  assert.ok(app(s), `the image is HEARTBEATS_IMAGE (${s.image})`);
  assert.equal(envOf(s).DATABASE_URL, undefined, "the image's default DATABASE_URL, in the volume");
  assert.equal(envOf(s).SERVICES, undefined, "every service");
  assert.deepEqual(s.volumes, [`heartbeats-data:${dataDir}`]);
  assert.ok("heartbeats-data" in compose.volumes, "a named volume (it takes the directory's owner, uid 1000)");
  assert.deepEqual(s.ports, [`${envExample.HEARTBEATS_PORT}:${imageEnv.PORT}`]);
});

test("distributed: MariaDB and NATS, the migration first, then one container per service", () => {
  const distributed = Object.fromEntries(Object.entries(services).filter(([, s]) => s.profiles![0] === "distributed"));
  const migrate = distributed.migrate!;
  assert.ok(app(migrate));
  assert.deepEqual(migrate.entrypoint, ["node", "bin/migrate.ts"]);
  assert.ok(fs.existsSync(path.join(ROOT, "bin/migrate.ts")));
  assert.deepEqual(migrate.depends_on, { mariadb: { condition: "service_healthy" } });
  assert.ok(distributed.mariadb, "MariaDB");
  assert.ok(distributed.nats, "NATS");

  const perService = Object.entries(distributed).filter(([n, s]) => app(s) && n !== "migrate");
  assert.deepEqual(perService.map(([, s]) => envOf(s).SERVICES).sort(), [...SERVICE_NAMES].sort());
  const mariadb = envOf(distributed.mariadb);
  for (const [name, s] of [["migrate", migrate] as const, ...perService]) {
    const env = envOf(s);
    const url = new URL(env.DATABASE_URL!);
    assert.equal(url.protocol, "mysql:", name);
    assert.equal(url.hostname, "mariadb", name);
    assert.equal(url.pathname, `/${mariadb.MARIADB_DATABASE}`, name);
    assert.equal(url.username, mariadb.MARIADB_USER, name);
    assert.equal(decodeURIComponent(url.password), mariadb.MARIADB_PASSWORD, name);
    assert.equal(env.TRANSPORTER, "nats://nats:4222", name);
    if (name === "migrate") continue;
    assert.equal(env.SERVICES, name, "each container is named after what it runs");
    assert.deepEqual(s.depends_on, {
      migrate: { condition: "service_completed_successfully" },
      nats: { condition: "service_started" },
    });
    assert.equal(Boolean(s.ports?.length), name === "gateway", `${name}: only the gateway is published`);
  }
});

test("every setting resolves from .env.example to a configuration the server accepts", () => {
  const config = read("core/config.ts");
  for (const [name, s] of Object.entries(services).filter(([, s]) => app(s))) {
    for (const key of Object.keys(envOf(s)))
      assert.ok(
        config.includes(`"${key}"`) || config.includes(`env.${key}`),
        `${name}: core/config.ts never reads ${key}`,
      );
    const c = loadConfig({ ...imageEnv, ...envOf(s) });
    if (envOf(s).SERVICES) assert.deepEqual(c.services, [envOf(s).SERVICES]);
    assert.equal(c.admin?.username, envExample.ADMIN_USERNAME, name);
  }
  // .env.example names every variable compose.yaml reads, and only those.
  const used = new Set([...rawCompose.matchAll(/\$\{(\w+)/g)].map((m) => m[1]!));
  assert.deepEqual(
    Object.keys(envExample)
      .filter((k) => k !== "COMPOSE_PROFILES")
      .sort(),
    [...used].sort(),
  );
  for (const [key, value] of Object.entries(envExample))
    if (/PASSWORD|SECRET/.test(key)) assert.match(value, /change-me/, `${key} is an obvious example value`);
});
