// Which services each service calls, so that a process says it is ready only once every one of
// them has a live node: a gateway that answered /readyz 200 before it had discovered an ingest
// node refused pings with 503 ("Service 'ingest.ping' is not registered") for about a second
// after start — in a rolling update, a burst from every new gateway pod.

import type { ServiceBroker } from "moleculer";
import type { Config, ServiceName } from "../core/config.ts";

/**
 * The gateway also calls notifier.test and agent-collector.check, buttons of the dashboard: a
 * missing notifier must not take pings and the API out of the load balancer, so they are left out.
 */
const CALLS: Record<ServiceName, readonly ServiceName[]> = {
  gateway: ["ingest", "registry"],
  ingest: [],
  registry: [],
  checker: [],
  notifier: [],
  "agent-collector": ["ingest"],
};

/** The services this process calls, whether it runs them itself or another process does. */
export function calledServices(config: Pick<Config, "services" | "autoProvision">): ServiceName[] {
  const called = new Set(config.services.flatMap((s) => CALLS[s]));
  // ingest creates a monitor through the registry only for AUTO_PROVISION's ?create=1
  if (config.services.includes("ingest") && config.autoProvision) called.add("registry");
  return [...called].sort();
}

/** Those of `names` with no available node in the broker's registry (local or remote). */
export function servicesWithoutNode(broker: ServiceBroker, names: readonly string[]): string[] {
  const live = new Set(
    (broker.registry.getServiceList({ onlyAvailable: true, skipInternal: true }) as { name: string }[]).map(
      (s) => s.name,
    ),
  );
  return names.filter((n) => !live.has(n));
}
