// A delivery's state as a chip (colour, icon and words): the channel list's last delivery and the
// channel's delivery log.

import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { I18n } from '../i18n/i18n';
import { Chip } from '../shared/chip';
import type { StatusMeta, Tone } from '../shared/status';
import { translate, type Locale, type MessageKey } from '../i18n/translate';

const TONES: Readonly<Record<string, { tone: Tone; icon: string }>> = {
  sent: { tone: 'up', icon: 'status-up' },
  failed: { tone: 'down', icon: 'status-down' },
  pending: { tone: 'late', icon: 'status-late' },
  sending: { tone: 'late', icon: 'status-late' },
  held: { tone: 'paused', icon: 'status-paused' },
  suppressed: { tone: 'paused', icon: 'status-paused' },
};

/** A delivery state's words, icon and colour; a state this dashboard does not know is shown as the server says it. */
export function deliveryStateMeta(state: string, locale?: Locale): StatusMeta {
  const known = TONES[state];
  if (!known) return { label: state, icon: 'status-new', description: '', tone: 'new' };
  return {
    label: translate(`channels.state.${state}` as MessageKey, undefined, locale),
    icon: known.icon,
    description: translate(`channels.state.${state}.description` as MessageKey, undefined, locale),
    tone: known.tone,
  };
}

@Component({
  selector: 'hb-delivery-state',
  imports: [Chip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<hb-chip [meta]="meta()" data-testid="delivery-state" [attr.data-state]="state()" />`,
})
export class DeliveryStateChip {
  readonly state = input.required<string>();
  private readonly i18n = inject(I18n);
  protected readonly meta = computed(() => deliveryStateMeta(this.state(), this.i18n.locale()));
}
