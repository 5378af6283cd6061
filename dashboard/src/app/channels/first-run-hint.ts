import { ChangeDetectionStrategy, Component, OnInit, computed, inject, input, output, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { Api } from '../api/api';
import type { Channel } from '../api/models';
import { Auth } from '../auth/auth';
import { I18n } from '../i18n/i18n';

/**
 * "No alerts will be sent: add a channel" while no channel is enabled (a first run without
 * SMTP_URL has none). Admins only: channels are theirs to read and add. Given `channels`, it
 * judges those (the monitor form has them); without, it reads them. With `dialog`, "Add a
 * channel" emits `add` instead of going to /channels/new.
 */
@Component({
  selector: 'hb-first-run-hint',
  imports: [RouterLink, MatButtonModule, MatIconModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (shown()) {
      <div class="hint" role="note" data-testid="first-run-hint">
        <mat-icon svgIcon="bell" aria-hidden="true" />
        <div class="text">
          <strong>{{ i18n.t('firstRun.title') }}</strong>
          <span>{{ i18n.t('firstRun.body') }}</span>
        </div>
        @if (dialog()) {
          <button mat-flat-button type="button" (click)="add.emit()" data-testid="first-run-add">
            {{ i18n.t('firstRun.add') }}
          </button>
        } @else {
          <a mat-flat-button routerLink="/channels/new" data-testid="first-run-add">{{ i18n.t('firstRun.add') }}</a>
        }
      </div>
    }
  `,
  styles: `
    .hint {
      display: flex;
      align-items: center;
      flex-wrap: wrap;
      gap: 8px 12px;
      padding: 12px 16px;
      margin: 0 0 16px;
      border-radius: 8px;
      background: var(--hb-late-bg);
      color: var(--mat-sys-on-surface);
    }
    mat-icon {
      flex: none;
      color: var(--hb-late);
    }
    .text {
      flex: 1 1 260px;
      display: flex;
      flex-direction: column;
      gap: 2px;
    }
  `,
})
export class FirstRunHint implements OnInit {
  private readonly api = inject(Api);
  private readonly auth = inject(Auth);
  protected readonly i18n = inject(I18n);

  /** The channels, when the page has them; undefined: the hint reads them itself. */
  readonly channels = input<Channel[] | null | undefined>(undefined);
  readonly dialog = input(false);
  readonly add = output<void>();

  private readonly loaded = signal<Channel[] | null>(null);
  protected readonly shown = computed(() => {
    const list = this.channels() ?? this.loaded();
    return this.auth.isAdmin() && list !== null && !list.some((c) => c.enabled);
  });

  ngOnInit(): void {
    if (this.channels() !== undefined || !this.auth.isAdmin()) return;
    this.api.channels().subscribe({ next: (r) => this.loaded.set(r.items), error: () => undefined });
  }
}
