import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, computed, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { BreakpointObserver } from '@angular/cdk/layout';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Subscription, interval } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Host, HostMetrics, HostPollResult, HostSample } from '../api/models';
import { Now } from '../core/now';
import { exactTime, formatMs, relativeTime } from '../core/time';
import { formatDuration } from '../monitors/schedule-form';
import { confirmDeletion } from '../shared/confirm-dialog';
import { HostStateChip } from './host-state-chip';
import { LineChart } from './line-chart';
import {
  RANGES,
  chartDomain,
  diskRows,
  hostCharts,
  hostState,
  isRangeKey,
  metricRows,
  processRows,
  rangeBounds,
  rangeLabel,
  resultState,
  type MetricRow,
  type RangeKey,
} from './host-view';
import { I18n } from '../i18n/i18n';

/** How often the page refetches the host and its samples while open. */
const REFRESH_MS = 10_000;
/** "Check now" while a scheduled poll runs (409): how many more tries, a second apart. */
const CHECK_RETRIES = 10;

@Component({
  selector: 'hb-host-detail',
  imports: [
    RouterLink,
    MatButtonModule,
    MatButtonToggleModule,
    MatIconModule,
    MatCardModule,
    MatTooltipModule,
    MatDialogModule,
    MatSnackBarModule,
    MatProgressSpinnerModule,
    HostStateChip,
    LineChart,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './host-detail.html',
  styleUrl: './host-detail.css',
})
export class HostDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly clock = inject(Now);
  protected readonly i18n = inject(I18n);
  private readonly destroyRef = inject(DestroyRef);

  readonly id = input.required<string>();
  protected readonly hostId = computed(() => Number(this.id()));

  protected readonly host = signal<Host | null>(null);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  protected readonly checking = signal(false);
  protected readonly checkError = signal('');
  /** The result of "Check now", shown until the page is left. */
  protected readonly checked = signal<HostPollResult | null>(null);
  /** What the result card shows: the check just made, else the host's last poll. */
  protected readonly result = computed(() => this.checked() ?? this.host()?.lastResult ?? null);
  protected readonly resultState = computed(() => resultState(this.result()));

  protected readonly ranges = RANGES;
  protected readonly range = signal<RangeKey>('hour');
  protected readonly bounds = signal(rangeBounds('hour', Date.now()));
  protected readonly samples = signal<HostSample[]>([]);
  protected readonly samplesLoading = signal(false);
  protected readonly samplesError = signal('');
  protected readonly charts = computed(() => {
    this.i18n.locale(); // series labels and mark titles are words
    return hostCharts(this.samples());
  });
  protected readonly domain = computed(() => chartDomain(this.bounds(), this.samples()));
  protected readonly partial = computed(() => this.domain().from > this.bounds().from);
  private readonly narrow = signal(false);
  protected readonly chartWidth = computed(() => (this.narrow() ? 360 : 600));
  protected readonly chartHeight = computed(() => (this.narrow() ? 150 : 170));
  private samplesSub: Subscription | null = null;
  private checkSub: Subscription | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  protected readonly checkNote = signal('');

  protected readonly state = computed(() => {
    const h = this.host();
    return h ? hostState(h) : 'pending';
  });

  constructor() {
    inject(BreakpointObserver)
      .observe('(max-width: 599px)')
      .pipe(takeUntilDestroyed())
      .subscribe((r) => this.narrow.set(r.matches));
    this.destroyRef.onDestroy(() => {
      this.samplesSub?.unsubscribe();
      this.checkSub?.unsubscribe();
      clearTimeout(this.retryTimer);
    });
  }

  ngOnInit(): void {
    this.load();
    interval(REFRESH_MS)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.refresh());
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set('');
    this.api.getHost(this.hostId()).subscribe({
      next: (h) => {
        this.host.set(h);
        this.loading.set(false);
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
    this.loadSamples();
  }

  /** Quietly: the host (its last poll) and the samples up to now. */
  private refresh(): void {
    if (!this.host() || this.busy()) return;
    this.api.getHost(this.hostId()).subscribe({ next: (h) => this.host.set(h), error: () => undefined });
    this.loadSamples(true);
  }

  protected setRange(key: unknown): void {
    if (!isRangeKey(key) || key === this.range()) return;
    this.range.set(key);
    this.loadSamples();
  }

  private loadSamples(quiet = false): void {
    this.samplesSub?.unsubscribe();
    const b = rangeBounds(this.range(), Date.now());
    if (!quiet) this.samplesLoading.set(true);
    this.samplesSub = this.api
      .hostMetrics(this.hostId(), new Date(b.from).toISOString(), new Date(b.to).toISOString())
      .subscribe({
        next: (r) => {
          this.bounds.set(b);
          this.samples.set(r.items);
          this.samplesError.set('');
          this.samplesLoading.set(false);
        },
        error: (err) => {
          this.samplesError.set(problemOf(err).message);
          this.samplesLoading.set(false);
        },
      });
  }

  /** Polls now. A poll already running (409) is waited for: tried again every second, a few times. */
  protected checkNow(attempt = 0): void {
    const h = this.host();
    if (!h || (this.checking() && attempt === 0)) return;
    this.checking.set(true);
    this.checkError.set('');
    this.checkSub?.unsubscribe();
    this.checkSub = this.api.checkHost(h.id).subscribe({
      next: (r) => {
        this.checked.set(r);
        this.checking.set(false);
        this.checkNote.set('');
        this.refresh();
      },
      error: (err) => {
        const p = problemOf(err);
        if (p.status === 409 && attempt < CHECK_RETRIES) {
          this.checkNote.set(this.i18n.t('hostDetail.pollRunning'));
          this.retryTimer = setTimeout(() => this.checkNow(attempt + 1), 1000);
          return;
        }
        this.checkNote.set('');
        this.checkError.set(p.status === 409 ? this.i18n.t('hostDetail.stillRunning') : p.message);
        this.checking.set(false);
      },
    });
  }

  protected remove(): void {
    const h = this.host();
    if (!h) return;
    confirmDeletion(
      this.dialog,
      this.i18n,
      this.i18n.t('hostDetail.deleteTitle'),
      this.i18n.t('hostDetail.deleteMessage', { name: h.name }),
    ).subscribe(() => {
      this.busy.set(true);
      this.api.deleteHost(h.id).subscribe({
        next: () => {
          this.busy.set(false);
          this.snack.open(this.i18n.t('detail.deletedName', { name: h.name }), undefined, { duration: 3000 });
          void this.router.navigate(['/hosts']);
        },
        error: (err) => {
          this.busy.set(false);
          this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
        },
      });
    });
  }

  /** The rows' labels are words: read the locale so a switch redraws them. */
  protected metrics(m: HostMetrics): MetricRow[] {
    this.i18n.locale();
    return metricRows(m);
  }
  protected rangeName(key: RangeKey): string {
    return rangeLabel(key, this.i18n.locale());
  }
  protected readonly diskRows = diskRows;
  protected readonly processRows = processRows;

  protected every(seconds: number): string {
    this.i18n.locale();
    return formatDuration(seconds);
  }
  protected rel(iso: string | null): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }
  protected exact(iso: string | null): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
  protected ms(v: number | null): string {
    return formatMs(v, this.i18n.locale());
  }
}
