import type { MonitorStatus } from '../api/models.ts';

/** The five colours of state chips: the monitor statuses, which other states borrow. */
export type Tone = MonitorStatus;

export interface StatusMeta {
  label: string;
  icon: string;
  description: string;
  tone: Tone;
}

export const STATUS_META: Readonly<Record<MonitorStatus, StatusMeta>> = {
  new: { label: 'New', icon: 'status-new', description: 'Waiting for its first ping', tone: 'new' },
  up: { label: 'Up', icon: 'status-up', description: 'Pinged on time', tone: 'up' },
  late: { label: 'Late', icon: 'status-late', description: 'The ping is overdue; within the grace time', tone: 'late' },
  down: { label: 'Down', icon: 'status-down', description: 'No ping by the deadline, or the job reported a failure', tone: 'down' },
  paused: { label: 'Paused', icon: 'status-paused', description: 'Not monitored', tone: 'paused' },
};

export function statusMeta(status: string | null | undefined): StatusMeta {
  return (status && STATUS_META[status as MonitorStatus]) || { label: status ?? '—', icon: 'status-new', description: '', tone: 'new' };
}
