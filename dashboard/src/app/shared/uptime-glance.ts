import { ChangeDetectionStrategy, Component, computed, inject, input } from '@angular/core';
import type { Monitor } from '../api/models';
import { I18n } from '../i18n/i18n';
import type { MessageKey } from '../i18n/messages.en';
import { exactTime } from '../core/time';
import { TICK_GAP_PX, TICK_PX, stripImage, tickAt, uptimeText } from './uptime-strip';

type Glance = Pick<Monitor, 'uptime' | 'recentRuns'>;

const KIND_LABELS: Record<string, MessageKey> = {
  success: 'uptime.kind.success',
  fail: 'uptime.kind.fail',
  start: 'uptime.kind.start',
  log: 'uptime.kind.log',
};

/**
 * Uptime at a glance: the 24 h figure (7 d and 30 d beside it, or in its title when compact)
 * and a strip of the recent runs, oldest left, one coloured tick each with its own label.
 * The server computes both (the monitor answers' uptime and recentRuns).
 */
@Component({
  selector: 'hb-uptime-glance',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <span class="figures" data-testid="uptime" [attr.title]="compact() ? windows() : null">
      <span class="day" data-testid="uptime-day" [attr.aria-label]="i18n.t('uptime.dayLabel', { uptime: day() })">{{
        day()
      }}</span>
      @if (!compact()) {
        <span class="other" data-testid="uptime-windows">{{ windows() }}</span>
      }
    </span>
    <span
      class="strip"
      role="img"
      data-testid="uptime-strip"
      [attr.aria-label]="stripLabel()"
      [attr.data-kinds]="kinds().join(' ')"
      [style.background-image]="image()"
      [style.width.px]="width()"
      (pointermove)="labelTick($event)"
    ></span>
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
      display: inline-block;
      height: 14px;
      forced-color-adjust: none;
    }
  `,
})
export class UptimeGlance {
  protected readonly i18n = inject(I18n);
  readonly monitor = input.required<Glance>();
  /** the list's cell: 7 d and 30 d in the title only (a native title: 50 Material tooltips cost the first screen) */
  readonly compact = input(false);

  protected readonly day = computed(() => uptimeText(this.monitor().uptime?.day));
  protected readonly windows = computed(() =>
    this.i18n.t('uptime.windows', {
      week: uptimeText(this.monitor().uptime?.week),
      month: uptimeText(this.monitor().uptime?.month),
    }),
  );
  /** oldest first, so the newest run is at the right as on a timeline */
  protected readonly runs = computed(() => [...(this.monitor().recentRuns ?? [])].reverse());
  protected readonly kinds = computed(() => this.runs().map((r) => r.kind));
  protected readonly image = computed(() => stripImage(this.kinds()));
  protected readonly width = computed(() => Math.max(0, this.runs().length * (TICK_PX + TICK_GAP_PX) - TICK_GAP_PX));

  /**
   * The run under the pointer says what it was ("Success · 2026-12-04 13:45:07 UTC · 812 ms") in
   * the strip's title, written as the pointer moves: formatting 1,000 runs' times up front cost
   * the list's first screen more than the rest of its rows together.
   */
  protected labelTick(event: PointerEvent): void {
    const strip = event.currentTarget as HTMLElement;
    const r = this.runs()[tickAt(event.offsetX, this.runs().length)];
    if (!r) {
      strip.removeAttribute('title');
      return;
    }
    const time = exactTime(r.at, undefined, this.i18n.locale());
    strip.title = `${this.kindLabel(r.kind)} · ${time}${r.durationMs === null ? '' : ` · ${r.durationMs} ms`}`;
  }
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
