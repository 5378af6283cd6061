import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  OnInit,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { ClipboardModule } from '@angular/cdk/clipboard';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatTabsModule } from '@angular/material/tabs';
import { MatMenuModule } from '@angular/material/menu';
import { Subject, auditTime, forkJoin, type Observable } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Flip, Monitor, NotificationItem, Ping } from '../api/models';
import { Auth } from '../auth/auth';
import { LiveEvents } from '../core/events';
import { Now } from '../core/now';
import { exactTime, formatMs, relativeTime } from '../core/time';
import { StatusChip } from '../shared/status-chip';
import { MaintenanceBadge } from '../shared/maintenance-badge';
import { statusMeta } from '../shared/status';
import { I18n } from '../i18n/i18n';
import { CATALOGS, type MessageKey } from '../i18n/translate';
import { confirmDeletion } from '../shared/confirm-dialog';
import { openBadge } from '../badges/badge-dialog';
import { DurationChart } from './duration-chart';
import { snippets, type Snippet } from './snippets';
import { formatDuration } from './schedule-form';
import { failureRateLine, runLimitsSummary } from './run-limits-form';
import { overdueText } from './down-since';

const PINGS_PAGE = 50;

import { UptimeGlance } from '../shared/uptime-glance';
@Component({
  selector: 'hb-monitor-detail',
  imports: [
    UptimeGlance,
    RouterLink,
    ClipboardModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatTooltipModule,
    MatDialogModule,
    MatSnackBarModule,
    MatProgressSpinnerModule,
    MatTabsModule,
    MatMenuModule,
    StatusChip,
    MaintenanceBadge,
    DurationChart,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './monitor-detail.html',
  styleUrl: './monitor-detail.css',
})
export class MonitorDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);
  private readonly live = inject(LiveEvents);
  private readonly clock = inject(Now);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);

  readonly id = input.required<string>();
  protected readonly monitorId = computed(() => Number(this.id()));

  protected readonly monitor = signal<Monitor | null>(null);
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  protected readonly pings = signal<Ping[]>([]);
  protected readonly pingsTotal = signal(0);
  protected readonly pingsLoading = signal(false);
  protected readonly flips = signal<Flip[]>([]);
  protected readonly flipsTotal = signal(0);
  protected readonly notifications = signal<NotificationItem[]>([]);
  protected readonly notificationsTotal = signal(0);
  protected readonly historyError = signal('');

  protected readonly snippetList = computed<Snippet[]>(() => {
    const m = this.monitor();
    this.i18n.locale();
    return m ? snippets(location.origin, m.code) : [];
  });
  protected readonly scheduleText = computed(() => {
    const m = this.monitor();
    const t = this.i18n.t.bind(this.i18n);
    if (!m) return '';
    const s = m.schedule;
    if (s.kind === 'interval')
      return t('detail.everyGrace', { period: formatDuration(s.periodSeconds), grace: formatDuration(s.graceSeconds) });
    const deadline =
      s.deadline === 'end-of-day' ? t('detail.endOfDay') : t('detail.grace', { grace: formatDuration(s.graceSeconds) });
    if (s.kind === 'oncalendar') return t('detail.oncalendar', { timezone: s.timezone, deadline });
    const dialect = t(s.dialect === 'kubernetes' ? 'detail.dialect.kubernetes' : 'detail.dialect.cron');
    return t('detail.cron', { expression: s.expression, timezone: s.timezone, dialect, deadline });
  });
  /** An OnCalendar schedule's calendar events, listed under its summary. */
  protected readonly calendarLines = computed(() => {
    const s = this.monitor()?.schedule;
    return s?.kind === 'oncalendar' ? s.expressions : [];
  });

  private readonly refresh$ = new Subject<void>();

  constructor() {
    // Loaded for each id: a link from a child to its parent (or back) keeps this component and changes the id.
    effect(() => {
      this.monitorId();
      untracked(() => {
        this.monitor.set(null);
        this.pings.set([]);
        this.load();
      });
    });
  }

  ngOnInit(): void {
    this.live.events$.pipe(takeUntilDestroyed(this.destroyRef)).subscribe((e) => {
      if (e.type === 'deleted') {
        if (e.id === this.monitorId()) {
          this.snack.open(this.i18n.t('detail.deleted'), this.i18n.t('common.ok'), { duration: 5000 });
          void this.router.navigate(['/monitors']);
        }
        return;
      }
      if (e.monitor.id !== this.monitorId()) return;
      this.monitor.set(e.monitor);
      this.refresh$.next();
    });
    this.refresh$.pipe(auditTime(1000), takeUntilDestroyed(this.destroyRef)).subscribe(() => this.loadHistory());
  }

  protected load(): void {
    this.loading.set(true);
    this.error.set('');
    this.api.getMonitor(this.monitorId()).subscribe({
      next: (m) => {
        this.monitor.set(m);
        this.loading.set(false);
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
    this.loadHistory();
  }

  private loadHistory(): void {
    const id = this.monitorId();
    this.pingsLoading.set(true);
    forkJoin({
      pings: this.api.pings(id, Math.max(PINGS_PAGE, this.pings().length)),
      flips: this.api.flips(id, 50),
      notifications: this.api.notifications(id, 20),
    }).subscribe({
      next: (r) => {
        this.pings.set(r.pings.items);
        this.pingsTotal.set(r.pings.total);
        this.flips.set(r.flips.items);
        this.flipsTotal.set(r.flips.total);
        this.notifications.set(r.notifications.items);
        this.notificationsTotal.set(r.notifications.total);
        this.historyError.set('');
        this.pingsLoading.set(false);
      },
      error: (err) => {
        this.historyError.set(problemOf(err).message);
        this.pingsLoading.set(false);
      },
    });
  }

  protected morePings(): void {
    this.pingsLoading.set(true);
    this.api.pings(this.monitorId(), PINGS_PAGE, this.pings().length).subscribe({
      next: (r) => {
        const seen = new Set(this.pings().map((p) => p.id));
        this.pings.update((list) => [...list, ...r.items.filter((p) => !seen.has(p.id))]);
        this.pingsTotal.set(r.total);
        this.pingsLoading.set(false);
      },
      error: (err) => {
        this.historyError.set(problemOf(err).message);
        this.pingsLoading.set(false);
      },
    });
  }

  protected pauseOrResume(pause: boolean): void {
    this.change(
      (id) => (pause ? this.api.pause(id) : this.api.resume(id)),
      () => this.i18n.t(pause ? 'detail.paused' : 'detail.resumed'),
    );
  }

  /** The snooze menu's choices, in seconds: an hour, a day, a week (the most the API takes). */
  protected readonly snoozeChoices = [3600, 86_400, 7 * 86_400];

  protected snooze(seconds: number): void {
    this.change(
      (id) => this.api.snooze(id, seconds),
      (m) => this.i18n.t('detail.snoozed', { time: this.exact(m.snoozedUntil) }),
    );
  }

  protected endSnooze(): void {
    this.change(
      (id) => this.api.endSnooze(id),
      () => this.i18n.t('detail.snoozeEnded'),
    );
  }

  /** One action on the monitor: its answer replaces the monitor shown, a snack bar says what happened. */
  private change(call: (id: number) => Observable<Monitor>, said: (m: Monitor) => string): void {
    const m = this.monitor();
    if (!m) return;
    this.busy.set(true);
    call(m.id).subscribe({
      next: (updated) => {
        this.monitor.set(updated);
        this.busy.set(false);
        this.snack.open(said(updated), undefined, { duration: 3000 });
        this.refresh$.next();
      },
      error: (err) => {
        this.busy.set(false);
        this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
      },
    });
  }

  /** Why a notification is (or was) held, in words. */
  protected held(h: NonNullable<NotificationItem['heldBy']>): string {
    return this.i18n.t(`hold.${h.kind}`, { detail: h.detail ?? '' });
  }

  protected duration(seconds: number): string {
    return formatDuration(seconds);
  }

  protected remove(): void {
    const m = this.monitor();
    if (!m) return;
    confirmDeletion(
      this.dialog,
      this.i18n,
      this.i18n.t('detail.deleteTitle'),
      this.i18n.t('detail.deleteMessage', { name: m.name }),
    ).subscribe(() => {
      this.busy.set(true);
      this.api.deleteMonitor(m.id).subscribe({
        next: () => {
          this.busy.set(false);
          this.snack.open(this.i18n.t('detail.deletedName', { name: m.name }), undefined, { duration: 3000 });
          void this.router.navigate(['/monitors']);
        },
        error: (err) => {
          this.busy.set(false);
          this.snack.open(problemOf(err).message, this.i18n.t('common.ok'), { duration: 6000 });
        },
      });
    });
  }

  protected showBadge(m: Monitor): void {
    openBadge(this.dialog, { of: { monitorId: m.id }, name: m.name });
  }

  protected copied(ok: boolean, what: string): void {
    this.snack.open(ok ? this.i18n.t('detail.copied', { what }) : this.i18n.t('detail.copyFailed'), undefined, {
      duration: 2000,
    });
  }

  protected rel(iso: string | null): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }
  protected exact(iso: string | null): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
  /** "down since 14:02 · 11 min" in place of a next due in the past; '' otherwise. */
  protected overdue(m: Monitor): string {
    return overdueText(m, this.clock.now(), this.i18n.locale());
  }
  protected limits(m: Monitor): string {
    return runLimitsSummary(m, (ms) => formatDuration(ms / 1000), this.i18n.locale());
  }
  protected rate(m: Monitor): string | null {
    return failureRateLine(m, this.i18n.locale());
  }

  protected ms(v: number | null): string {
    return formatMs(v, this.i18n.locale());
  }
  protected label(status: string | null): string {
    return statusMeta(status, this.i18n.locale()).label;
  }
  protected pingKind(p: Ping): string {
    const t = this.i18n.t.bind(this.i18n);
    if (p.kind === 'fail')
      return p.exitStatus !== null ? t('ping.failureExit', { status: p.exitStatus }) : t('ping.failure');
    if (p.kind === 'success')
      return p.exitStatus !== null && p.exitStatus !== 0 ? t('ping.exit', { status: p.exitStatus }) : t('ping.success');
    return this.word('ping', p.kind);
  }
  /** A flip's reason in words; one this dashboard does not know is shown as the server says it. */
  protected reason(reason: string): string {
    return this.word('reason', reason);
  }
  /** `group.value` from the catalog (ping kinds, delivery states, events), or the value itself. */
  protected word(group: 'ping' | 'reason' | 'delivery' | 'event', value: string): string {
    const key = `${group}.${value}`;
    return key in CATALOGS.en ? this.i18n.t(key as MessageKey) : value;
  }
}
