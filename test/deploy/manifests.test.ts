// The container image and the Kubernetes manifests, checked offline (docs/deploy.md):
// k8s/ rendered by a real kustomize, every object validated against the Kubernetes schemas
// (unknown fields included), the deployment's policies asserted on what would be applied,
// the Dockerfile read statically, and the runtime's imports compared with package.json.
//   node --test test/deploy/manifests.test.ts

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { SERVICE_NAMES, loadConfig } from "../../core/config.ts";
import { DASHBOARD_DIR } from "../../gateway/dashboard.ts";
import { findKustomize, type K8sObject } from "./kustomize.ts";
import { validateObject } from "./schema.ts";
import { address, connectionAllowed, pod, selects, type Endpoint } from "./network-policy.ts";
import {
  RUNTIME_PATHS,
  dockerignoreMatchers,
  ignored,
  importsOf,
  packageOf,
  parseCopy,
  parseDockerfile,
  parseEnv,
  runtimeFiles,
  type Stage,
} from "./sources.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), "utf8");

// ---- rendering -----------------------------------------------------------------------------

const tried: string[] = [];
const kustomize = findKustomize(tried);
const noKustomize = `no kustomize v5 or newer on this machine (${tried.join("; ")}): install kubectl or kustomize, or set KUSTOMIZE`;
// A developer without kustomize skips the rendering tests; CI fails them instead.
const needsKustomize = { skip: !kustomize && !process.env.CI ? noKustomize : false };

interface Overlay {
  dir: string;
  namespace: string;
  /** our image, as the overlay pins it */
  appImage: string;
  /** every other image the overlay may run */
  otherImages: string[];
}

const OVERLAYS: Record<"dev" | "prod", Overlay> = {
  dev: {
    dir: "k8s/overlays/dev",
    namespace: "heartbeats-dev",
    appImage: "heartbeats:dev",
    otherImages: ["nats:2.10-alpine", "mariadb:11"],
  },
  prod: {
    dir: "k8s/overlays/prod",
    namespace: "heartbeats",
    appImage: "ghcr.io/heartbeats/heartbeats:0.1.0",
    otherImages: ["nats:2.10-alpine"],
  },
};
const OVERLAY_NAMES = Object.keys(OVERLAYS) as (keyof typeof OVERLAYS)[];

const renders = new Map<string, { objects: K8sObject[]; warnings: string }>();
function render(dir: string): { objects: K8sObject[]; warnings: string } {
  if (!kustomize) throw new Error(noKustomize);
  let r = renders.get(dir);
  if (!r) {
    r = kustomize.build(path.join(ROOT, dir));
    renders.set(dir, r);
  }
  return r;
}
const objectsOf = (overlay: keyof typeof OVERLAYS) => render(OVERLAYS[overlay].dir).objects;

// ---- helpers over rendered objects -------------------------------------------------------

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "Job"]);
const COMPONENT = "app.kubernetes.io/component";
/** our processes: one Deployment per service, plus the migration Job */
const APP_COMPONENTS = [...SERVICE_NAMES, "migrate"];

const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);
const named = (objects: K8sObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);
const workloads = (objects: K8sObject[]) => objects.filter((o) => WORKLOAD_KINDS.has(o.kind));
const podSpec = (w: K8sObject) => w.spec.template.spec;
const podLabels = (w: K8sObject): Record<string, string> => w.spec.template.metadata?.labels ?? {};
const where = (o: K8sObject) => `${o.kind}/${o.metadata.name}`;

interface Container {
  name: string;
  image: string;
  [field: string]: any;
}
function containersOf(w: K8sObject): { container: Container; init: boolean }[] {
  const spec = podSpec(w);
  return [
    ...((spec.initContainers ?? []) as Container[]).map((container) => ({ container, init: true })),
    ...((spec.containers ?? []) as Container[]).map((container) => ({ container, init: false })),
  ];
}

function namedPortsOf(w: K8sObject): Record<string, number> {
  const ports: Record<string, number> = {};
  for (const { container } of containersOf(w))
    for (const p of container.ports ?? []) if (p.name) ports[p.name] = p.containerPort;
  return ports;
}

/** "ghcr.io/heartbeats/heartbeats:0.1.0" → "ghcr.io/heartbeats/heartbeats" */
const repository = (image: string) => image.replace(/@.*$/, "").replace(/:[^:/]+$/, "");

/** "500m" → 0.5 cores; "192Mi" → bytes. */
function quantity(value: string | number): number {
  const m = /^([0-9.]+)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(String(value));
  assert.ok(m, `unreadable quantity ${value}`);
  const factor: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1);
}

/** Replicas a Deployment runs at least: its HPA's minimum, else spec.replicas (default 1). */
function minReplicas(objects: K8sObject[], d: K8sObject): number {
  const hpa = ofKind(objects, "HorizontalPodAutoscaler").find(
    (h) => h.spec.scaleTargetRef.kind === d.kind && h.spec.scaleTargetRef.name === d.metadata.name,
  );
  return hpa ? (hpa.spec.minReplicas ?? 1) : (d.spec.replicas ?? 1);
}

function envOf(container: Container): Map<string, any> {
  return new Map((container.env ?? []).map((e: { name: string }) => [e.name, e]));
}

function secretData(s: K8sObject): Record<string, string> {
  const out: Record<string, string> = { ...(s.stringData ?? {}) };
  for (const [k, v] of Object.entries((s.data ?? {}) as Record<string, string>))
    out[k] = Buffer.from(v, "base64").toString("utf8");
  return out;
}

const SECRETS_DIR = "/run/secrets/heartbeats";

/**
 * Secrets reach a pod as files of the Secret's volume (X_FILE), never as environment variables:
 * no envFrom or valueFrom of a Secret except ADMIN_USERNAME, a name; the gateway gets none.
 */
function assertSecretsAsFiles(w: K8sObject, service: string) {
  const spec = podSpec(w);
  const volume = (spec.volumes ?? []).find(
    (v: { secret?: { secretName: string } }) => v.secret?.secretName === "heartbeats-secrets",
  );
  for (const { container } of containersOf(w)) {
    const what = `${where(w)} ${container.name}`;
    assert.ok(
      !(container.envFrom ?? []).some((f: { secretRef?: unknown }) => f.secretRef),
      `${what}: envFrom a Secret`,
    );
    for (const e of container.env ?? []) {
      if (e.valueFrom?.secretKeyRef) assert.equal(e.name, "ADMIN_USERNAME", `${what}: ${e.name} from a Secret`);
      if (!e.name.endsWith("_FILE")) continue;
      const mount = (container.volumeMounts ?? []).find((m: { name: string }) => m.name === volume?.name);
      assert.ok(mount?.readOnly, `${what}: ${e.name} without a read-only mount of heartbeats-secrets`);
      assert.equal(mount.mountPath, SECRETS_DIR);
      assert.equal(e.value, `${SECRETS_DIR}/${e.name.slice(0, -"_FILE".length)}`, what);
    }
  }
  if (service === "gateway") assert.equal(volume, undefined, "the gateway mounts no secret");
  else assert.equal(volume?.secret.defaultMode, 0o440, `${where(w)}: secret files readable by the pod's group only`);
}

// ---- rendering and schemas ---------------------------------------------------------------

test("kustomize renders the base and both overlays, without warnings", needsKustomize, (t) => {
  t.diagnostic(`rendered with ${kustomize?.description}`);
  for (const dir of ["k8s/base", ...OVERLAY_NAMES.map((o) => OVERLAYS[o].dir)]) {
    const { objects, warnings } = render(dir);
    assert.ok(objects.length > 20, `${dir}: only ${objects.length} objects`);
    assert.equal(warnings, "", `${dir}: kustomize warned (a deprecated field?)`);
  }
});

test(
  "every rendered object is valid against the Kubernetes schemas, unknown fields included",
  needsKustomize,
  async () => {
    const problems: string[] = [];
    for (const dir of ["k8s/base", ...OVERLAY_NAMES.map((o) => OVERLAYS[o].dir)]) {
      for (const o of render(dir).objects) {
        for (const p of await validateObject(o)) problems.push(`${dir} ${where(o)} ${p.path} ${p.message}`);
      }
    }
    assert.deepEqual(problems, []);
  },
);

test("the schema check fails a wrong type, a misspelled field and an unknown kind", async () => {
  const deployment = (): any => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "x", labels: { a: "b" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { a: "b" } },
      template: {
        metadata: { labels: { a: "b" } },
        spec: {
          containers: [
            {
              name: "x",
              image: "x:1",
              ports: [{ name: "ops", containerPort: 9100 }],
              resources: { limits: { cpu: "1", memory: "1Gi" } },
            },
          ],
        },
      },
    },
  });
  assert.deepEqual(await validateObject(deployment()), [], "the valid one must pass");

  const wrongType = deployment();
  wrongType.spec.replicas = "two";
  assert.deepEqual(await validateObject(wrongType), [{ path: "/spec/replicas", message: "must be integer" }]);

  const misspelled = deployment();
  misspelled.spec.template.spec.containers[0].imagePullPolicyy = "Always";
  misspelled.spec.template.spec.containers[0].resources.limit = { cpu: "1" };
  misspelled.spec.replica = 3;
  assert.deepEqual((await validateObject(misspelled)).map((p) => p.path).sort(), [
    "/spec/replica",
    "/spec/template/spec/containers/0/imagePullPolicyy",
    "/spec/template/spec/containers/0/resources/limit",
  ]);

  const missing = deployment();
  delete missing.spec.selector;
  assert.match(JSON.stringify(await validateObject(missing)), /missing required field \\"selector\\"/);

  assert.match((await validateObject({ ...deployment(), kind: "Deploymnet" }))[0]!.message, /no schema/);
  const policy = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "x" },
    spec: { podSelector: {}, policyType: ["Ingress"] },
  };
  assert.deepEqual(
    (await validateObject(policy)).map((p) => p.path),
    ["/spec/policyType"],
  );
});

// ---- workloads ---------------------------------------------------------------------------

for (const name of OVERLAY_NAMES) {
  const overlay = OVERLAYS[name];

  test(`${name}: every container has probes, requests and limits, and runs unprivileged`, needsKustomize, () => {
    const objects = objectsOf(name);
    const problems: string[] = [];
    const fail = (o: K8sObject, what: string) => problems.push(`${where(o)}: ${what}`);
    for (const w of workloads(objects)) {
      const spec = podSpec(w);
      const psc = spec.securityContext ?? {};
      if (psc.runAsNonRoot !== true) fail(w, "pod securityContext.runAsNonRoot is not true");
      if (!(psc.runAsUser > 0)) fail(w, "pod securityContext.runAsUser is not a non-root uid");
      if (psc.fsGroup === undefined) fail(w, "pod securityContext.fsGroup is not set");
      if (psc.seccompProfile?.type !== "RuntimeDefault") fail(w, "pod seccompProfile is not RuntimeDefault");
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC) fail(w, "uses the host's namespaces");
      if (spec.automountServiceAccountToken !== false) fail(w, "mounts a service account token it does not need");
      for (const { container: c, init } of containersOf(w)) {
        const at = `container ${c.name}`;
        for (const kind of ["requests", "limits"]) {
          for (const r of ["cpu", "memory"])
            if (c.resources?.[kind]?.[r] === undefined) fail(w, `${at} has no ${kind}.${r}`);
        }
        for (const r of ["cpu", "memory"]) {
          if (
            c.resources?.requests?.[r] &&
            c.resources?.limits?.[r] &&
            quantity(c.resources.requests[r]) > quantity(c.resources.limits[r])
          ) {
            fail(w, `${at} requests more ${r} than its limit`);
          }
        }
        const sc = c.securityContext ?? {};
        if (sc.allowPrivilegeEscalation !== false) fail(w, `${at} allowPrivilegeEscalation is not false`);
        if (sc.privileged) fail(w, `${at} is privileged`);
        if (!(sc.capabilities?.drop ?? []).includes("ALL")) fail(w, `${at} does not drop ALL capabilities`);
        if (sc.capabilities?.add?.length) fail(w, `${at} adds capabilities`);
        if (sc.runAsNonRoot === false || sc.runAsUser === 0) fail(w, `${at} may run as root`);
        if (repository(c.image) === repository(overlay.appImage) && sc.readOnlyRootFilesystem !== true)
          fail(w, `${at} (ours) has a writable root filesystem`);
        // Deployments and StatefulSets serve: they need both probes (a Job runs to completion).
        if (!init && w.kind !== "Job") {
          if (!c.livenessProbe) fail(w, `${at} has no livenessProbe`);
          if (!c.readinessProbe) fail(w, `${at} has no readinessProbe`);
        }
      }
    }
    assert.deepEqual(problems, []);
  });

  test(`${name}: images are the overlay's, pinned`, needsKustomize, () => {
    const objects = objectsOf(name);
    const images = new Set<string>();
    for (const w of workloads(objects)) for (const { container } of containersOf(w)) images.add(container.image);
    assert.ok(images.has(overlay.appImage), `no container runs ${overlay.appImage}`);
    for (const image of images) {
      assert.ok([overlay.appImage, ...overlay.otherImages].includes(image), `unexpected image ${image}`);
      assert.match(image, /:[\w.-]+$/, `${image} has no tag`);
      assert.doesNotMatch(image, /:latest$/, `${image} is not pinned`);
    }
  });

  test(`${name}: one Deployment per service, configured for it, probed on the ops port`, needsKustomize, () => {
    const objects = objectsOf(name);
    const config = ofKind(objects, "ConfigMap").find((c) => c.metadata.name.startsWith("heartbeats-config"));
    assert.ok(config, "no heartbeats-config ConfigMap");
    assert.equal(config.data.OPS_PORT, "9100");
    assert.equal(config.data.PORT, "5827");
    assert.equal(config.data.DASHBOARD_BUILD, "off");
    const nats = named(objects, "Service", "heartbeats-nats");
    assert.equal(
      config.data.TRANSPORTER,
      `nats://${nats?.metadata.name}:${nats?.spec.ports.find((p: { name: string }) => p.name === "client").port}`,
    );

    for (const service of SERVICE_NAMES) {
      const d = named(objects, "Deployment", `heartbeats-${service}`);
      assert.ok(d, `no Deployment heartbeats-${service}`);
      assert.equal(podLabels(d)[COMPONENT], service);
      assert.ok(
        podSpec(d).terminationGracePeriodSeconds > 20,
        `${service}: the grace period must exceed the process's 20 s shutdown`,
      );
      const [c, ...others] = podSpec(d).containers as Container[];
      assert.equal(others.length, 0, `${service}: one container`);
      assert.equal(c!.image, overlay.appImage);
      assert.equal(c!.command, undefined, `${service}: the image's ENTRYPOINT (node bin/start.ts) runs`);
      const env = envOf(c!);
      assert.equal(env.get("SERVICES")?.value, service);
      assert.equal(env.get("NODE_ID")?.valueFrom?.fieldRef?.fieldPath, "metadata.name");
      const from = (c!.envFrom ?? []) as { configMapRef?: { name: string }; secretRef?: { name: string } }[];
      assert.ok(
        from.some((f) => f.configMapRef?.name === config.metadata.name),
        `${service}: env from ${config.metadata.name}`,
      );
      assertSecretsAsFiles(d, service);
      const ports = namedPortsOf(d);
      assert.equal(ports.ops, 9100);
      assert.equal(ports.http, service === "gateway" ? 5827 : undefined, `${service}: http port`);
      assert.deepEqual(c!.livenessProbe.httpGet, { path: "/healthz", port: "ops" });
      assert.deepEqual(c!.readinessProbe.httpGet, { path: "/readyz", port: "ops" });
      const tmp = (c!.volumeMounts ?? []).find((m: { mountPath: string }) => m.mountPath === "/tmp");
      assert.ok(
        tmp && podSpec(d).volumes.find((v: { name: string }) => v.name === tmp.name)?.emptyDir,
        `${service}: an emptyDir at /tmp`,
      );
      assert.equal(d.spec.template.metadata.annotations?.["prometheus.io/port"], "9100");
    }

    const job = named(objects, "Job", "heartbeats-migrate");
    assert.ok(job, "no migration Job");
    const migrate = podSpec(job).containers[0] as Container;
    assert.deepEqual(migrate.command, ["node", "bin/migrate.ts"]);
    assert.equal(migrate.image, overlay.appImage);
    assert.ok(job.spec.backoffLimit > 0, "the Job retries while the database starts");

    const natsSet = named(objects, "StatefulSet", "heartbeats-nats");
    const natsArgs = (podSpec(natsSet!).containers[0] as Container).args as string[];
    assert.ok(natsArgs.includes("-js"), "NATS runs JetStream");
    assert.equal(natsArgs[natsArgs.indexOf("-sd") + 1], "/data");
    assert.deepEqual(
      natsSet!.spec.volumeClaimTemplates.map((v: K8sObject) => v.metadata.name),
      ["data"],
    );
  });

  test(`${name}: the configuration loads as each process would read it`, needsKustomize, () => {
    const objects = objectsOf(name);
    const config = ofKind(objects, "ConfigMap").find((c) => c.metadata.name.startsWith("heartbeats-config"))!;
    const secret = named(objects, "Secret", "heartbeats-secrets");
    // prod's Secret comes from the operator: its keys are those of the base's example.
    const secretValues = secret
      ? secretData(secret)
      : secretData(render("k8s/base").objects.find((o) => o.kind === "Secret")!);
    assert.equal(config.data.LOG_FORMAT, "json");
    const mounted = fs.mkdtempSync(path.join(os.tmpdir(), "hb-k8s-secrets-"));
    try {
      for (const [key, value] of Object.entries(secretValues)) fs.writeFileSync(path.join(mounted, key), value);
      for (const w of workloads(objects).filter((o) => APP_COMPONENTS.includes(podLabels(o)[COMPONENT]!))) {
        for (const { container } of containersOf(w)) {
          // the container's environment as the kubelet builds it, with the Secret's volume here
          const env: Record<string, string> = {};
          const fromConfig = (container.envFrom ?? []).some(
            (f: { configMapRef?: { name: string } }) => f.configMapRef?.name === config.metadata.name,
          );
          if (fromConfig) Object.assign(env, config.data);
          for (const e of container.env ?? []) {
            if (e.value !== undefined) env[e.name] = e.value.replace(SECRETS_DIR, mounted);
            else if (e.valueFrom?.secretKeyRef) env[e.name] = secretValues[e.valueFrom.secretKeyRef.key]!;
          }
          if (!fromConfig) {
            // the init container: only wait-for-database.mjs, which reads DATABASE_URL_FILE
            assert.ok(env.DATABASE_URL_FILE, `${where(w)} ${container.name}: no DATABASE_URL_FILE`);
            continue;
          }
          const c = loadConfig(env);
          const service = podLabels(w)[COMPONENT];
          if (service === "migrate") {
            assert.match(c.databaseUrl, /^mysql:\/\//);
            continue;
          }
          assert.deepEqual(c.services, [service]);
          assert.equal(c.port, 5827);
          assert.equal(c.dashboardBuild, "off");
          assert.equal(c.logFormat, "json");
          // the gateway opens no database: it is given none
          if (service === "gateway") assert.equal(c.databaseUrl, "sqlite:./data/heartbeats.sqlite");
          else assert.match(c.databaseUrl, /^mysql:\/\//, service);
          if (service === "registry")
            assert.deepEqual(c.admin, { username: "admin", password: secretValues.ADMIN_PASSWORD });
          // a secret given to a process that does not read it would be one more place to leak it
          for (const v of ["DATABASE_URL", "SECRET_KEY", "SMTP_URL", "ADMIN_PASSWORD", "ADMIN_USERNAME"])
            assert.ok(!c.unreadVariables.includes(v), `${service} is given ${v} and does not read it`);
        }
      }
    } finally {
      fs.rmSync(mounted, { recursive: true, force: true });
    }
  });

  test(`${name}: Secrets hold obviously-example values only`, needsKustomize, () => {
    const objects = objectsOf(name);
    const secrets = ofKind(objects, "Secret");
    // Names, not secrets:
    const plain = new Set(["ADMIN_USERNAME", "MARIADB_USER", "MARIADB_DATABASE"]);
    for (const s of secrets) {
      for (const [key, value] of Object.entries(secretData(s))) {
        if (plain.has(key) || value === "") continue;
        assert.match(value, /change-me|example/, `${where(s)} ${key} does not look like an example value`);
      }
    }
    if (name === "prod")
      assert.deepEqual(secrets.map(where), [], "prod ships no Secret: the operator provides heartbeats-secrets");
    else assert.ok(named(objects, "Secret", "heartbeats-secrets"));
  });

  test(`${name}: every Deployment has a PodDisruptionBudget that lets a drain proceed`, needsKustomize, () => {
    const objects = objectsOf(name);
    const pdbs = ofKind(objects, "PodDisruptionBudget");
    for (const d of ofKind(objects, "Deployment")) {
      const mine = pdbs.filter((p) => selects(p.spec.selector, podLabels(d)));
      assert.equal(mine.length, 1, `${where(d)}: ${mine.length} PodDisruptionBudgets select it`);
      const { maxUnavailable, minAvailable } = mine[0]!.spec;
      const replicas = minReplicas(objects, d);
      if (maxUnavailable !== undefined)
        assert.ok(Number(maxUnavailable) >= 1, `${where(d)}: maxUnavailable ${maxUnavailable} blocks drains`);
      else
        assert.ok(
          Number(minAvailable) < replicas,
          `${where(d)}: minAvailable ${minAvailable} of ${replicas} blocks drains`,
        );
      // A budget selects its Deployment's pods only.
      for (const other of workloads(objects)) {
        if (other !== d)
          assert.ok(
            !selects(mine[0]!.spec.selector, podLabels(other)),
            `${where(mine[0]!)} also selects ${where(other)}`,
          );
      }
    }
  });

  test(`${name}: only the gateway is reachable from outside, through one Ingress`, needsKustomize, () => {
    const objects = objectsOf(name);
    const ingresses = ofKind(objects, "Ingress");
    assert.equal(ingresses.length, 1);
    const backends: { name: string; port: { name?: string; number?: number } }[] = [];
    const ing = ingresses[0]!;
    if (ing.spec.defaultBackend?.service) backends.push(ing.spec.defaultBackend.service);
    for (const rule of ing.spec.rules ?? []) for (const p of rule.http?.paths ?? []) backends.push(p.backend.service);
    assert.ok(backends.length > 0);
    const gateway = named(objects, "Service", "heartbeats-gateway")!;
    for (const b of backends) {
      assert.equal(b.name, "heartbeats-gateway");
      const port = gateway.spec.ports.find(
        (p: { name: string; port: number }) => p.name === b.port.name || p.port === b.port.number,
      );
      assert.equal(port?.targetPort, "http", "the Ingress reaches the gateway's HTTP port, not its ops port");
    }
    for (const s of ofKind(objects, "Service")) {
      assert.ok([undefined, "ClusterIP"].includes(s.spec.type), `${where(s)} is of type ${s.spec.type}`);
      if (s.metadata.name !== "heartbeats-gateway") {
        for (const p of s.spec.ports) assert.notEqual(p.targetPort, "http", `${where(s)} exposes an HTTP port`);
      }
    }
    if (name === "prod") {
      assert.ok(
        ing.spec.tls?.length && ing.spec.rules.every((r: { host?: string }) => r.host),
        "prod: a host name and TLS",
      );
    }
  });

  test(`${name}: replicas and autoscaling`, needsKustomize, () => {
    const objects = objectsOf(name);
    const d = (s: string) => named(objects, "Deployment", `heartbeats-${s}`)!;
    const hpas = ofKind(objects, "HorizontalPodAutoscaler");
    for (const h of hpas) {
      const target = named(objects, h.spec.scaleTargetRef.kind, h.spec.scaleTargetRef.name);
      assert.ok(target, `${where(h)} scales a Deployment that is not there`);
      assert.equal(target.spec.replicas, undefined, `${where(target)} sets replicas although ${where(h)} owns them`);
      assert.ok(
        ["gateway", "ingest"].includes(target.metadata.labels?.[COMPONENT] ?? ""),
        `${where(h)}: only the stateless services autoscale`,
      );
      assert.ok(
        h.spec.metrics.some((m: any) => m.resource?.name === "cpu"),
        `${where(h)} scales on CPU`,
      );
    }
    if (name === "dev") {
      assert.deepEqual(hpas, []);
      for (const w of [...ofKind(objects, "Deployment"), ...ofKind(objects, "StatefulSet")])
        assert.equal(minReplicas(objects, w), 1, `${where(w)}: one replica in dev`);
    } else {
      for (const s of ["gateway", "ingest"]) {
        assert.ok(
          hpas.some((h) => h.spec.scaleTargetRef.name === `heartbeats-${s}`),
          `prod: ${s} has an HPA`,
        );
        assert.ok(minReplicas(objects, d(s)) >= 2, `prod: at least 2 ${s}`);
      }
      for (const s of ["checker", "notifier", "agent-collector"])
        assert.ok(minReplicas(objects, d(s)) >= 2, `prod: several ${s} share the work`);
      assert.ok([1, 2].includes(minReplicas(objects, d("registry"))), "prod: 1 or 2 registries");
    }
  });

  test(`${name}: names, labels, selectors and references agree`, needsKustomize, () => {
    const objects = objectsOf(name);
    assert.ok(named(objects, "Namespace", overlay.namespace), `the Namespace ${overlay.namespace}`);
    for (const o of objects) {
      assert.equal(
        o.metadata.labels?.["app.kubernetes.io/name"],
        "heartbeats",
        `${where(o)}: label app.kubernetes.io/name`,
      );
      if (o.kind !== "Namespace") assert.equal(o.metadata.namespace, overlay.namespace, `${where(o)}: namespace`);
    }
    const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    // prod: the operator creates these (docs/deploy.md); everything else must be rendered.
    const external =
      name === "prod" ? new Set(["Secret/heartbeats-secrets", "Secret/heartbeats-tls"]) : new Set<string>();
    const missing = new Set<string>();
    const need = (ref: string) => {
      if (!names.has(ref)) missing.add(ref);
    };
    for (const w of workloads(objects)) {
      assert.ok(podLabels(w)[COMPONENT], `${where(w)}: component label on its pods`);
      if (w.spec.selector)
        assert.ok(selects(w.spec.selector, podLabels(w)), `${where(w)}: its selector misses its own pods`);
      if (w.kind === "StatefulSet") {
        assert.equal(
          named(objects, "Service", w.spec.serviceName)?.spec.clusterIP,
          "None",
          `${where(w)}: a headless governing Service`,
        );
      }
      for (const { container } of containersOf(w)) {
        for (const f of container.envFrom ?? []) {
          if (f.configMapRef) need(`ConfigMap/${f.configMapRef.name}`);
          if (f.secretRef) need(`Secret/${f.secretRef.name}`);
        }
        for (const e of container.env ?? []) {
          if (e.valueFrom?.secretKeyRef) need(`Secret/${e.valueFrom.secretKeyRef.name}`);
          if (e.valueFrom?.configMapKeyRef) need(`ConfigMap/${e.valueFrom.configMapKeyRef.name}`);
        }
        const volumes = new Set((podSpec(w).volumes ?? []).map((v: { name: string }) => v.name));
        const claims = new Set((w.spec.volumeClaimTemplates ?? []).map((v: K8sObject) => v.metadata.name));
        for (const m of container.volumeMounts ?? [])
          assert.ok(volumes.has(m.name) || claims.has(m.name), `${where(w)}: volume ${m.name}`);
      }
      for (const v of podSpec(w).volumes ?? []) {
        if (v.configMap) need(`ConfigMap/${v.configMap.name}`);
        if (v.secret) need(`Secret/${v.secret.secretName}`);
      }
    }
    for (const ing of ofKind(objects, "Ingress")) for (const t of ing.spec.tls ?? []) need(`Secret/${t.secretName}`);
    for (const s of ofKind(objects, "Service")) {
      const targets = workloads(objects).filter((w) => selects({ matchLabels: s.spec.selector }, podLabels(w)));
      assert.equal(targets.length, 1, `${where(s)} selects ${targets.length} workloads`);
      const ports = namedPortsOf(targets[0]!);
      for (const p of s.spec.ports) {
        if (typeof p.targetPort === "string")
          assert.ok(ports[p.targetPort], `${where(s)}: no container port named ${p.targetPort}`);
      }
    }
    assert.deepEqual(
      [...missing].filter((m) => !external.has(m)),
      [],
      "references to objects that are not rendered",
    );
  });

  test(`${name}: NetworkPolicies deny by default and allow exactly what the services need`, needsKustomize, () => {
    const objects = objectsOf(name);
    const policies = ofKind(objects, "NetworkPolicy");
    const ns = overlay.namespace;
    const deny = policies.find(
      (p) =>
        Object.keys(p.spec.podSelector).length === 0 &&
        !p.spec.ingress &&
        !p.spec.egress &&
        ["Ingress", "Egress"].every((t) => p.spec.policyTypes?.includes(t)),
    );
    assert.ok(deny, "a default-deny policy (all pods, Ingress and Egress, no rule)");

    const podOf = (w: K8sObject) => pod(ns, podLabels(w), namedPortsOf(w));
    const byComponent = new Map(workloads(objects).map((w) => [podLabels(w)[COMPONENT]!, podOf(w)]));
    const app = (c: string) => byComponent.get(c)!;
    const nats = app("nats");
    const database: Endpoint = name === "dev" ? app("mariadb") : address("203.0.113.33");
    const internet = address("198.51.100.7");
    const kubeDns = pod("kube-system", { "k8s-app": "kube-dns" });
    const prometheus = pod("monitoring", { "app.kubernetes.io/name": "prometheus" });
    const stranger = pod("default", { app: "curious" });
    const ingressController = pod("ingress-nginx", { "app.kubernetes.io/name": "ingress-nginx" });
    const newcomer = pod(ns, { app: "not-ours" });

    const problems: string[] = [];
    const label = (e: Endpoint) =>
      e.kind === "address" ? e.ip : `${e.namespace}/${e.labels[COMPONENT] ?? Object.values(e.labels).join(",")}`;
    const expect = (allowed: boolean, from: Endpoint, to: Endpoint, port: number, protocol = "TCP") => {
      if (connectionAllowed(policies, from, to, port, protocol) !== allowed) {
        problems.push(`${label(from)} -> ${label(to)}:${port}/${protocol} should be ${allowed ? "allowed" : "denied"}`);
      }
    };

    for (const c of APP_COMPONENTS) {
      const me = app(c);
      assert.ok(me, `no pods of ${c}`);
      // The migration Job only needs the database.
      expect(c !== "migrate", me, nats, 4222);
      expect(true, me, kubeDns, 53, "UDP");
      expect(true, me, kubeDns, 53, "TCP");
      if (c !== "gateway") expect(true, me, database, 3306);
      expect(c === "notifier", me, internet, 443);
      expect(c === "notifier", me, internet, 587);
      expect(c === "agent-collector", me, internet, 22);
      expect(false, me, internet, 8080);
      if (c !== "migrate") {
        expect(true, prometheus, me, 9100);
        expect(false, stranger, me, 9100);
        expect(c === "gateway", ingressController, me, 5827);
        expect(c === "gateway", internet, me, 5827);
      }
      for (const other of SERVICE_NAMES) if (other !== c) expect(false, me, app(other), 9100);
    }
    // Nothing listens for the outside world but the gateway: the services talk through NATS.
    for (const c of SERVICE_NAMES) for (const port of [22, 80, 443, 4222]) expect(false, stranger, app(c), port);
    expect(false, stranger, nats, 4222);
    expect(true, prometheus, nats, 8222);
    expect(false, nats, internet, 443);
    expect(false, ingressController, app("gateway"), 9100);
    if (name === "dev") {
      expect(false, stranger, database, 3306);
      expect(false, database, internet, 443);
      expect(false, app("gateway"), database, 3306);
    }
    // A pod of something else in the namespace is shut in by the default deny.
    expect(false, newcomer, internet, 443);
    expect(false, stranger, newcomer, 80);
    expect(true, newcomer, kubeDns, 53, "UDP");
    assert.deepEqual(problems, []);
  });
}

// ---- the image ---------------------------------------------------------------------------

const dockerfile = parseDockerfile(read("Dockerfile"));
const finalStage = dockerfile.at(-1)!;
const instructions = (s: Stage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);
const workdir = (s: Stage) => instructions(s, "WORKDIR").at(-1)?.args ?? "/";

test("Dockerfile: multi-stage on Debian bookworm Node 24, production dependencies only", () => {
  assert.ok(dockerfile.length >= 3, "build, production-dependencies and runtime stages");
  for (const s of dockerfile) assert.match(s.image, /^node:24-bookworm(-slim)?$/, `stage ${s.name}: ${s.image}`);
  assert.equal(finalStage.image, "node:24-bookworm-slim");

  const deps = dockerfile.find((s) => instructions(s, "RUN").some((r) => /\bnpm ci\b.*--omit=dev/.test(r.args)));
  assert.ok(deps && deps !== finalStage, "a stage runs npm ci --omit=dev");
  const depsRun = instructions(deps, "RUN").find((r) => /\bnpm ci\b/.test(r.args))!.args;
  assert.match(depsRun, /--workspaces=false/, "without the dashboard workspace (Angular)");
  const copiedModules = instructions(finalStage, "COPY")
    .map((i) => parseCopy(i.args))
    .find((c) => c.from === deps.name);
  assert.ok(copiedModules, "the runtime copies node_modules from the production-dependencies stage");
  assert.deepEqual(copiedModules.sources, [path.posix.join(workdir(deps), "node_modules")]);
  assert.equal(
    path.posix.resolve(workdir(finalStage), copiedModules.dest),
    path.posix.join(workdir(finalStage), "node_modules"),
  );
});

test("Dockerfile: the built dashboard lands where the gateway serves it from", () => {
  const build = dockerfile.find((s) => instructions(s, "RUN").some((r) => /\bnpm run build\b/.test(r.args)));
  assert.ok(build && build !== finalStage, "a build stage runs npm run build");
  const copy = instructions(finalStage, "COPY")
    .map((i) => parseCopy(i.args))
    .find((c) => c.from === build.name);
  assert.ok(copy, "the runtime copies from the build stage");
  const servedFrom = path.relative(ROOT, DASHBOARD_DIR).split(path.sep).join("/"); // dashboard/dist/browser
  const source = path.posix.relative(workdir(build), copy.sources[0]!);
  const dest = path.posix.relative(workdir(finalStage), path.posix.resolve(workdir(finalStage), copy.dest));
  assert.ok(
    servedFrom.startsWith(`${dest}/`) && servedFrom.startsWith(`${source}/`),
    `copies ${source} to ${dest}, the gateway serves ${servedFrom}`,
  );
});

test("Dockerfile: the runtime runs node bin/start.ts as a non-root user with the ops port", () => {
  const user = instructions(finalStage, "USER").at(-1)?.args;
  assert.match(user ?? "", /^\d+(:\d+)?$/, "a numeric USER (Kubernetes' runAsNonRoot can check it)");
  assert.notEqual(Number(user!.split(":")[0]), 0);
  assert.deepEqual(JSON.parse(instructions(finalStage, "ENTRYPOINT").at(-1)!.args), ["node", "bin/start.ts"]);
  assert.equal(instructions(finalStage, "CMD").length, 0);
  const env = Object.fromEntries(instructions(finalStage, "ENV").flatMap((i) => parseEnv(i.args)));
  assert.equal(env.NODE_ENV, "production");
  assert.equal(env.DASHBOARD_BUILD, "off");
  assert.equal(env.OPS_PORT, "9100");
  const exposed = instructions(finalStage, "EXPOSE").flatMap((i) => i.args.split(" "));
  assert.ok(exposed.includes("5827") && exposed.includes("9100"), `EXPOSE ${exposed.join(" ")}`);
  assert.ok(
    !instructions(finalStage, "RUN").some((r) => /\bnpm (ci|install)\b/.test(r.args)),
    "nothing is installed in the runtime stage",
  );
});

test("Dockerfile: the default SQLite database lives in a VOLUME that the non-root user owns", () => {
  const env = Object.fromEntries(instructions(finalStage, "ENV").flatMap((i) => parseEnv(i.args)));
  const storage = env.DATABASE_URL?.replace(/^sqlite:/, "") ?? "";
  assert.ok(path.posix.isAbsolute(storage), `DATABASE_URL=${env.DATABASE_URL}: an absolute sqlite: path`);
  // The same file as the server's own default, resolved from the image's working directory.
  const appDefault = loadConfig({}).databaseUrl.replace(/^sqlite:/, "");
  assert.equal(storage, path.posix.resolve(workdir(finalStage), appDefault));

  const dataDir = path.posix.dirname(storage);
  const declared = instructions(finalStage, "VOLUME").flatMap((i) =>
    i.args.startsWith("[") ? (JSON.parse(i.args) as string[]) : i.args.split(" "),
  );
  assert.deepEqual(declared, [dataDir], "the data directory is the image's one volume");
  // An empty named volume takes the image directory's owner: it must be the USER's.
  const uid = instructions(finalStage, "USER").at(-1)!.args.split(":")[0]!;
  const made = instructions(finalStage, "RUN").some(
    (r) => r.args.includes(`mkdir -p ${dataDir}`) && new RegExp(`chown ${uid}(:\\d+)? ${dataDir}\\b`).test(r.args),
  );
  assert.ok(made, `a RUN makes ${dataDir} and gives it to uid ${uid}`);

  const healthcheck = instructions(finalStage, "HEALTHCHECK").at(-1)?.args ?? "";
  assert.match(
    healthcheck,
    /\/healthz/,
    "a HEALTHCHECK on the ops port's /healthz (podman keeps it with --format docker)",
  );
});

test("Dockerfile: the runtime has every file the server loads, and .dockerignore keeps none of them out", () => {
  const copied = instructions(finalStage, "COPY")
    .map((i) => parseCopy(i.args))
    .filter((c) => c.from === null)
    .flatMap((c) => c.sources.map((s) => s.replace(/^\.\//, "").replace(/\/$/, "")));
  for (const p of [...RUNTIME_PATHS, "package.json"]) assert.ok(copied.includes(p), `the runtime does not copy ${p}`);

  // Everything the entry points load, following relative imports, is inside what is copied.
  const entries = ["bin/start.ts", "bin/migrate.ts", "bin/user.ts", "agent/cli.ts"];
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is imported but missing`);
    for (const imp of importsOf(file, read(file))) {
      if (imp.typeOnly || !imp.specifier.startsWith(".")) continue;
      queue.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), imp.specifier)));
    }
  }
  for (const file of seen) {
    assert.ok(
      copied.some((c) => file === c || file.startsWith(`${c}/`)),
      `${file} is loaded at run time but not copied into the image`,
    );
  }

  const matchers = dockerignoreMatchers(read(".dockerignore"));
  const context = [
    ...seen,
    ...runtimeFiles(ROOT),
    "package.json",
    "package-lock.json",
    ".npmrc",
    "dashboard/package.json",
    "dashboard/angular.json",
    "dashboard/src/main.ts",
  ];
  for (const file of context)
    assert.ok(!ignored(matchers, file), `.dockerignore leaves out ${file}, which the build needs`);
  for (const local of [
    "node_modules/moleculer/package.json",
    "dashboard/node_modules/x",
    ".tools/node_modules/x",
    "data/heartbeats.sqlite",
    "test/unit/config.test.ts",
    "bench/results/x.json",
    ".git/HEAD",
    "dashboard/.angular/cache/x",
    "dashboard/dist/browser/index.html",
  ]) {
    assert.ok(ignored(matchers, local), `.dockerignore lets ${local} into the build context`);
  }
});

test("every package the runtime code imports is a production dependency", () => {
  const pkg = JSON.parse(read("package.json")) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const production = new Set(Object.keys(pkg.dependencies ?? {}));
  const problems: string[] = [];
  let count = 0;
  for (const file of runtimeFiles(ROOT)) {
    for (const imp of importsOf(file, read(file))) {
      const name = packageOf(imp.specifier);
      if (!name || imp.typeOnly) continue;
      count++;
      if (!production.has(name)) {
        const where = pkg.devDependencies?.[name] ? "only a devDependency" : "not in package.json";
        problems.push(`${file}:${imp.line} imports "${imp.specifier}": ${where}`);
      }
    }
  }
  assert.ok(count > 10, "the scan found the runtime's imports");
  // Loaded by name at run time rather than imported: sequelize's MySQL dialect, Moleculer's NATS
  // transporter. (SQLite's driver is node:sqlite, handed to sequelize as its dialectModule.)
  for (const name of ["mysql2", "nats"])
    if (!production.has(name)) problems.push(`${name} is loaded at run time: it must be a dependency`);
  assert.deepEqual(problems, []);
});

test("the import scan sees static, dynamic and re-exported imports and skips type-only ones", () => {
  const text = [
    `import a from "pkg-a";`,
    `import type { B } from "pkg-b";`,
    `import { type C, d } from "@scope/pkg-c/sub";`,
    `export { e } from "pkg-e";`,
    `export type { F } from "pkg-f";`,
    `const g = await import("pkg-g");`,
    `// import h from "pkg-h";`,
    `const s = 'import i from "pkg-i"';`,
    `import fs from "node:fs";`,
    `import local from "./local.ts";`,
  ].join("\n");
  const found = importsOf("x.ts", text)
    .filter((i) => !i.typeOnly)
    .map((i) => packageOf(i.specifier))
    .filter(Boolean);
  assert.deepEqual(found, ["pkg-a", "@scope/pkg-c", "pkg-e", "pkg-g"]);
});

// ---- the init containers' script ---------------------------------------------------------

function runScript(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, "k8s/base/wait-for-database.mjs")], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("close", (code) => resolve({ code, output }));
  });
}

test("wait-for-database.mjs: 0 once the database's port accepts, 1 after its time limit", async () => {
  const server = net.createServer((s) => s.end());
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const up = await runScript({ DATABASE_URL: `mysql://u:p@127.0.0.1:${port}/db` });
    assert.equal(up.code, 0, up.output);
    assert.match(up.output, /accepts connections/);
  } finally {
    await new Promise((r) => server.close(r));
  }
  // The same port, now closed: retried until the limit, then a failure.
  const down = await runScript({ DATABASE_URL: `mariadb://u:p@127.0.0.1:${port}/db`, WAIT_TIMEOUT_SECONDS: "1" });
  assert.equal(down.code, 1, down.output);
  assert.match(down.output, /still unreachable after 1 s/);
  assert.doesNotMatch(down.output, /u:p/, "never prints the credentials");
  const sqlite = await runScript({ DATABASE_URL: "sqlite:./data/x.sqlite" });
  assert.equal(sqlite.code, 0, sqlite.output);
  // DATABASE_URL_FILE, as the pods give it: read less its trailing newline; unreadable: exit 1
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hb-wait-"));
  try {
    fs.writeFileSync(path.join(dir, "DATABASE_URL"), `mysql://u:p@127.0.0.1:${port}/db\n`);
    const fromFile = await runScript({ DATABASE_URL_FILE: path.join(dir, "DATABASE_URL"), WAIT_TIMEOUT_SECONDS: "1" });
    assert.equal(fromFile.code, 1, fromFile.output);
    assert.match(fromFile.output, new RegExp(`127\\.0\\.0\\.1:${port} still unreachable`));
    const missing = await runScript({ DATABASE_URL_FILE: path.join(dir, "nothing") });
    assert.equal(missing.code, 1, missing.output);
    assert.match(missing.output, /DATABASE_URL_FILE: cannot read .*nothing \(ENOENT\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
