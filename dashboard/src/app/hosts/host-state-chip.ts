import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { Chip } from '../shared/chip';
import { HOST_STATE_META, type HostState } from './host-view';

/** A host's state from its last poll. */
@Component({
  selector: 'hb-host-state',
  imports: [Chip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<hb-chip [meta]="meta()" data-testid="host-state" [attr.data-state]="state()" />`,
})
export class HostStateChip {
  readonly state = input.required<HostState>();
  protected readonly meta = computed(() => HOST_STATE_META[this.state()]);
}
