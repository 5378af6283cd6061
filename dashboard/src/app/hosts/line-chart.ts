import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import { I18n } from '../i18n/i18n';
import { lineChartModel, type Series, type TimeMark } from './line-chart-model';

/** Time series as plain SVG lines over [from, to]; failed polls marked under the time axis. */
@Component({
  selector: 'hb-line-chart',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @let m = model();
    <figure class="figure">
      <figcaption class="caption">
        <span class="title">{{ title() }}</span>
        <span class="legend">
          @for (l of m.lines; track l.key) {
            <span class="item"
              ><i [class]="'sw c' + l.color"></i>{{ l.label }} <b>{{ l.latestLabel }}</b></span
            >
          }
        </span>
      </figcaption>
      <svg
        [attr.viewBox]="'0 0 ' + m.width + ' ' + m.height"
        role="img"
        [attr.aria-label]="title() + ': ' + m.summary"
        class="chart"
        [attr.data-testid]="testId()"
        [attr.data-empty]="m.empty"
      >
        <title>{{ title() }}: {{ m.summary }}</title>
        @for (y of m.yTicks; track y.label) {
          <line [attr.x1]="m.left" [attr.x2]="m.width - m.right" [attr.y1]="y.y" [attr.y2]="y.y" class="grid" />
          <text [attr.x]="m.left - 4" [attr.y]="y.y + 3" class="label" text-anchor="end">{{ y.label }}</text>
        }
        <line
          [attr.x1]="m.left"
          [attr.x2]="m.width - m.right"
          [attr.y1]="m.baseline"
          [attr.y2]="m.baseline"
          class="axis"
        />
        @for (x of m.xTicks; track x.x) {
          <line [attr.x1]="x.x" [attr.x2]="x.x" [attr.y1]="m.baseline" [attr.y2]="m.baseline + 3" class="axis" />
          <text [attr.x]="x.x" [attr.y]="m.height - 4" class="label" text-anchor="middle">{{ x.label }}</text>
        }
        @for (k of m.marks; track k.key) {
          <line
            [attr.x1]="k.x"
            [attr.x2]="k.x"
            [attr.y1]="m.top"
            [attr.y2]="m.baseline + 6"
            [class]="'mark ' + k.kind"
            [attr.data-mark]="k.kind"
          >
            <title>{{ k.title }}</title>
          </line>
        }
        @for (l of m.lines; track l.key) {
          @if (l.d) {
            <path [attr.d]="l.d" [class]="'line c' + l.color" [attr.data-series]="l.key">
              <title>{{ l.label }}</title>
            </path>
          }
          @for (p of l.dots; track $index) {
            <circle [attr.cx]="p.x" [attr.cy]="p.y" r="2.5" [class]="'dot c' + l.color" />
          }
        }
        @if (m.empty) {
          <text
            [attr.x]="m.left + (m.width - m.left - m.right) / 2"
            [attr.y]="(m.top + m.baseline) / 2"
            class="empty"
            text-anchor="middle"
          >
            {{ i18n.t('hostChart.empty') }}
          </text>
        }
      </svg>
    </figure>
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .figure {
      margin: 0;
    }
    .caption {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      gap: 4px 12px;
      font-size: 13px;
      margin-bottom: 2px;
    }
    .title {
      font-weight: 600;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 2px 10px;
      color: var(--mat-sys-on-surface-variant);
      font-size: 12px;
    }
    .legend b {
      color: var(--mat-sys-on-surface);
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }
    .item {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      max-width: 220px;
    }
    .chart {
      width: 100%;
      height: auto;
      display: block;
      overflow: visible;
    }
    line,
    path {
      vector-effect: non-scaling-stroke;
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
      font-variant-numeric: tabular-nums;
    }
    .empty {
      font-size: 12px;
      fill: var(--mat-sys-on-surface-variant);
    }
    .line {
      fill: none;
      stroke-width: 1.75;
      stroke-linejoin: round;
      stroke-linecap: round;
    }
    .mark {
      stroke-width: 1.5;
      opacity: 0.55;
    }
    .mark.error {
      stroke: var(--hb-down);
    }
    .mark.breach {
      stroke: var(--hb-late);
      stroke-dasharray: 2 2;
    }
    .sw {
      display: inline-block;
      width: 10px;
      height: 3px;
      border-radius: 2px;
      margin-right: 4px;
      vertical-align: 3px;
    }
    .c0 {
      --c: var(--hb-series-0);
    }
    .c1 {
      --c: var(--hb-series-1);
    }
    .c2 {
      --c: var(--hb-series-2);
    }
    .c3 {
      --c: var(--hb-series-3);
    }
    .c4 {
      --c: var(--hb-series-4);
    }
    .c5 {
      --c: var(--hb-series-5);
    }
    .c6 {
      --c: var(--hb-series-6);
    }
    .c7 {
      --c: var(--hb-series-7);
    }
    .line[class*='c'] {
      stroke: var(--c);
    }
    .dot {
      fill: var(--c);
    }
    .sw {
      background: var(--c);
    }
  `,
})
export class LineChart {
  readonly title = input.required<string>();
  readonly series = input.required<readonly Series[]>();
  readonly from = input.required<number>();
  readonly to = input.required<number>();
  readonly marks = input<readonly TimeMark[]>([]);
  readonly testId = input<string>('line-chart');
  readonly width = input(600);
  readonly height = input(160);
  protected readonly i18n = inject(I18n);
  protected readonly model = computed(() => {
    this.i18n.locale(); // the summary is words: a language switch recomputes it
    return lineChartModel({
      series: this.series(),
      from: this.from(),
      to: this.to(),
      marks: this.marks(),
      width: this.width(),
      height: this.height(),
    });
  });
}
