import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { Chip } from './chip';
import { statusMeta } from './status';

/** A monitor's status. */
@Component({
  selector: 'hb-status-chip',
  imports: [Chip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<hb-chip [meta]="meta()" data-testid="status-chip" [attr.data-status]="status()" />`,
})
export class StatusChip {
  readonly status = input.required<string>();
  protected readonly meta = computed(() => statusMeta(this.status()));
}
