import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { BreakpointObserver } from '@angular/cdk/layout';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Subject, Subscription, auditTime, interval } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Host } from '../api/models';
import { LiveEvents } from '../core/events';
import { Now } from '../core/now';
import { exactTime, relativeTime } from '../core/time';
import { I18n } from '../i18n/i18n';
import { formatDuration } from '../monitors/schedule-form';
import { HostStateChip } from './host-state-chip';
import { hostState, type HostState } from './host-view';

/** How often the list refetches: polls do not come as live events, only their monitors' pings do. */
const REFRESH_MS = 5000;

@Component({
  selector: 'hb-host-list',
  imports: [
    RouterLink,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatTooltipModule,
    MatProgressSpinnerModule,
    HostStateChip,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './host-list.html',
  styleUrl: './host-list.css',
})
export class HostListPage {
  private readonly api = inject(Api);
  private readonly live = inject(LiveEvents);
  private readonly clock = inject(Now);
  protected readonly i18n = inject(I18n);

  protected readonly items = signal<Host[]>([]);
  protected readonly loading = signal(false);
  protected readonly loaded = signal(false);
  protected readonly error = signal('');

  private readonly narrow = signal(false);
  protected readonly columns = computed(() =>
    this.narrow()
      ? ['state', 'name', 'lastPollAt']
      : ['state', 'name', 'address', 'username', 'lastPollAt', 'interval', 'monitor'],
  );

  private request: Subscription | null = null;
  private readonly refresh$ = new Subject<void>();

  constructor() {
    inject(BreakpointObserver)
      .observe('(max-width: 699px)')
      .pipe(takeUntilDestroyed())
      .subscribe((r) => this.narrow.set(r.matches));
    this.load();
    // A host's monitor changing (a poll pinged it) is a live event; polls that change nothing are not: refetch now and then too.
    const hostMonitors = () => new Set(this.items().map((h) => h.monitorId));
    this.live.events$.pipe(takeUntilDestroyed()).subscribe((e) => {
      if (e.type !== 'deleted' && hostMonitors().has(e.monitor.id)) this.refresh$.next();
    });
    interval(REFRESH_MS)
      .pipe(takeUntilDestroyed())
      .subscribe(() => this.refresh$.next());
    this.refresh$.pipe(auditTime(1000), takeUntilDestroyed()).subscribe(() => this.load(true));
    inject(DestroyRef).onDestroy(() => this.request?.unsubscribe());
  }

  protected load(quiet = false): void {
    if (quiet && this.request && !this.request.closed) return;
    this.request?.unsubscribe();
    if (!quiet) this.loading.set(true);
    this.request = this.api.hosts().subscribe({
      next: (page) => {
        this.items.set(page.items);
        this.error.set('');
        this.loading.set(false);
        this.loaded.set(true);
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
        this.loaded.set(true);
      },
    });
  }

  protected state(h: Host): HostState {
    return hostState(h);
  }
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
  protected trackId(_: number, h: Host): number {
    return h.id;
  }
}
