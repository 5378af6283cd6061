import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { I18n } from '../i18n/i18n';
import type { Ping } from '../api/models';
import { chartModel } from './chart-model';

/** Run durations (bars) and ping times (ticks) over time, drawn as plain SVG. */
@Component({
  selector: 'hb-duration-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (model(); as m) {
      <div class="max muted">{{ m.maxLabel ? i18n.t('chart.longest', { duration: m.maxLabel }) : '' }}</div>
      <svg
        [attr.viewBox]="'0 0 ' + m.width + ' ' + m.height"
        role="img"
        [attr.aria-label]="m.summary"
        preserveAspectRatio="none"
        class="chart"
        data-testid="duration-chart"
      >
        <title>{{ m.summary }}</title>
        <line
          [attr.x1]="m.left"
          [attr.x2]="m.width - m.right"
          [attr.y1]="m.baseline"
          [attr.y2]="m.baseline"
          class="axis"
        />
        <line [attr.x1]="m.left" [attr.x2]="m.width - m.right" [attr.y1]="m.top" [attr.y2]="m.top" class="grid" />
        @for (b of m.bars; track b.key) {
          <rect
            [attr.x]="b.x - b.w / 2"
            [attr.y]="b.y"
            [attr.width]="b.w"
            [attr.height]="m.baseline - b.y"
            [class]="'bar ' + b.kind"
          >
            <title>{{ b.title }}</title>
          </rect>
        }
        @for (t of m.ticks; track t.key) {
          <line
            [attr.x1]="t.x"
            [attr.x2]="t.x"
            [attr.y1]="m.baseline + 4"
            [attr.y2]="m.baseline + 14"
            [class]="'tick ' + t.kind"
          >
            <title>{{ t.title }}</title>
          </line>
        }
      </svg>
      <div class="times muted">
        <span>{{ m.startLabel }}</span><span>{{ m.endLabel }}</span>
      </div>
      <div class="legend muted">
        <span><i class="sw success"></i>{{ i18n.t('ping.success') }}</span
        ><span><i class="sw fail"></i>{{ i18n.t('ping.failure') }}</span
        ><span><i class="sw other"></i>{{ i18n.t('ping.start') }} / {{ i18n.t('ping.log') }}</span>
        <span>{{ i18n.t('chart.legend') }}</span>
      </div>
    } @else {
      <p class="muted">{{ i18n.t('chart.empty') }}</p>
    }
  `,
  styles: `
    :host {
      display: block;
    }
    .chart {
      width: 100%;
      height: 120px;
      display: block;
      overflow: visible;
    }
    line {
      vector-effect: non-scaling-stroke;
    }
    .max {
      font-size: 11px;
      min-height: 14px;
    }
    .times {
      display: flex;
      justify-content: space-between;
      font-size: 11px;
      font-variant-numeric: tabular-nums;
    }
    .axis {
      stroke: var(--mat-sys-outline);
      stroke-width: 1;
    }
    .grid {
      stroke: var(--mat-sys-outline-variant);
      stroke-dasharray: 3 3;
    }
    .label {
      font-size: 10px;
      fill: var(--mat-sys-on-surface-variant);
    }
    .bar.success {
      fill: var(--hb-up);
    }
    .bar.fail {
      fill: var(--hb-down);
    }
    .tick {
      stroke-width: 2;
    }
    .tick.success {
      stroke: var(--hb-up);
    }
    .tick.fail {
      stroke: var(--hb-down);
    }
    .tick.other {
      stroke: var(--hb-paused);
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 12px;
      font-size: 12px;
      margin-top: 4px;
    }
    .sw {
      display: inline-block;
      width: 10px;
      height: 10px;
      border-radius: 2px;
      margin-right: 4px;
      vertical-align: -1px;
    }
    .sw.success {
      background: var(--hb-up);
    }
    .sw.fail {
      background: var(--hb-down);
    }
    .sw.other {
      background: var(--hb-paused);
    }
  `,
})
export class DurationChart {
  readonly pings = input.required<readonly Ping[]>();
  protected readonly i18n = inject(I18n);
  // The labels are words too: a language switch redraws them.
  protected readonly model = computed(() => {
    this.i18n.locale();
    return chartModel(this.pings(), 600, 120);
  });
}
