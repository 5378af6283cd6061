import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { MatTooltipModule } from '@angular/material/tooltip';
import type { Monitor } from '../api/models';
import { I18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages.en';
import { exactTime } from '../core/time';

type Glance = Pick<Monitor, 'uptime' | 'recentRuns'>;

const KIND_LABELS: Record<string, MessageKey> = {
  success: 'uptime.kind.success',
  fail: 'uptime.kind.fail',
  start: 'uptime.kind.start',
  log: 'uptime.kind.log',
};

/** "99.95 %", truncated so 99.999 % never shows as 100 %; "—" when nothing was observed. */
export function uptimeText(p: number | null | undefined): string {
  return p === null || p === undefined ? '—' : `${(Math.floor(p * 100) / 100).toFixed(2)} %`;
}

/**
 * Uptime at a glance: the 24 h figure (7 d and 30 d beside it, or in its tooltip when compact)
 * and a strip of the recent runs, oldest left, one coloured tick each with its own label.
 * The server computes both (the monitor answers' uptime and recentRuns).
 */
@Component({
  selector: 'hb-uptime-glance',
  imports: [MatTooltipModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="figures" data-testid="uptime" [matTooltip]="compact() ? windows() : ''">
      <span class="day" data-testid="uptime-day" [attr.aria-label]="i18n.t('uptime.dayLabel', { uptime: day() })">{{
        day()
      }}</span>
      @if (!compact()) {
        <span class="other" data-testid="uptime-windows">{{ windows() }}</span>
      }
    </span>
    <span class="strip" role="img" data-testid="uptime-strip" [attr.aria-label]="stripLabel()">
      @for (r of runs(); track $index) {
        <span
          class="tick kind-{{ r.kind }}"
          data-testid="uptime-tick"
          [attr.data-kind]="r.kind"
          [title]="r.label"
        ></span>
      }
    </span>
  `,
  styles: `
    :host {
      display: inline-flex;
      flex-direction: column;
      gap: 4px;
    }
    .figures {
      display: inline-flex;
      gap: 8px;
      align-items: baseline;
      white-space: nowrap;
    }
    .day {
      font-variant-numeric: tabular-nums;
      font-weight: 500;
    }
    .other {
      color: var(--mat-sys-on-surface-variant, #6b7280);
      font-size: 12px;
    }
    .strip {
      display: inline-flex;
      gap: 2px;
      height: 14px;
      align-items: stretch;
    }
    .tick {
      width: 4px;
      border-radius: 1px;
      background: var(--hb-new);
    }
    .kind-success {
      background: var(--hb-up);
    }
    .kind-fail {
      background: var(--hb-down);
    }
    .kind-start {
      background: var(--hb-late);
      opacity: 0.6;
    }
    .kind-log {
      opacity: 0.4;
    }
  `,
})
export class UptimeGlance {
  protected readonly i18n = inject(I18n);
  readonly monitor = input.required<Glance>();
  /** the list's cell: 7 d and 30 d in the tooltip only */
  readonly compact = input(false);

  protected readonly day = computed(() => uptimeText(this.monitor().uptime?.day));
  protected readonly windows = computed(() =>
    this.i18n.t('uptime.windows', {
      week: uptimeText(this.monitor().uptime?.week),
      month: uptimeText(this.monitor().uptime?.month),
    }),
  );
  /** oldest first, so the newest run is at the right as on a timeline */
  protected readonly runs = computed(() =>
    [...(this.monitor().recentRuns ?? [])].reverse().map((r) => ({
      kind: r.kind,
      label: `${this.kindLabel(r.kind)} · ${exactTime(r.at, undefined, this.i18n.locale())}${r.durationMs === null ? '' : ` · ${r.durationMs} ms`}`,
    })),
  );
  protected readonly stripLabel = computed(() => {
    const runs = this.monitor().recentRuns ?? [];
    if (!runs.length) return this.i18n.t('uptime.noRuns');
    const fails = runs.filter((r) => r.kind === 'fail').length;
    return this.i18n.t('uptime.stripLabel', { count: runs.length, fails });
  });

  private kindLabel(kind: string): string {
    return this.i18n.t(KIND_LABELS[kind] ?? 'uptime.kind.log');
  }
}
