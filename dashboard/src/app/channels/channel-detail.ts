import { ChangeDetectionStrategy, Component, DestroyRef, OnInit, inject, input, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterLink } from '@angular/router';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatCardModule } from '@angular/material/card';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Subscription, interval } from 'rxjs';
import { Api, problemOf } from '../api/api';
import type { Channel, ChannelDelivery } from '../api/models';
import { Now } from '../core/now';
import { exactTime, relativeTime } from '../core/time';
import { I18n } from '../i18n/i18n';
import { ChannelActions } from './channel-actions';
import { ChannelTestLine } from './channel-test-line';
import { DeliveryStateChip } from './delivery-state';

const PAGE_SIZE = 20;
/** Deliveries are not live events: the log refetches while it is open. */
const REFRESH_MS = 3000;

/** /channels/:id: a channel, its test button, and its delivery log (newest first, paged). */
@Component({
  selector: 'hb-channel-detail',
  imports: [
    RouterLink,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatCardModule,
    MatPaginatorModule,
    MatProgressSpinnerModule,
    ChannelTestLine,
    DeliveryStateChip,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './channel-detail.html',
  styleUrl: './channels.css',
})
export class ChannelDetailPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly clock = inject(Now);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly actions = inject(ChannelActions);
  protected readonly i18n = inject(I18n);

  readonly id = input.required<string>();
  protected readonly channel = signal<Channel | null>(null);
  protected readonly error = signal('');
  protected readonly typeTitle = signal('');
  protected readonly deliveries = signal<ChannelDelivery[]>([]);
  protected readonly total = signal(0);
  protected readonly pageIndex = signal(0);
  protected readonly logLoaded = signal(false);
  protected readonly logError = signal('');
  protected readonly pageSize = PAGE_SIZE;
  protected readonly columns = ['time', 'monitor', 'event', 'state', 'attempts', 'error'];
  private request: Subscription | null = null;

  ngOnInit(): void {
    this.api.getChannel(Number(this.id())).subscribe({
      next: (c) => {
        this.channel.set(c);
        this.api.channelTypes().subscribe({
          next: (types) => this.typeTitle.set(types.find((t) => t.type === c.type)?.title ?? c.type),
          error: () => this.typeTitle.set(c.type),
        });
      },
      error: (err) => this.error.set(problemOf(err).message),
    });
    this.loadLog();
    interval(REFRESH_MS)
      .pipe(takeUntilDestroyed(this.destroyRef))
      .subscribe(() => this.loadLog(true));
    this.destroyRef.onDestroy(() => this.request?.unsubscribe());
  }

  protected loadLog(quiet = false): void {
    if (quiet && this.request && !this.request.closed) return;
    this.request?.unsubscribe();
    this.request = this.api.channelDeliveries(Number(this.id()), PAGE_SIZE, this.pageIndex() * PAGE_SIZE).subscribe({
      next: (page) => {
        this.deliveries.set(page.items);
        this.total.set(page.total);
        this.logLoaded.set(true);
        this.logError.set('');
      },
      error: (err) => this.logError.set(problemOf(err).message),
    });
  }

  protected onPage(e: PageEvent): void {
    this.pageIndex.set(e.pageIndex);
    this.loadLog();
  }

  protected remove(c: Channel): void {
    this.actions.remove(c).subscribe(() => void this.router.navigate(['/channels']));
  }

  protected event(d: ChannelDelivery): string {
    const known = ['down', 'up', 'failure', 'reminder', 'test'].includes(d.event);
    const word = known ? this.i18n.t(`event.${d.event as 'down'}`) : d.event;
    return d.reminder ? this.i18n.t('channels.reminderOf', { event: word, n: d.reminder }) : word;
  }
  /** When the row last changed: sent, else last attempted, else created. */
  protected when(d: ChannelDelivery): string {
    return d.sentAt ?? d.lastAttemptAt ?? d.createdAt;
  }
  protected rel(iso: string): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }
  protected exact(iso: string): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
}
