// A small model of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), enough to ask
// of rendered manifests "may this pod open this connection?":
// - a pod selected by no policy of a direction is open in that direction;
// - once selected, only what some rule of some selecting policy allows is allowed;
// - a connection needs the source's egress and the destination's ingress to allow it.
// ipBlock peers match addresses outside the cluster only (as Cilium treats them; a CNI that
// also matches pod IPs only allows more), so in-cluster flows must be allowed by selectors.

import type { K8sObject } from "./kustomize.ts";

type Labels = Record<string, string>;

interface Selector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

/** A pod (in some namespace) or an address outside the cluster. */
export type Endpoint =
  | { kind: "pod"; namespace: string; namespaceLabels: Labels; labels: Labels; namedPorts?: Record<string, number> }
  | { kind: "address"; ip: string };

export function pod(namespace: string, labels: Labels, namedPorts?: Record<string, number>): Endpoint {
  return { kind: "pod", namespace, namespaceLabels: { "kubernetes.io/metadata.name": namespace }, labels, namedPorts };
}

export function address(ip: string): Endpoint {
  return { kind: "address", ip };
}

export function selects(selector: Selector | undefined, labels: Labels): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    if (e.operator === "In" && !(has && (e.values ?? []).includes(value!))) return false;
    if (e.operator === "NotIn" && has && (e.values ?? []).includes(value!)) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function ipv4(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (!m) return null;
  return m.slice(1).reduce((n, part) => n * 256 + Number(part), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split("/");
  const bits = Number(bitsText);
  if (base!.includes(":") || ip.includes(":")) return base!.includes(":") && ip.includes(":") && bits === 0;
  const a = ipv4(ip);
  const b = ipv4(base!);
  if (a === null || b === null) return false;
  const block = 2 ** (32 - bits);
  return Math.floor(a / block) === Math.floor(b / block);
}

interface Peer {
  podSelector?: Selector;
  namespaceSelector?: Selector;
  ipBlock?: { cidr: string; except?: string[] };
}

interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

function peerMatches(peer: Peer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    if (other.kind !== "address") return false;
    return inCidr(other.ip, peer.ipBlock.cidr) && !(peer.ipBlock.except ?? []).some((c) => inCidr(other.ip, c));
  }
  if (other.kind !== "pod") return false;
  const namespaceOk = peer.namespaceSelector
    ? selects(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  return namespaceOk && selects(peer.podSelector, other.labels);
}

function portMatches(ports: PolicyPort[] | undefined, port: number, protocol: string, destination: Endpoint): boolean {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? "TCP") !== protocol) return false;
    if (p.port === undefined) return true;
    const number =
      typeof p.port === "number" ? p.port : destination.kind === "pod" ? destination.namedPorts?.[p.port] : undefined;
    if (number === undefined) return false;
    return p.endPort === undefined ? number === port : port >= number && port <= p.endPort;
  });
}

function policyTypes(policy: K8sObject): string[] {
  if (policy.spec.policyTypes) return policy.spec.policyTypes as string[];
  return policy.spec.egress ? ["Ingress", "Egress"] : ["Ingress"];
}

function allowedOneSide(
  policies: K8sObject[],
  self: Endpoint,
  other: Endpoint,
  direction: "Ingress" | "Egress",
  port: number,
  protocol: string,
): boolean {
  if (self.kind !== "pod") return true; // outside the cluster: not ours to restrict
  const selecting = policies.filter(
    (p) =>
      (p.metadata.namespace ?? "") === self.namespace &&
      policyTypes(p).includes(direction) &&
      selects(p.spec.podSelector, self.labels),
  );
  if (selecting.length === 0) return true;
  const destination = direction === "Ingress" ? self : other;
  return selecting.some((p) => {
    const rules = (direction === "Ingress" ? p.spec.ingress : p.spec.egress) as
      { from?: Peer[]; to?: Peer[]; ports?: PolicyPort[] }[] | undefined;
    return (rules ?? []).some((rule) => {
      const peers = direction === "Ingress" ? rule.from : rule.to;
      const peerOk =
        !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, p.metadata.namespace ?? "", other));
      return peerOk && portMatches(rule.ports, port, protocol, destination);
    });
  });
}

/** May `from` open a connection to `to` on this port? (Both sides' policies must allow it.) */
export function connectionAllowed(
  policies: K8sObject[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol = "TCP",
): boolean {
  return (
    allowedOneSide(policies, from, to, "Egress", port, protocol) &&
    allowedOneSide(policies, to, from, "Ingress", port, protocol)
  );
}
