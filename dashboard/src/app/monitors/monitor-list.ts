import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { NgTemplateOutlet } from '@angular/common';
import { FormControl, FormGroup, ReactiveFormsModule } from '@angular/forms';
import { ActivatedRoute, Router, RouterLink } from '@angular/router';
import { BreakpointObserver } from '@angular/cdk/layout';
import { MatSortModule, type Sort } from '@angular/material/sort';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { Subject, Subscription, auditTime, debounceTime, throttleTime } from 'rxjs';
import { FirstRunHint } from '../channels/first-run-hint';
import { Api, problemOf } from '../api/api';
import { MONITOR_STATUSES, type Monitor, type MonitorStatus, type StatusCounts } from '../api/models';
import { Auth } from '../auth/auth';
import { LiveEvents } from '../core/events';
import { Now } from '../core/now';
import { relativeTime } from '../core/time';
import { Chip } from '../shared/chip';
import { MaintenanceBadge } from '../shared/maintenance-badge';
import { statusMeta, type StatusMeta } from '../shared/status';
import { I18n } from '../i18n/i18n';
import { splitTags } from './tags';
import { applyLiveEvent } from './live-counts';
import { overdueText } from './down-since';
import { openBadge } from '../badges/badge-dialog';
import { UptimeGlance } from '../shared/uptime-glance';
import { LIST_PAGE_SIZE, listQueryOf, listStateOf } from './list-query';
import { ExactTitle } from '../shared/exact-title';

@Component({
  selector: 'hb-monitor-list',
  imports: [
    FirstRunHint,
    ReactiveFormsModule,
    RouterLink,
    NgTemplateOutlet,
    MatSortModule,
    MatPaginatorModule,
    MatButtonModule,
    MatIconModule,
    MatProgressSpinnerModule,
    MatDialogModule,
    Chip,
    MaintenanceBadge,
    UptimeGlance,
    ExactTitle,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './monitor-list.html',
  styleUrl: './monitor-list.css',
})
export class MonitorListPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly live = inject(LiveEvents);
  private readonly clock = inject(Now);
  private readonly dialog = inject(MatDialog);
  protected readonly auth = inject(Auth);
  protected readonly statuses = MONITOR_STATUSES;
  protected readonly i18n = inject(I18n);
  protected readonly pageSize = LIST_PAGE_SIZE;

  protected readonly items = signal<Monitor[]>([]);
  protected readonly total = signal(0);
  protected readonly counts = signal<Partial<StatusCounts> | null>(null);
  protected readonly loading = signal(false);
  protected readonly loaded = signal(false);
  protected readonly error = signal('');
  protected readonly pageIndex = signal(0);
  protected readonly sort = signal<Sort>({ active: '', direction: '' });

  protected readonly filters = new FormGroup({
    tags: new FormControl('', { nonNullable: true }),
    q: new FormControl('', { nonNullable: true }),
    status: new FormControl<MonitorStatus | ''>('', { nonNullable: true }),
  });

  /** a phone: status, name (with its tags) and last ping only */
  protected readonly narrow = signal(false);
  protected readonly hasFilters = computed(
    () => this.filterState().tags !== '' || this.filterState().q !== '' || this.filterState().status !== '',
  );
  private readonly filterState = signal({ tags: '', q: '', status: '' as MonitorStatus | '' });
  /** The tags filtered by: each offers its badge. */
  protected readonly filterTags = computed(() => splitTags(this.filterState().tags));

  private request: Subscription | null = null;
  private readonly refresh$ = new Subject<void>();
  private readonly reloadNow$ = new Subject<void>();

  constructor() {
    const destroyRef = inject(DestroyRef);
    inject(BreakpointObserver)
      .observe('(max-width: 699px)')
      .pipe(takeUntilDestroyed())
      .subscribe((r) => this.narrow.set(r.matches));

    // The URL holds the filters, sort and page, so back/forward and reload keep them.
    this.route.queryParamMap.pipe(takeUntilDestroyed()).subscribe((p) => {
      const state = listStateOf(p);
      const f = state.filters;
      this.filterState.set(f);
      const current = this.filters.getRawValue();
      if (current.tags !== f.tags || current.q !== f.q || current.status !== f.status)
        this.filters.setValue(f, { emitEvent: false });
      this.sort.set(state.sort);
      this.pageIndex.set(state.pageIndex);
      this.load();
    });

    this.filters.valueChanges.pipe(debounceTime(300), takeUntilDestroyed()).subscribe(() => this.applyFilters());

    // Live: rows, total and count chips move together from the event, in the same change detection
    // turn; a background reload at most every 3 s puts the rows in the server's order. What the page
    // cannot count (see applyLiveEvent: an unknown monitor, a rename under a search) reloads at once.
    this.live.events$.pipe(takeUntilDestroyed()).subscribe((e) => {
      const f = this.filterState();
      const next = applyLiveEvent({ items: this.items(), total: this.total(), counts: this.counts() }, e, {
        searching: f.tags.trim() !== '' || f.q.trim() !== '',
        status: f.status,
        pageIndex: this.pageIndex(),
      });
      if (!next) {
        this.reloadNow$.next();
        return;
      }
      this.items.set(next.state.items);
      this.total.set(next.state.total);
      this.counts.set(next.state.counts);
      if (next.reorder) this.refresh$.next();
    });
    this.refresh$.pipe(auditTime(3000), takeUntilDestroyed()).subscribe(() => this.load(true));
    this.reloadNow$
      .pipe(throttleTime(300, undefined, { leading: true, trailing: true }), takeUntilDestroyed())
      .subscribe(() => this.load(true));
    destroyRef.onDestroy(() => this.request?.unsubscribe());
  }

  protected load(quiet = false): void {
    this.request?.unsubscribe();
    const s = this.sort();
    if (!quiet) this.loading.set(true);
    this.request = this.api
      .listMonitors(
        listQueryOf({
          filters: this.filterState(),
          sort: { active: s.active, direction: s.direction },
          pageIndex: this.pageIndex(),
        }),
      )
      .subscribe({
        next: (page) => {
          this.items.set(page.items);
          this.total.set(page.total);
          this.counts.set(page.counts ?? null);
          this.error.set('');
          this.loading.set(false);
          this.loaded.set(true);
          // Past the last page (e.g. after deletes): go to the last one that has rows.
          if (page.items.length === 0 && page.total > 0 && this.pageIndex() > 0) {
            this.navigate({ page: Math.ceil(page.total / LIST_PAGE_SIZE) });
          }
        },
        error: (err) => {
          this.error.set(problemOf(err).message);
          this.loading.set(false);
          this.loaded.set(true);
        },
      });
  }

  private applyFilters(): void {
    const v = this.filters.getRawValue();
    this.navigate({ tags: v.tags.trim() || null, q: v.q.trim() || null, status: v.status || null, page: null });
  }

  private navigate(params: Record<string, string | number | null>): void {
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: params,
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected onSort(s: Sort): void {
    this.navigate({ sort: s.direction ? s.active : null, order: s.direction || null, page: null });
  }

  protected onPage(e: PageEvent): void {
    this.navigate({ page: e.pageIndex > 0 ? e.pageIndex + 1 : null });
  }

  protected toggleStatus(status: MonitorStatus): void {
    const current = this.filters.controls.status.value;
    this.filters.controls.status.setValue(current === status ? '' : status);
  }

  protected filterByTag(tag: string, event: Event): void {
    event.preventDefault();
    const tags = splitTags(this.filters.controls.tags.value);
    if (!tags.includes(tag)) this.filters.controls.tags.setValue([...tags, tag].join(', '));
  }

  protected showTagBadge(tag: string): void {
    openBadge(this.dialog, { of: { tag }, name: tag });
  }

  protected clearFilters(): void {
    this.filters.setValue({ tags: '', q: '', status: '' });
  }

  protected countOf(status: MonitorStatus): number | null {
    const c = this.counts();
    return c ? (c[status] ?? 0) : null;
  }

  /** One meta per status and language: a row's chip re-renders only when its status changes. */
  private readonly metas = computed(() => {
    const locale = this.i18n.locale();
    return new Map(MONITOR_STATUSES.map((s) => [s as string, statusMeta(s, locale)]));
  });

  protected meta(status: string): StatusMeta {
    return this.metas().get(status) ?? statusMeta(status, this.i18n.locale());
  }

  protected rel(iso: string | null): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }

  /** "down since 14:02 · 11 min" for a down monitor or a late one past its next due; '' otherwise. */
  protected overdue(m: Monitor): string {
    return overdueText(m, this.clock.now(), this.i18n.locale());
  }

  /** The name is a real link (open in a new tab, copy); a plain click stays in the app. */
  protected open(id: number, event: MouseEvent): void {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    void this.router.navigate(['/monitors', id]);
  }
}
