import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { MatIconModule } from '@angular/material/icon';
import { I18n } from '../i18n/i18n';
import { exactTime } from '../core/time';

/**
 * "maintenance": the monitor is inside a maintenance window now; "snoozed": it is snoozed. Either
 * way its alerts are held back.
 */
@Component({
  selector: 'hb-maintenance-badge',
  imports: [MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (windows().length) {
      <span
        class="badge"
        data-testid="maintenance-badge"
        [attr.title]="i18n.t('maintenance.badgeTitle', { ids: windows().join(', ') })"
      >
        <mat-icon svgIcon="build" aria-hidden="true" />
        <span>{{ i18n.t('maintenance.badge') }}</span>
      </span>
    }
    @if (snoozedUntil(); as until) {
      <span
        class="badge"
        data-testid="snoozed-badge"
        [attr.title]="i18n.t('detail.snoozedBadgeTitle', { time: exact(until) })"
      >
        <mat-icon svgIcon="bell" aria-hidden="true" />
        <span>{{ i18n.t('detail.snoozedBadge') }}</span>
      </span>
    }
  `,
  styles: `
    :host {
      display: inline-flex;
    }
    .badge {
      display: inline-flex;
      align-items: center;
      gap: 4px;
      margin-left: 6px;
      padding: 2px 10px 2px 6px;
      border-radius: 999px;
      font-size: 13px;
      font-weight: 500;
      line-height: 20px;
      white-space: nowrap;
      color: var(--hb-paused);
      background: var(--hb-paused-bg);
    }
    mat-icon {
      width: 16px;
      height: 16px;
      font-size: 16px;
    }
  `,
})
export class MaintenanceBadge {
  protected readonly i18n = inject(I18n);
  /** ids of the windows covering the monitor now */
  readonly windows = input<number[]>([]);
  /** the end of the monitor's snooze; null: not snoozed */
  readonly snoozedUntil = input<string | null>(null);

  protected exact(iso: string): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
}
