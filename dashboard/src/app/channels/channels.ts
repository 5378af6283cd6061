import { ChangeDetectionStrategy, Component, OnInit, inject, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatTableModule } from '@angular/material/table';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Api, problemOf } from '../api/api';
import type { Channel, ChannelType } from '../api/models';
import { Now } from '../core/now';
import { exactTime, relativeTime } from '../core/time';
import { I18n } from '../i18n/i18n';
import { ChannelActions } from './channel-actions';
import { ChannelTestLine } from './channel-test-line';
import { DeliveryStateChip } from './delivery-state';

/** /channels (admins): every alert channel with its settings at a glance and its last delivery. */
@Component({
  selector: 'hb-channels',
  imports: [
    RouterLink,
    MatTableModule,
    MatButtonModule,
    MatIconModule,
    MatTooltipModule,
    MatProgressSpinnerModule,
    ChannelTestLine,
    DeliveryStateChip,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './channels.html',
  styleUrl: './channels.css',
})
export class ChannelsPage implements OnInit {
  private readonly api = inject(Api);
  private readonly clock = inject(Now);
  protected readonly actions = inject(ChannelActions);
  protected readonly i18n = inject(I18n);

  protected readonly items = signal<Channel[]>([]);
  protected readonly titles = signal<ReadonlyMap<string, string>>(new Map());
  protected readonly loading = signal(true);
  protected readonly error = signal('');
  protected readonly columns = ['name', 'type', 'events', 'flags', 'locale', 'last', 'actions'];

  ngOnInit(): void {
    this.load();
    this.api.channelTypes().subscribe({
      next: (types: ChannelType[]) => this.titles.set(new Map(types.map((t) => [t.type, t.title]))),
      error: () => undefined, // the raw type names are shown instead
    });
  }

  protected load(): void {
    this.loading.set(true);
    this.api.channels().subscribe({
      next: (r) => {
        this.items.set(r.items);
        this.loading.set(false);
        this.error.set('');
      },
      error: (err) => {
        this.error.set(problemOf(err).message);
        this.loading.set(false);
      },
    });
  }

  protected test(c: Channel): void {
    this.actions.sendTest(c);
  }

  protected remove(c: Channel): void {
    this.actions.remove(c).subscribe(() => this.items.update((list) => list.filter((x) => x.id !== c.id)));
  }

  protected typeTitle(type: string): string {
    return this.titles().get(type) ?? type;
  }
  protected events(c: Channel): string {
    const sep = this.i18n.locale() === 'zh-Hans' ? '、' : ', ';
    return c.events.map((e) => this.i18n.t(`event.${e}`)).join(sep) || this.i18n.t('common.none');
  }
  protected localeName(c: Channel): string {
    const l = c.locale ?? c.defaultLocale;
    const name = l === 'zh-Hans' ? '中文' : 'English';
    return c.locale ? name : this.i18n.t('channels.localeServer', { name });
  }
  protected rel(iso: string): string {
    return relativeTime(iso, this.clock.now(), this.i18n.locale());
  }
  protected exact(iso: string): string {
    return exactTime(iso, undefined, this.i18n.locale());
  }
}
