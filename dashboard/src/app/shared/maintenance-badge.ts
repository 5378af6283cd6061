import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';

/** "maintenance": the monitor is inside a maintenance window now, so its alerts are held back. */
@Component({
  selector: 'hb-maintenance-badge',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (windows().length) {
      <span class="badge" data-testid="maintenance-badge" [attr.title]="'In maintenance window ' + windows().join(', ') + ': alerts are held back'">
        <mat-icon svgIcon="build" aria-hidden="true" />
        <span>maintenance</span>
      </span>
    }
  `,
  styles: `
    :host { display: inline-flex; }
    .badge {
      display: inline-flex; align-items: center; gap: 4px; margin-left: 6px;
      padding: 2px 10px 2px 6px; border-radius: 999px;
      font-size: 13px; font-weight: 500; line-height: 20px; white-space: nowrap;
      color: var(--hb-paused); background: var(--hb-paused-bg);
    }
    mat-icon { width: 16px; height: 16px; font-size: 16px; }
  `,
})
export class MaintenanceBadge {
  /** ids of the windows covering the monitor now */
  readonly windows = input<number[]>([]);
}
