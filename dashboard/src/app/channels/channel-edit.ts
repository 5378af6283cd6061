import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, signal } from '@angular/core';
import { Router, RouterLink } from '@angular/router';
import { MatCardModule } from '@angular/material/card';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Api, problemOf } from '../api/api';
import type { Channel } from '../api/models';
import { I18n } from '../i18n/i18n';
import { ChannelForm } from './channel-form';

/** /channels/new and /channels/:id/edit: the channel form on its own page. */
@Component({
  selector: 'hb-channel-edit',
  imports: [RouterLink, MatCardModule, MatButtonModule, MatIconModule, MatProgressSpinnerModule, ChannelForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="page narrow">
      <div class="page-header">
        <a mat-icon-button [routerLink]="back()" [attr.aria-label]="i18n.t('channels.back')">
          <mat-icon svgIcon="back" />
        </a>
        <h1>{{ i18n.t(id() === undefined ? 'channels.new' : 'channels.editTitle') }}</h1>
      </div>
      @if (error()) {
        <div class="banner-error" role="alert">{{ error() }}</div>
      } @else if (id() !== undefined && !channel()) {
        <div class="center-spinner">
          <mat-progress-spinner mode="indeterminate" diameter="32" [attr.aria-label]="i18n.t('app.loading')" />
        </div>
      } @else {
        <mat-card appearance="outlined">
          <mat-card-content>
            <hb-channel-form [channel]="channel()" (saved)="saved($event)" (cancelled)="cancel()" />
          </mat-card-content>
        </mat-card>
      }
    </div>
  `,
  styles: `
    .narrow {
      max-width: 760px;
    }
  `,
})
export class ChannelEditPage implements OnInit {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  protected readonly i18n = inject(I18n);

  /** From the route (:id) when editing. */
  readonly id = input<string | undefined>(undefined);
  protected readonly channel = signal<Channel | null>(null);
  protected readonly error = signal('');
  protected readonly back = computed(() => (this.id() === undefined ? '/channels' : `/channels/${this.id()}`));

  ngOnInit(): void {
    const id = this.id();
    if (id === undefined) return;
    this.api.getChannel(Number(id)).subscribe({
      next: (c) => this.channel.set(c),
      error: (err) => this.error.set(problemOf(err).message),
    });
  }

  protected saved(c: Channel): void {
    void this.router.navigate(['/channels', c.id]);
  }

  protected cancel(): void {
    void this.router.navigateByUrl(this.back());
  }
}
