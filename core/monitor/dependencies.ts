// A monitor's parents (dependsOn): while any parent is down, the child's alerts are held
// (core/alerts/holds.ts). Pure: which parent lists are acceptable. A host's monitor is a monitor
// like any other, so it can be a parent.

import type { FieldError } from "../schedule/schedule.ts";

export const MAX_PARENTS = 20;

/** One link: monitor `monitor_id` depends on `parent_id`. */
export interface DependencyEdge {
  monitor_id: number;
  parent_id: number;
}

/**
 * The errors of giving `monitorId` (null: a monitor not created yet, which nothing can depend on)
 * the parents `dependsOn`: each must name an existing monitor other than itself, and no parent may
 * already depend on it, directly or through others (a cycle). `edges` are the links stored now;
 * the monitor's own are replaced by `dependsOn`. Each error names `dependsOn`.
 */
export function checkDependsOn(
  monitorId: number | null,
  dependsOn: readonly number[],
  known: ReadonlySet<number>,
  edges: readonly DependencyEdge[],
): FieldError[] {
  const field = "dependsOn";
  if (dependsOn.length > MAX_PARENTS) return [{ field, message: `at most ${MAX_PARENTS} parents` }];
  for (const parent of dependsOn) {
    if (parent === monitorId) return [{ field, message: "a monitor cannot depend on itself" }];
    if (!known.has(parent)) return [{ field, message: `no monitor has id ${parent}` }];
  }
  if (monitorId === null) return [];
  // Parents of each monitor, without the links of the monitor being changed.
  const parents = new Map<number, number[]>();
  for (const e of edges) {
    if (Number(e.monitor_id) === monitorId) continue;
    const list = parents.get(Number(e.monitor_id)) ?? [];
    list.push(Number(e.parent_id));
    parents.set(Number(e.monitor_id), list);
  }
  // A cycle: from a new parent, following parents upwards, we reach the monitor itself.
  for (const start of dependsOn) {
    const seen = new Set<number>();
    const stack = [start];
    while (stack.length) {
      const m = stack.pop()!;
      if (m === monitorId)
        return [{ field, message: `monitor ${start} already depends on monitor ${monitorId}: that would be a cycle` }];
      if (seen.has(m)) continue;
      seen.add(m);
      stack.push(...(parents.get(m) ?? []));
    }
  }
  return [];
}
