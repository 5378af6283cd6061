import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { HOST_STATE_META, type HostState } from './host-view';

/** A host's state from its last poll: colour AND icon AND text. */
@Component({
  selector: 'hb-host-state',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span [class]="'chip state-' + state()" data-testid="host-state" [attr.data-state]="state()" [attr.title]="meta().description">
      <mat-icon [svgIcon]="meta().icon" aria-hidden="true" />
      <span>{{ meta().label }}</span>
    </span>
  `,
  styles: `
    :host { display: inline-flex; }
    .chip {
      display: inline-flex; align-items: center; gap: 4px;
      padding: 2px 10px 2px 6px; border-radius: 999px;
      font-size: 13px; font-weight: 500; line-height: 20px; white-space: nowrap;
    }
    mat-icon { width: 18px; height: 18px; font-size: 18px; }
    .state-pending { color: var(--hb-new); background: var(--hb-new-bg); }
    .state-ok { color: var(--hb-up); background: var(--hb-up-bg); }
    .state-breach { color: var(--hb-late); background: var(--hb-late-bg); }
    .state-error { color: var(--hb-down); background: var(--hb-down-bg); }
    .state-disabled { color: var(--hb-paused); background: var(--hb-paused-bg); }
  `,
})
export class HostStateChip {
  readonly state = input.required<HostState>();
  protected readonly meta = computed(() => HOST_STATE_META[this.state()]);
}
