import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { I18n } from '../i18n/i18n';
import { Chip } from '../shared/chip';
import { hostStateMeta, type HostState } from './host-view';

/** A host's state from its last poll. */
@Component({
  selector: 'hb-host-state',
  imports: [Chip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<hb-chip [meta]="meta()" data-testid="host-state" [attr.data-state]="state()" />`,
})
export class HostStateChip {
  readonly state = input.required<HostState>();
  private readonly i18n = inject(I18n);
  protected readonly meta = computed(() => hostStateMeta(this.state(), this.i18n.locale()));
}
