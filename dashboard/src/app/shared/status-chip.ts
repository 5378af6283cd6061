import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { Chip } from './chip';
import { statusMeta } from './status';
import { I18n } from '../i18n/i18n';

/** A monitor's status. */
@Component({
  selector: 'hb-status-chip',
  imports: [Chip],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<hb-chip [meta]="meta()" data-testid="status-chip" [attr.data-status]="status()" />`,
})
export class StatusChip {
  private readonly i18n = inject(I18n);
  readonly status = input.required<string>();
  protected readonly meta = computed(() => statusMeta(this.status(), this.i18n.locale()));
}
