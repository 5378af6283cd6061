import type { MonitorStatus } from '../api/models.ts';
import { translate, type Locale } from '../i18n/translate.ts';

/** The five colours of state chips: the monitor statuses, which other states borrow. */
export type Tone = MonitorStatus;

export interface StatusMeta {
  label: string;
  icon: string;
  description: string;
  tone: Tone;
}

/** A monitor status's words (in `locale`, by default the active one), icon and colour. */
export function statusMeta(status: string | null | undefined, locale?: Locale): StatusMeta {
  if (status === 'new' || status === 'up' || status === 'late' || status === 'down' || status === 'paused') {
    return {
      label: translate(`status.${status}`, undefined, locale),
      icon: `status-${status}`,
      description: translate(`status.${status}.description`, undefined, locale),
      tone: status,
    };
  }
  return { label: status ?? '—', icon: 'status-new', description: '', tone: 'new' };
}
