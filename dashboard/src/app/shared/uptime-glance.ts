import {
  ChangeDetectionStrategy,
  Component,
  ElementRef,
  afterRenderEffect,
  computed,
  inject,
  input,
  viewChild,
} from '@angular/core';
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

/** One tick per run in the strip, each `.tick.kind-<kind>` with its kind in data-kind; reuses the ticks there. */
export function writeTicks(strip: HTMLElement, runs: readonly { kind: string }[]): void {
  while (strip.children.length > runs.length) strip.lastElementChild!.remove();
  runs.forEach((r, i) => {
    let tick = strip.children[i] as HTMLElement | undefined;
    if (!tick) {
      tick = strip.ownerDocument.createElement('span');
      tick.dataset['testid'] = 'uptime-tick';
      strip.append(tick);
    }
    if (tick.dataset['kind'] !== r.kind) {
      tick.className = `tick kind-${r.kind}`;
      tick.dataset['kind'] = r.kind;
    }
    tick.removeAttribute('title'); // written again on hover, for the run now in this place
  });
}

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
    <span
      #strip
      class="strip"
      role="img"
      data-testid="uptime-strip"
      [attr.aria-label]="stripLabel()"
      (pointerover)="labelTick($event)"
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
      display: inline-flex;
      gap: 2px;
      height: 14px;
      align-items: stretch;
    }
    /* the ticks are made by writeTicks, outside the template: no encapsulation attribute on them */
    .strip ::ng-deep .tick {
      width: 4px;
      border-radius: 1px;
      background: var(--hb-new);
    }
    .strip ::ng-deep .kind-success {
      background: var(--hb-up);
    }
    .strip ::ng-deep .kind-fail {
      background: var(--hb-down);
    }
    .strip ::ng-deep .kind-start {
      background: var(--hb-late);
      opacity: 0.6;
    }
    .strip ::ng-deep .kind-log {
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
  protected readonly runs = computed(() => [...(this.monitor().recentRuns ?? [])].reverse());
  private readonly strip = viewChild.required<ElementRef<HTMLElement>>('strip');

  constructor() {
    // Plain elements, not a template loop: a page of 50 monitors has 1,000 ticks, and as
    // Angular views they were the costliest part of the list's first screen.
    afterRenderEffect({ write: () => writeTicks(this.strip().nativeElement, this.runs()) });
  }

  /**
   * A tick's title ("Success · 2026-12-04 13:45:07 UTC · 812 ms") is written when the pointer
   * reaches it: a page of 50 monitors has 1,000 ticks, and formatting every one of their times
   * up front cost the list's first screen more than the rest of its rows together.
   */
  protected labelTick(event: Event): void {
    const tick = event.target as HTMLElement;
    const strip = event.currentTarget as HTMLElement;
    if (tick.parentElement !== strip) return;
    const r = this.runs()[Array.prototype.indexOf.call(strip.children, tick)];
    if (!r) return;
    const time = exactTime(r.at, undefined, this.i18n.locale());
    tick.title = `${this.kindLabel(r.kind)} · ${time}${r.durationMs === null ? '' : ` · ${r.durationMs} ms`}`;
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
