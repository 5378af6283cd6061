import type { MonitorStatus } from '../api/models';

export interface StatusMeta {
  label: string;
  icon: string;
  description: string;
}

export const STATUS_META: Readonly<Record<MonitorStatus, StatusMeta>> = {
  new: { label: 'New', icon: 'status-new', description: 'Waiting for its first ping' },
  up: { label: 'Up', icon: 'status-up', description: 'Pinged on time' },
  late: { label: 'Late', icon: 'status-late', description: 'The ping is overdue; within the grace time' },
  down: { label: 'Down', icon: 'status-down', description: 'No ping by the deadline, or the job reported a failure' },
  paused: { label: 'Paused', icon: 'status-paused', description: 'Not monitored' },
};

export function statusMeta(status: string | null | undefined): StatusMeta {
  return (status && STATUS_META[status as MonitorStatus]) || { label: status ?? '—', icon: 'status-new', description: '' };
}
