// The monitor list under live events: rows, total and status counts move together, from the
// event alone, so the count chips agree with the rows in the same change detection turn.
// Framework-free (tested by test/unit/dashboard-live-counts.test.ts).

import type { MonitorStatus, StatusCounts } from '../api/models.ts';

/** What a row must carry for the counting: its status, and what the text and tag search read. */
export interface LiveRow {
  id: number;
  status: MonitorStatus;
  name: string;
  tags: string[];
}

export type LiveEvent<T extends LiveRow> = { type: 'monitor'; monitor: T } | { type: 'deleted'; id: number };

export interface ListState<T extends LiveRow> {
  items: T[];
  total: number;
  counts: Partial<StatusCounts> | null;
}

/** The search the page shows: counts are of the monitors matching tags and text, whatever status is picked. */
export interface ListScope {
  searching: boolean;
  status: MonitorStatus | '';
  pageIndex: number;
}

/**
 * Return the list after a live event, with `reorder` set when the server's order may differ (a
 * background reload then fixes it); or null when the event cannot be counted locally and the
 * list must be reloaded at once:
 * - a monitor not on the page, unless the page holds every monitor of the search without a text,
 *   tag or status filter (then it is a new one): its old status is unknown;
 * - a row whose name or tags changed under a text or tag search: whether it still matches is the
 *   server's rule (the text search reads more than the name);
 * - a deleted monitor not on the page, unless the page holds the whole search (then it did not match).
 */
export function applyLiveEvent<T extends LiveRow>(
  state: ListState<T>,
  event: LiveEvent<T>,
  scope: ListScope,
): { state: ListState<T>; reorder: boolean } | null {
  const counts = state.counts;
  if (!counts) return null;
  const whole = scope.status === '' && scope.pageIndex === 0 && state.items.length >= state.total;
  const id = event.type === 'deleted' ? event.id : event.monitor.id;
  const before = state.items.find((x) => x.id === id);

  if (event.type === 'deleted') {
    if (!before) return whole ? { state, reorder: false } : null;
    return {
      state: {
        items: state.items.filter((x) => x.id !== id),
        total: state.total - 1,
        counts: moved(counts, before.status, null),
      },
      reorder: true,
    };
  }

  const after = event.monitor;
  if (!before) {
    if (!whole || scope.searching) return null;
    return {
      state: { items: [...state.items, after], total: state.total + 1, counts: moved(counts, null, after.status) },
      reorder: true,
    };
  }
  const renamed = before.name !== after.name || before.tags.join() !== after.tags.join();
  if (renamed && scope.searching) return null;
  // Under a status filter a row that leaves the status leaves the page, as the server would list it.
  const leaves = scope.status !== '' && after.status !== scope.status;
  return {
    state: {
      items: leaves ? state.items.filter((x) => x.id !== id) : state.items.map((x) => (x.id === id ? after : x)),
      total: leaves ? state.total - 1 : state.total,
      counts: moved(counts, before.status, after.status),
    },
    reorder: renamed || before.status !== after.status,
  };
}

function moved(
  counts: Partial<StatusCounts>,
  from: MonitorStatus | null,
  to: MonitorStatus | null,
): Partial<StatusCounts> {
  if (from === to) return counts;
  const next = { ...counts };
  if (from) next[from] = Math.max(0, (next[from] ?? 0) - 1);
  if (to) next[to] = (next[to] ?? 0) + 1;
  return next;
}
