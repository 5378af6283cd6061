// Renders k8s/ overlays with a real kustomize (v5 or newer): a `kustomize` binary named by
// $KUSTOMIZE or found on PATH, else the one built into kubectl (`kubectl kustomize`, which
// needs no cluster). Nothing here reimplements kustomize.

import { spawnSync } from "node:child_process";
import { parseAllDocuments } from "yaml";

/** A rendered Kubernetes object; its shape is checked by schema.ts, not by these types. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // The rendered manifests are plain data of many kinds.
  [field: string]: any;
}

export interface Kustomize {
  /** how it was found, for messages: "kubectl kustomize (kustomize v5.5.0)" */
  description: string;
  version: string;
  build(dir: string): { objects: K8sObject[]; warnings: string };
}

const MIN_MAJOR = 5;

function run(command: string, args: string[]): { ok: boolean; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 60_000 });
  if (r.error) return { ok: false, stdout: "", stderr: r.error.message };
  return { ok: r.status === 0, stdout: r.stdout, stderr: r.stderr };
}

function parseObjects(yamlText: string, source: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(yamlText)) {
    if (doc.errors.length) throw new Error(`${source}: YAML error: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as K8sObject | null;
    if (value !== null) objects.push(value);
  }
  return objects;
}

function candidate(
  description: string,
  command: string,
  buildArgs: string[],
  version: string | null,
): Kustomize | null {
  if (!version) return null;
  const major = Number(/^v?(\d+)\./.exec(version)?.[1] ?? 0);
  if (major < MIN_MAJOR) return null;
  return {
    description: `${description} (kustomize ${version})`,
    version,
    build(dir) {
      const r = run(command, [...buildArgs, dir]);
      if (!r.ok) throw new Error(`${description} ${dir} failed:\n${r.stderr}`);
      return { objects: parseObjects(r.stdout, dir), warnings: r.stderr.trim() };
    },
  };
}

/** The first kustomize v5+ this machine has, or null with the reasons in `tried`. */
export function findKustomize(tried: string[] = []): Kustomize | null {
  const standalone = [process.env.KUSTOMIZE, "kustomize"].filter((c): c is string => Boolean(c));
  for (const command of standalone) {
    const r = run(command, ["version"]);
    const version = r.ok ? (/v?\d+\.\d+\.\d+/.exec(r.stdout)?.[0] ?? null) : null;
    const found = candidate(command, command, ["build"], version);
    if (found) return found;
    tried.push(`${command}: ${r.ok ? `version ${version ?? "unknown"} is older than v${MIN_MAJOR}` : "not found"}`);
  }
  const r = run("kubectl", ["version", "--client", "-o", "json"]);
  let version: string | null = null;
  if (r.ok) {
    try {
      version = (JSON.parse(r.stdout) as { kustomizeVersion?: string }).kustomizeVersion ?? null;
    } catch {
      version = null;
    }
  }
  const found = candidate("kubectl kustomize", "kubectl", ["kustomize"], version);
  if (found) return found;
  tried.push(`kubectl: ${r.ok ? `its kustomize ${version ?? "(none)"} is older than v${MIN_MAJOR}` : "not found"}`);
  return null;
}
