import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { statusMeta } from './status';

/** A monitor status: colour AND icon AND text, so it reads without colour too. */
@Component({
  selector: 'hb-status-chip',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="chip" [class]="'chip status-' + status()" data-testid="status-chip" [attr.data-status]="status()" [attr.title]="meta().description">
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
    .status-new { color: var(--hb-new); background: var(--hb-new-bg); }
    .status-up { color: var(--hb-up); background: var(--hb-up-bg); }
    .status-late { color: var(--hb-late); background: var(--hb-late-bg); }
    .status-down { color: var(--hb-down); background: var(--hb-down-bg); }
    .status-paused { color: var(--hb-paused); background: var(--hb-paused-bg); }
  `,
})
export class StatusChip {
  readonly status = input.required<string>();
  protected readonly meta = computed(() => statusMeta(this.status()));
}
