import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
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
    @for (b of badges(); track b.id) {
      <span class="badge" [attr.data-testid]="b.id" [attr.title]="b.title">
        <mat-icon [svgIcon]="b.icon" aria-hidden="true" />
        <span>{{ b.text }}</span>
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

  /** One badge per hold now: a window covering the monitor, a snooze. */
  protected readonly badges = computed(() => {
    const t = this.i18n.t.bind(this.i18n);
    const out: { id: string; icon: string; text: string; title: string }[] = [];
    if (this.windows().length)
      out.push({
        id: 'maintenance-badge',
        icon: 'build',
        text: t('maintenance.badge'),
        title: t('maintenance.badgeTitle', { ids: this.windows().join(', ') }),
      });
    const until = this.snoozedUntil();
    if (until)
      out.push({
        id: 'snoozed-badge',
        icon: 'bell',
        text: t('detail.snoozedBadge'),
        title: t('detail.snoozedBadgeTitle', { time: exactTime(until, undefined, this.i18n.locale()) }),
      });
    return out;
  });
}
