// The monitor list's state in its URL (filters, sort, page) and the API query it makes.
// Framework-free (tested by test/unit/dashboard-list-query.test.ts): the list reads its state
// with it, and main.ts with the same function asks for the first page before Angular starts.

import { MONITOR_STATUSES, type MonitorQuery, type MonitorStatus, type SortField } from '../api/models.ts';
import { splitTags } from './tags.ts';

export const LIST_PAGE_SIZE = 50;
export const LIST_SORTS: readonly SortField[] = ['name', 'status', 'uptime', 'lastPingAt', 'nextDueAt'];

export interface ListState {
  filters: { tags: string; q: string; status: MonitorStatus | '' };
  sort: { active: string; direction: 'asc' | 'desc' | '' };
  pageIndex: number;
}

/** The state from the URL's query (`tags`, `q`, `status`, `sort`, `order`, `page`); unknown values count as none. */
export function listStateOf(params: { get(name: string): string | null }): ListState {
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? '';
  const order = params.get('order') === 'desc' ? 'desc' : 'asc';
  return {
    filters: {
      tags: params.get('tags') ?? '',
      q: params.get('q') ?? '',
      status: (MONITOR_STATUSES as readonly string[]).includes(status) ? (status as MonitorStatus) : '',
    },
    sort: (LIST_SORTS as readonly string[]).includes(sort)
      ? { active: sort, direction: order }
      : { active: '', direction: '' },
    pageIndex: Math.max(0, Number(params.get('page') ?? 1) - 1) || 0,
  };
}

/** The page of monitors the state shows. */
export function listQueryOf(state: ListState): MonitorQuery {
  return {
    tags: splitTags(state.filters.tags),
    q: state.filters.q.trim(),
    status: state.filters.status,
    limit: LIST_PAGE_SIZE,
    offset: state.pageIndex * LIST_PAGE_SIZE,
    sort: state.sort.direction ? (state.sort.active as SortField) : '',
    order: state.sort.direction,
  };
}

/** The query string of `GET /api/v1/monitors` for it, in one order, so equal queries are equal URLs. */
export function listParamsOf(q: MonitorQuery): [string, string][] {
  const out: [string, string][] = [
    ['limit', String(q.limit)],
    ['offset', String(q.offset)],
  ];
  if (q.tags?.length) out.push(['tags', q.tags.join(',')]);
  if (q.q) out.push(['q', q.q]);
  if (q.status) out.push(['status', q.status]);
  if (q.sort) out.push(['sort', q.sort]);
  if (q.sort && q.order) out.push(['order', q.order]);
  return out;
}
