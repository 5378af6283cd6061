import { ChangeDetectionStrategy, Component, OnInit, computed, inject, signal } from '@angular/core';
import { ClipboardModule } from '@angular/cdk/clipboard';
import { MAT_DIALOG_DATA, MatDialog, MatDialogModule } from '@angular/material/dialog';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatTooltipModule } from '@angular/material/tooltip';
import { MatSnackBar, MatSnackBarModule } from '@angular/material/snack-bar';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Api, problemOf, type BadgeOf } from '../api/api';
import type { BadgeUrls } from '../api/models';
import { Auth } from '../auth/auth';
import { I18n } from '../i18n/i18n';
import { confirmAction } from '../shared/confirm-dialog';
import { badgeLinks, type BadgeLink } from './badge-links';

export interface BadgeDialogData {
  of: BadgeOf;
  /** the monitor's name or the tag, for the title */
  name: string;
}

/** A monitor's or tag's public badge: a preview, its URLs to copy, and (admins) a new URL. */
@Component({
  selector: 'hb-badge-dialog',
  imports: [
    ClipboardModule,
    MatDialogModule,
    MatButtonModule,
    MatIconModule,
    MatTooltipModule,
    MatSnackBarModule,
    MatProgressSpinnerModule,
  ],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>
      {{ i18n.t('tag' in data.of ? 'badge.titleTag' : 'badge.titleMonitor', { name: data.name }) }}
    </h2>
    <mat-dialog-content>
      <p class="muted intro">{{ i18n.t('badge.intro') }}</p>
      @if (error()) {
        <div class="banner-error" role="alert" data-testid="badge-error">{{ error() }}</div>
      }
      @if (urls(); as u) {
        <div class="preview">
          <img
            [src]="previewSrc(u)"
            [alt]="i18n.t('badge.previewOf', { name: data.name })"
            data-testid="badge-preview"
          />
        </div>
        @for (l of links(); track l.id) {
          <div class="link">
            <div class="link-head">
              <span class="link-label">{{ label(l) }}</span>
              <button
                mat-icon-button
                type="button"
                [cdkCopyToClipboard]="l.url"
                (cdkCopyToClipboardCopied)="copied($event, label(l))"
                [attr.aria-label]="i18n.t('badge.copy', { what: label(l) })"
                [matTooltip]="i18n.t('badge.copy', { what: label(l) })"
                [attr.data-testid]="'badge-copy-' + l.id"
              >
                <mat-icon svgIcon="copy" />
              </button>
            </div>
            <code class="url" [attr.data-testid]="'badge-url-' + l.id">{{ l.url }}</code>
          </div>
        }
      } @else if (!error()) {
        <div class="center-spinner">
          <mat-progress-spinner mode="indeterminate" diameter="32" [attr.aria-label]="i18n.t('badge.loading')" />
        </div>
      }
    </mat-dialog-content>
    <mat-dialog-actions align="end">
      @if (auth.isAdmin()) {
        <button
          mat-button
          type="button"
          class="rotate"
          (click)="rotate()"
          [disabled]="busy() || !urls()"
          [matTooltip]="i18n.t('badge.rotateHint')"
          data-testid="badge-rotate"
        >
          <mat-icon svgIcon="refresh" /> {{ i18n.t('badge.rotate') }}
        </button>
      }
      <span class="spacer"></span>
      <button mat-flat-button type="button" mat-dialog-close data-testid="badge-close">
        {{ i18n.t('badge.close') }}
      </button>
    </mat-dialog-actions>
  `,
  styles: `
    .intro {
      margin-top: 0;
    }
    .preview {
      display: flex;
      justify-content: center;
      padding: 12px;
      margin-bottom: 8px;
      border-radius: 6px;
      background: var(--mat-sys-surface-container);
    }
    .preview img {
      height: 20px;
    }
    .link {
      margin-bottom: 6px;
    }
    .link-head {
      display: flex;
      align-items: center;
      justify-content: space-between;
    }
    .link-label {
      font-weight: 500;
      font-size: 13px;
    }
    .url {
      display: block;
      padding: 6px 8px;
      border-radius: 6px;
      background: var(--mat-sys-surface-container);
      font-family: var(--hb-mono);
      font-size: 12px;
      overflow-wrap: anywhere;
    }
    .rotate {
      color: var(--mat-sys-error);
    }
  `,
})
export class BadgeDialog implements OnInit {
  protected readonly data = inject<BadgeDialogData>(MAT_DIALOG_DATA);
  protected readonly i18n = inject(I18n);
  protected readonly auth = inject(Auth);
  private readonly api = inject(Api);
  private readonly dialog = inject(MatDialog);
  private readonly snack = inject(MatSnackBar);

  protected readonly urls = signal<BadgeUrls | null>(null);
  protected readonly links = computed<BadgeLink[]>(() => {
    const u = this.urls();
    return u ? badgeLinks(location.origin, u) : [];
  });
  protected readonly error = signal('');
  protected readonly busy = signal(false);

  ngOnInit(): void {
    this.api.badge(this.data.of).subscribe({
      next: (u) => this.urls.set(u),
      error: (err) => this.error.set(problemOf(err).message),
    });
  }

  protected rotate(): void {
    confirmAction(this.dialog, {
      title: this.i18n.t('badge.rotateTitle'),
      message: this.i18n.t('badge.rotateMessage'),
      confirmLabel: this.i18n.t('badge.rotate'),
      danger: true,
    }).subscribe(() => {
      this.busy.set(true);
      this.api.rotateBadge(this.data.of).subscribe({
        next: (u) => {
          this.busy.set(false);
          this.urls.set(u);
          this.snack.open(this.i18n.t('badge.rotated'), undefined, { duration: 3000 });
        },
        error: (err) => {
          this.busy.set(false);
          this.error.set(problemOf(err).message);
        },
      });
    });
  }

  /** From this server, whatever PUBLIC_URL says: the page's CSP allows only its own images. */
  protected previewSrc(u: BadgeUrls): string {
    return `/badge/${encodeURIComponent(u.key)}.svg`;
  }

  protected label(l: BadgeLink): string {
    return this.i18n.t(`badge.link.${l.id}`);
  }

  protected copied(ok: boolean, what: string): void {
    this.snack.open(ok ? this.i18n.t('badge.copied', { what }) : this.i18n.t('badge.copyFailed'), undefined, {
      duration: 2000,
    });
  }
}

/** Opens the badge dialog: from a monitor's page and from the monitor list's tag filter. */
export function openBadge(dialog: MatDialog, data: BadgeDialogData): void {
  dialog.open(BadgeDialog, { data, width: '560px', maxWidth: '95vw' });
}
