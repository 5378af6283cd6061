import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatDialog, MatDialogModule, MatDialogRef } from '@angular/material/dialog';
import type { Observable } from 'rxjs';
import type { Channel } from '../api/models';
import { I18n } from '../i18n/i18n';
import { ChannelForm } from './channel-form';

/** A new channel without leaving the page (the monitor form's picker, the first-run hint); closes with it. */
@Component({
  selector: 'hb-channel-dialog',
  imports: [MatDialogModule, ChannelForm],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2 mat-dialog-title>{{ i18n.t('channels.new') }}</h2>
    <mat-dialog-content data-testid="channel-dialog">
      <hb-channel-form (saved)="ref.close($event)" (cancelled)="ref.close()" />
    </mat-dialog-content>
  `,
})
export class ChannelDialog {
  protected readonly ref = inject(MatDialogRef<ChannelDialog, Channel>);
  protected readonly i18n = inject(I18n);
}

/** Opens the dialog; emits the new channel, or undefined when cancelled. */
export function openChannelDialog(dialog: MatDialog): Observable<Channel | undefined> {
  return dialog.open(ChannelDialog, { width: '640px', maxWidth: '95vw', autoFocus: 'first-tabbable' }).afterClosed();
}
